# Network tests in namespaces (tests/net): the harness's self-test and the
# tests of `portscope scan` against a target the harness builds. Included
# from tests/CMakeLists.txt with
#   include(${CMAKE_CURRENT_SOURCE_DIR}/net/tests.cmake OPTIONAL)
# Every test needs root, ip(8) and nft(8), and prints SKIP without them.
# Each builds its own namespaces (names carry its PID), so ctest -j is safe.

# The listening side: TCP listeners and UDP responders on a list of ports.
add_executable(ps-scan-target ${CMAKE_CURRENT_LIST_DIR}/scan_target.c)

set(PS_NET_TESTS harness scan_connect scan_syn scan_udp)
foreach(name ${PS_NET_TESTS})
  add_test(NAME net_${name}
    COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.sh)
  set_tests_properties(net_${name} PROPERTIES
    LABELS "net"
    TIMEOUT 300
    ENVIRONMENT "PORTSCOPE=$<TARGET_FILE:portscope>;PS_SCAN_TARGET=$<TARGET_FILE:ps-scan-target>;PS_JSON_CHECK=$<TARGET_FILE:ps-json-check>;PS_TEST_DATA=${PS_TEST_DATA}")
endforeach()

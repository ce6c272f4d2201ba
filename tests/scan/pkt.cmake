# Packet-layer tests (src/scan/pkt_build.c, pkt_parse.c) and SipHash
# (src/common/siphash.c), which the stateless scans build on. Included from
# tests/CMakeLists.txt after ps_test_common is defined. No privileges and no
# network: the real traffic comes from the captures in tests/scan/data/.
foreach(path scan/test_pkt scan/test_pkt_frames scan/test_pkt_capture
             common/test_siphash)
  get_filename_component(name ${path} NAME)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${path}.c)
  target_link_libraries(${name} PRIVATE ps_test_common)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    LABELS "unit"
    TIMEOUT 120
    ENVIRONMENT "PS_TEST_DATA=${CMAKE_CURRENT_LIST_DIR}/data")
endforeach()

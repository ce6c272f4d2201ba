# Scan target tests (src/scan/targets*.c). Included from tests/CMakeLists.txt
# with
#   include(${CMAKE_CURRENT_SOURCE_DIR}/scan/targets.cmake OPTIONAL)
# after ps_test_common is defined. Listed only when the library builds the
# target sources (src/scan/targets.cmake sets PS_TARGETS_SOURCES).
#
# The tests never cause a DNS query: hostnames go to a fake resolver, and
# the default one only ever sees "localhost" (answered from /etc/hosts).
if(PS_TARGETS_SOURCES)
  add_executable(test_targets ${CMAKE_CURRENT_LIST_DIR}/test_targets.c)
  target_link_libraries(test_targets PRIVATE ps_test_common)
  add_test(NAME test_targets COMMAND test_targets)
  set_tests_properties(test_targets PROPERTIES
    LABELS "unit"
    TIMEOUT 120
    ENVIRONMENT "PS_TEST_DATA=${PS_TEST_DATA}")
endif()

# Scan target tests (src/scan/targets*.c). Included from tests/CMakeLists.txt
# with
#   include(${CMAKE_CURRENT_SOURCE_DIR}/scan/targets.cmake OPTIONAL)
# after ps_test_common is defined. Listed only when the library builds the
# target sources (src/scan/targets.cmake sets PS_TARGETS_SOURCES).
#
# The tests never cause a DNS query: hostnames go to a fake resolver, and
# the default one only ever sees "localhost" (answered from /etc/hosts).
# Three programs: spec syntax and hostnames, exclusions and iteration, and
# -iL files; targets_test.h holds their shared helpers.
if(PS_TARGETS_SOURCES)
  foreach(name test_targets test_targets_exclude test_targets_files)
    add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
    target_link_libraries(${name} PRIVATE ps_test_common)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
      LABELS "unit"
      TIMEOUT 120
      ENVIRONMENT "PS_TEST_DATA=${PS_TEST_DATA}")
  endforeach()
endif()

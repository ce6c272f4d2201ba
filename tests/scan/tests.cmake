# Scanner unit tests (src/scan). Included from tests/CMakeLists.txt with
#   include(${CMAKE_CURRENT_SOURCE_DIR}/scan/tests.cmake OPTIONAL)
# after ps_test_common and PS_TEST_DATA are defined.
set(PS_SCAN_UNIT_TESTS scan/test_portspec scan/test_permute scan/test_engine scan/test_timing)
list(APPEND PS_SCAN_UNIT_TESTS scan/test_payloads)
foreach(path ${PS_SCAN_UNIT_TESTS})
  get_filename_component(name ${path} NAME)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE ps_test_common)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    LABELS "unit"
    TIMEOUT 120
    ENVIRONMENT "PS_TEST_DATA=${PS_TEST_DATA};PS_IANA_CSV=${PS_IANA_CSV}")
endforeach()

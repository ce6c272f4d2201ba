# Socket owners (src/sockets/owners*.c, proc_parse.c): a scan of the live
# /proc and of fake proc trees, and the /proc text parsers. Included by
# tests/CMakeLists.txt.
foreach(name test_owners test_owners_fake test_owners_parse)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/sockets/${name}.c)
  target_link_libraries(${name} PRIVATE ps_test_common)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "unit" TIMEOUT 120)
endforeach()

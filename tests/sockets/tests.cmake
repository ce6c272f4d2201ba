# Tests of the socket table (src/sockets): parsers on recorded kernel data
# (tests/data/sockets/) and a live dump of sockets the test opens on
# loopback. Included from tests/CMakeLists.txt.
set(PS_SOCKET_TESTS
  sockets/test_format
  sockets/test_diag_parse
  sockets/test_proc_net
  sockets/test_dump)

foreach(path ${PS_SOCKET_TESTS})
  get_filename_component(name ${path} NAME)
  add_executable(${name} ${path}.c)
  # libmnl also comes through portscope_static once the top level links
  # PS_SOCKETS_LIBS; naming it here keeps the tests linking before that.
  target_link_libraries(${name} PRIVATE ps_test_common ${PS_SOCKETS_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    LABELS "unit"
    TIMEOUT 120
    ENVIRONMENT "PS_TEST_DATA=${PS_TEST_DATA}")
endforeach()

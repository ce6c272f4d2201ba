# CLI tests of portscope list, with a helper that holds sockets open.
add_executable(ps-listen ${CMAKE_CURRENT_SOURCE_DIR}/sockets/listen_helper.c)
add_test(NAME cli_list
  COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/sockets/test_list.sh)
set_tests_properties(cli_list PROPERTIES
  LABELS "cli"
  TIMEOUT 120
  ENVIRONMENT "PORTSCOPE=$<TARGET_FILE:portscope>;PS_JSON_CHECK=$<TARGET_FILE:ps-json-check>;PS_TEST_DATA=${PS_TEST_DATA};PS_LISTEN=$<TARGET_FILE:ps-listen>")

# audit, list and who in a namespace the test builds (skips without root).
add_test(NAME audit_netns
  COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/audit/test_netns.sh)
set_tests_properties(audit_netns PROPERTIES
  LABELS "cli"
  TIMEOUT 120
  SKIP_RETURN_CODE 77
  ENVIRONMENT "PORTSCOPE=$<TARGET_FILE:portscope>;PS_JSON_CHECK=$<TARGET_FILE:ps-json-check>;PS_TEST_DATA=${PS_TEST_DATA};PS_LISTEN=$<TARGET_FILE:ps-listen>")

# The audit's options on this host's sockets (no root needed).
add_test(NAME cli_audit
  COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/audit/test_audit_cli.sh)
set_tests_properties(cli_audit PROPERTIES
  LABELS "cli"
  TIMEOUT 120
  ENVIRONMENT "PORTSCOPE=$<TARGET_FILE:portscope>;PS_JSON_CHECK=$<TARGET_FILE:ps-json-check>;PS_TEST_DATA=${PS_TEST_DATA}")

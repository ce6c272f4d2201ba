# Scan output format tests (src/output/scan_*.c). Included from
# tests/CMakeLists.txt after ps_test_common is defined:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/output/scan.cmake OPTIONAL)
# The XML test validates against nmap's DTD; it skips that part when the
# DTD (from the nmap package) is missing.
if(NOT TARGET PkgConfig::LIBXML2)
  pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
endif()
if(NOT TARGET PkgConfig::JANSSON)
  pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
endif()
add_executable(test_scan_output ${CMAKE_CURRENT_LIST_DIR}/test_scan_output.c)
target_link_libraries(test_scan_output PRIVATE ps_test_common
  PkgConfig::JANSSON PkgConfig::LIBXML2)
add_test(NAME test_scan_output COMMAND test_scan_output)
set_tests_properties(test_scan_output PROPERTIES
  LABELS "unit"
  TIMEOUT 120
  ENVIRONMENT "TZ=UTC;PS_NMAP_DTD=/usr/share/nmap/nmap.dtd")

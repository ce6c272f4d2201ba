# Scan output format tests (src/output/scan_*.c). Included from
# tests/CMakeLists.txt after ps_test_common is defined:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/output/scan.cmake OPTIONAL)
# The XML tests validate against nmap's DTD; they skip that part when the
# DTD (from the nmap package) is missing.
if(NOT TARGET PkgConfig::LIBXML2)
  pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
endif()
if(NOT TARGET PkgConfig::JANSSON)
  pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
endif()
# One program per format family (normal and grepable text, XML, JSON Lines
# and failing streams); scan_output_test.h holds their shared fixtures.
foreach(name test_scan_output test_scan_output_xml test_scan_output_json)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE ps_test_common
    PkgConfig::JANSSON PkgConfig::LIBXML2)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    LABELS "unit"
    TIMEOUT 120
    ENVIRONMENT "TZ=UTC;PS_NMAP_DTD=/usr/share/nmap/nmap.dtd")
endforeach()

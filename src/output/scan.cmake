# Scan output formats (include/portscope/scanout.h): one file per format
# behind src/output/scanout.h. Included by the top-level CMakeLists.txt
# before the library targets exist, so this file only names sources and
# libraries:
#   include(${CMAKE_SOURCE_DIR}/src/output/scan.cmake OPTIONAL)
#   list(APPEND PS_LIB_SOURCES ${PS_SCANOUT_SOURCES})
# The XML format writes through libxml2's xmlTextWriter.
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
set(PS_SCANOUT_SOURCES
  ${CMAKE_SOURCE_DIR}/src/output/scan_writer.c
  ${CMAKE_SOURCE_DIR}/src/output/scan_common.c
  ${CMAKE_SOURCE_DIR}/src/output/scan_normal.c
  ${CMAKE_SOURCE_DIR}/src/output/scan_xml.c
  ${CMAKE_SOURCE_DIR}/src/output/scan_grep.c
  ${CMAKE_SOURCE_DIR}/src/output/scan_json.c)
set(PS_SCANOUT_LIBS PkgConfig::LIBXML2)

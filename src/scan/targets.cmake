# Scan targets (include/portscope/targets.h): spec syntax, exclusions, -iL
# files and the iterator. Included by the top-level CMakeLists.txt, which
# appends PS_TARGETS_SOURCES to the library:
#   include(${CMAKE_SOURCE_DIR}/src/scan/targets.cmake OPTIONAL)
set(PS_TARGETS_SOURCES
  ${CMAKE_SOURCE_DIR}/src/scan/targets.c
  ${CMAKE_SOURCE_DIR}/src/scan/targets_parse.c
  ${CMAKE_SOURCE_DIR}/src/scan/targets_set.c
  ${CMAKE_SOURCE_DIR}/src/scan/targets_exclude.c
  ${CMAKE_SOURCE_DIR}/src/scan/targets_file.c
  ${CMAKE_SOURCE_DIR}/src/scan/targets_iter.c)

# The scanner's building blocks (include/portscope/portspec.h). Included by
# the top-level CMakeLists.txt before the library targets exist, so this
# file only names sources:
#   include(${CMAKE_SOURCE_DIR}/src/scan/sources.cmake OPTIONAL)
#   list(APPEND PS_LIB_SOURCES ${PS_SCAN_SOURCES})
set(PS_SCAN_SOURCES ${CMAKE_SOURCE_DIR}/src/scan/portspec.c)

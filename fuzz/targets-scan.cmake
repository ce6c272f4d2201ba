# The port specification parser (fuzz_portspec.c). Included by
# fuzz/CMakeLists.txt before its loop over PS_FUZZ_TARGETS, which gives
# every target the same compile and link options (-fsanitize=fuzzer plus
# ASan and UBSan) and links portscope_static. Listed only once the top level
# builds src/scan into the library (src/scan/sources.cmake sets
# PS_SCAN_SOURCES), so a tree without it still configures and links.
if(PS_SCAN_SOURCES)
  list(APPEND PS_FUZZ_TARGETS fuzz_portspec)
endif()

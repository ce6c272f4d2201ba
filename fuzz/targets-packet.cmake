# The packet parser of the stateless scans (src/scan/pkt_parse.c, with the
# builders of pkt_build.c for its round trips). Included by
# fuzz/CMakeLists.txt before its loop over PS_FUZZ_TARGETS, which gives
# every target the same compile and link options (-fsanitize=fuzzer plus
# ASan and UBSan) and links portscope_static. Listed only once the top level
# builds src/scan into the library (src/scan/sources.cmake sets
# PS_SCAN_SOURCES).
if(PS_SCAN_SOURCES)
  list(APPEND PS_FUZZ_TARGETS fuzz_packet)
endif()

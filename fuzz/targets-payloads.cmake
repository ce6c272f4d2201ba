# The nmap-payloads parser and the UDP payload index (fuzz_payloads.c).
# Included by fuzz/CMakeLists.txt before its loop over PS_FUZZ_TARGETS,
# which gives every target the same compile and link options and links
# portscope_static. Listed only once the library builds the payload files
# (src/scan/sources.cmake names them), so a tree without them still
# configures and links.
if(PS_SCAN_SOURCES MATCHES "payloads_parse\\.c")
  list(APPEND PS_FUZZ_TARGETS fuzz_payloads)
endif()

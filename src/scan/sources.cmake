# The scanner (include/portscope/portspec.h, scanres.h, scan.h): the port
# specification parser, addresses, the engine, its event loop and its probe
# modules (src/scan/probes/). Included by the top-level CMakeLists.txt
# before the library targets exist, so this file only names sources:
#   include(${CMAKE_SOURCE_DIR}/src/scan/sources.cmake OPTIONAL)
#   list(APPEND PS_LIB_SOURCES ${PS_SCAN_SOURCES})
# The SYN scan captures its answers with libpcap.
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)
set(PS_SCAN_LIBS PkgConfig::PCAP)
set(PS_SCAN_SOURCES
  ${CMAKE_SOURCE_DIR}/src/scan/portspec.c
  ${CMAKE_SOURCE_DIR}/src/scan/ip.c
  ${CMAKE_SOURCE_DIR}/src/scan/result.c
  ${CMAKE_SOURCE_DIR}/src/scan/loop.c
  ${CMAKE_SOURCE_DIR}/src/scan/permute.c
  ${CMAKE_SOURCE_DIR}/src/scan/payloads.c
  ${CMAKE_SOURCE_DIR}/src/scan/payloads_parse.c
  ${CMAKE_SOURCE_DIR}/src/scan/payloads_builtin.c
  ${CMAKE_SOURCE_DIR}/src/scan/timing.c
  ${CMAKE_SOURCE_DIR}/src/scan/heap.c
  ${CMAKE_SOURCE_DIR}/src/scan/retry.c
  ${CMAKE_SOURCE_DIR}/src/scan/rounds.c
  ${CMAKE_SOURCE_DIR}/src/scan/hosts.c
  ${CMAKE_SOURCE_DIR}/src/scan/lookup.c
  ${CMAKE_SOURCE_DIR}/src/scan/pkt_build.c
  ${CMAKE_SOURCE_DIR}/src/scan/pkt_parse.c
  ${CMAKE_SOURCE_DIR}/src/scan/cookie.c
  ${CMAKE_SOURCE_DIR}/src/scan/route.c
  ${CMAKE_SOURCE_DIR}/src/scan/rawsend.c
  ${CMAKE_SOURCE_DIR}/src/scan/capture.c
  ${CMAKE_SOURCE_DIR}/src/scan/icmp.c
  ${CMAKE_SOURCE_DIR}/src/scan/engine.c
  ${CMAKE_SOURCE_DIR}/src/scan/run.c
  ${CMAKE_SOURCE_DIR}/src/scan/multi.c
  ${CMAKE_SOURCE_DIR}/src/scan/probes/connect.c
  ${CMAKE_SOURCE_DIR}/src/scan/probes/syn.c
  ${CMAKE_SOURCE_DIR}/src/scan/probes/udp.c
  ${CMAKE_SOURCE_DIR}/src/scan/probes/modules.c)

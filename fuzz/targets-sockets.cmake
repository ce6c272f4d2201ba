# The socket-table parsers (src/sockets). Included by fuzz/CMakeLists.txt
# before it defines the targets it lists, so naming them here gives them
# the same sanitizer and fuzzer flags as the others and a place in
# fuzz-targets.
list(APPEND PS_FUZZ_TARGETS fuzz_diag fuzz_procnet)

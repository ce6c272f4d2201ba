# The /proc text parsers behind socket owners (fuzz_procparse.c). Included
# by fuzz/CMakeLists.txt before its loop over PS_FUZZ_TARGETS, which gives
# every target the same compile and link options (-fsanitize=fuzzer plus
# ASan and UBSan) and links portscope_static.
list(APPEND PS_FUZZ_TARGETS fuzz_procparse)

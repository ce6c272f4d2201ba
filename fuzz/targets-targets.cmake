# The scan target parser (fuzz_targets.c). Included by fuzz/CMakeLists.txt
# before its loop over PS_FUZZ_TARGETS, which gives every target the same
# compile and link options and links portscope_static. Listed only once the
# top level builds the target sources (src/scan/targets.cmake sets
# PS_TARGETS_SOURCES), so a tree without them still configures and links.
if(PS_TARGETS_SOURCES)
  list(APPEND PS_FUZZ_TARGETS fuzz_targets)
endif()

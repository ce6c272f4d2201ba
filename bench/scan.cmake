# Helpers of the scan benchmarks (bench/scan-*), included from
# bench/CMakeLists.txt with include(scan.cmake OPTIONAL).

# The listening side of bench/scan-connect's target: the same program as the
# network tests' ps-scan-target (tests/net/scan_target.c), built here so the
# benchmark needs nothing from the test tree.
add_executable(bench-scan-target ${CMAKE_SOURCE_DIR}/tests/net/scan_target.c)

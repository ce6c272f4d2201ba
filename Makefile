# Thin wrapper around CMake: the real build is CMakeLists.txt.
#   make            build build/portscope and build/libportscope.{a,so}
#   make check      build and run every test
#   make install    install (honours PREFIX and DESTDIR)
#   make asan       build and test under AddressSanitizer + UBSan (build-asan/)
#   make fuzz       build the libFuzzer targets with clang (build-fuzz/)
#   make bench      run the benchmarks against their peer tools

PREFIX ?= /usr/local
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all configure check install asan fuzz bench clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

check: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Configure again so that files which embed the prefix (portscope.pc) agree
# with the PREFIX given now, then install under $(DESTDIR) if set.
install: all
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

asan:
	$(MAKE) check BUILD=build-asan CMAKE_FLAGS="-DPS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

fuzz:
	@test -f build-fuzz/CMakeCache.txt || CC=clang cmake -S . -B build-fuzz \
	  -DPS_FUZZ=ON -DPS_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz -j $(JOBS)

bench: all
	bench/run-all $(BUILD)

clean:
	rm -rf build build-asan build-fuzz build-gcc build-clang

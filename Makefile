# Thin wrapper over CMake. The targets a person types:
#   make            build build/dmvgate (installs missing Debian packages first)
#   make check      build, run every test (ctest), then the unit tests and corpus replays under
#                   ASan+UBSan and valgrind, and every fuzz target briefly
#   make demo       build and run the demo
#   make bench      build and run the benchmarks (never part of make check); one table at the
#                   end, bench/results/bench.json.  make bench BENCH="national audit": only those
#   make fuzz       build the libFuzzer targets with clang and run each for FUZZ_SECONDS
#   make check-fuzz the same briefly (FUZZ_CHECK_SECONDS each), as make check does
#   make check-valgrind  the unit tests and corpus replays under valgrind, as make check does
#   make check-asan-e2e  the whole-process tests against the ASan+UBSan binary (on demand, ~11 min)
#   make format     clang-format every C file in place;  make format-check  fails on a diff
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
VALGRIND_BUILD ?= build-valgrind
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 20
FUZZ_JOBS ?= $(JOBS)
CTEST_ARGS ?=

C_FILES = $(shell find include lib src tests fuzz bench -name '*.[ch]' -not -path '*/node_modules/*' 2>/dev/null)

.PHONY: all deps build check check-asan check-asan-e2e check-fuzz check-valgrind fuzz-build demo bench fuzz format format-check clean

all: build

deps:
	@bash scripts/install-deps

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

check: build format-check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)
	$(MAKE) check-asan
	$(MAKE) check-valgrind
	$(MAKE) check-fuzz

check-asan: deps
	@test -f $(ASAN_BUILD)/CMakeCache.txt || cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDG_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -L 'unit|fuzz' $(CTEST_ARGS)

check-asan-e2e: check-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j1 -L e2e $(CTEST_ARGS)

check-valgrind: deps
	@test -f $(VALGRIND_BUILD)/CMakeCache.txt || cmake -S . -B $(VALGRIND_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDG_VALGRIND=ON >/dev/null
	cmake --build $(VALGRIND_BUILD) -j$(JOBS)
	cd $(VALGRIND_BUILD) && ctest --output-on-failure -j$(JOBS) -L 'unit|fuzz' -LE pg $(CTEST_ARGS)

demo: build
	bash scripts/demo

BENCH ?=
bench: build
	BENCH="$(BENCH)" bash scripts/bench $(BUILD)

fuzz-build: deps
	@test -f $(FUZZ_BUILD)/CMakeCache.txt || CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDG_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers

fuzz: fuzz-build
	bash scripts/fuzz --jobs $(FUZZ_JOBS) $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Every libFuzzer target briefly (the corpora are also replayed by ctest).
check-fuzz: fuzz-build
	bash scripts/fuzz --check --jobs $(FUZZ_JOBS) $(FUZZ_BUILD) $(FUZZ_CHECK_SECONDS)

format:
	clang-format -i $(C_FILES)

format-check:
	@bad=$$(for f in $(C_FILES); do clang-format --dry-run -Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	if [ -n "$$bad" ]; then echo "clang-format would change:"; echo "$$bad"; exit 1; fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

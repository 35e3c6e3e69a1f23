# openwdf - the commands users type. Meson + Ninja do the building; this file only names the jobs.
#   make            optimized build (-O2), programs collected in build/bin/
#   make check      install deps, ASan+UBSan build, every test, lint, then the TSan concurrency run
#   make demo       build and run the main job
#   make bench      optimized build, run the benchmarks (BENCH lines)
SHELL := /bin/bash
MESON ?= meson
DEPS_STAMP := build-deps.stamp

.PHONY: all deps check check-asan check-tsan demo bench lint format clean compile-commands

all: deps
	@[ -f build/build.ninja ] || $(MESON) setup build --buildtype=debugoptimized --prefix=$(CURDIR)/build \
	    --bindir=bin --libdir=lib --includedir=include -Dc_args=-O2
	$(MESON) compile -C build
	@$(MESON) install -C build --no-rebuild --quiet >/dev/null
	@echo "programs in build/bin: $$(ls build/bin | tr '\n' ' ')"

deps:
	@./scripts/install-deps.sh

check: deps check-asan lint check-tsan

check-asan:
	@[ -f build-check/build.ninja ] || $(MESON) setup build-check --buildtype=debug -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dc_args='-O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined'
	$(MESON) compile -C build-check
	$(MESON) test -C build-check --print-errorlogs --num-processes 2

check-tsan:
	@[ -f build-tsan/build.ninja ] || CC=clang $(MESON) setup build-tsan --buildtype=debug -Db_sanitize=thread \
	    -Db_lundef=false -Dc_args='-O1 -fno-omit-frame-pointer'
	$(MESON) compile -C build-tsan
	$(MESON) test -C build-tsan --suite concurrency --print-errorlogs --num-processes 2

demo: all
	./build/bin/owdf-demo

bench: all
	@for b in build/bench/bench_*; do if [ -f "$$b" ] && [ -x "$$b" ]; then "$$b" || exit 1; fi; done

lint: check-asan-configured
	./scripts/lint.sh build-check

.PHONY: check-asan-configured
check-asan-configured:
	@[ -f build-check/compile_commands.json ] || $(MAKE) --no-print-directory check-asan

compile-commands: check-asan-configured
	ln -sf build-check/compile_commands.json compile_commands.json

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-check build-tsan compile_commands.json

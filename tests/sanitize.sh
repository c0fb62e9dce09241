#!/usr/bin/env bash
# Runs the test suite under sanitizers.
#
#   tests/sanitize.sh [asan] [CTEST ARGS...]
#
# asan (the default): the whole suite (unit tests, fuzz corpora, integration
# tests against an instrumented quired and quire-jobproc) built with clang,
# AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer, in the same
# build folder as tests/fuzz.sh (build-fuzz: one instrumented build serves
# both). A sanitizer report fails its test: UBSan halts on the first error,
# and ASan's exit code is the test's.
#
# CTEST ARGS go to ctest, e.g. `tests/sanitize.sh asan -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=asan
if [[ $# -gt 0 && "$1" != -* ]]; then
  mode=$1
  shift
fi

case "$mode" in
  asan)
    .ci/install-deps build test fuzz
    build=build-fuzz
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-16 \
      -DCMAKE_CXX_COMPILER=clang++-16 -DQUIRE_LIBFUZZER=ON -DQUIRE_SANITIZE=ON -DQUIRE_BUILD_BENCH=OFF >/dev/null
    cmake --build "$build"
    cd "$build"
    # Debian's libraries are not instrumented: what they allocate and free is
    # seen, their own bugs are not. detect_leaks covers Quire's allocations
    # (and theirs, when they leak what Quire asked for).
    # Reports name files and lines through LLVM's symbolizer (clang 16's
    # package has none; 14's is the same format). The suppressions are
    # explained in tests/sanitize/.
    symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
    supp="$(pwd)/../tests/sanitize"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp${symbolizer:+:external_symbolizer_path=$symbolizer}"
    export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=0${symbolizer:+:external_symbolizer_path=$symbolizer}"
    export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
    export QUIRE_SANITIZED=1  # test_sync_order.py skips: strace and LeakSanitizer do not mix
    ctest --output-on-failure -j "$(nproc)" "$@"
    ;;
  *)
    echo "sanitize.sh: unknown mode '$mode' (asan)" >&2
    exit 2
    ;;
esac

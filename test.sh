#!/usr/bin/env bash
# Installs what is missing, builds everything (Release) and runs every test:
# unit tests, fuzz corpora and integration tests against a real quired.
set -euo pipefail
cd "$(dirname "$0")"
.ci/install-deps build test
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
cd build
ctest --output-on-failure -j "$(nproc)" "$@"

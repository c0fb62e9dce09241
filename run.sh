#!/usr/bin/env bash
# Installs what is missing, builds quired (Release) and runs it on the embedded
# defaults: data in ./data, IPP on 127.0.0.1:8631, a pull queue "secure", a
# direct queue "demo" and a printer "demo" that writes to ./data/sink/demo.
# Extra arguments go to quired, e.g. ./run.sh --set log.level=debug
set -euo pipefail
cd "$(dirname "$0")"
.ci/install-deps build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target quired quire-jobproc
exec ./build/quired "$@"

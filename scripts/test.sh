#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite
# (lit + unit tests). This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
ninja -C "${BUILD_DIR:-build}" -j "${JOBS:-2}" check-multikernel

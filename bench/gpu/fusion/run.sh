#!/usr/bin/env bash
# On the device machine (carry .device-carry): the GPU integration tests with
# the kit of scripts/gpu-test-kit.sh, then the fusion benchmark over the
# families named (all without arguments); builds nothing.
# Usage: bench/gpu/fusion/run.sh [--no-tests] [family ...]
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=${OUT:-/tmp}
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem --format=csv,noheader
status=0
if [ "${1:-}" = "--no-tests" ]; then
  shift
else
  bash .device-carry/gpu-tests/run.sh 2>&1 | tee "$out/gpu-tests.log" | grep -E "^(PASS|FAIL|UNSUPPORTED|XFAIL)|Passed|Failed|WRONG|error" || true
  grep -q "^FAIL" "$out/gpu-tests.log" && status=1
fi
PYTHONUNBUFFERED=1 python3 bench/gpu/fusion/bench.py .device-carry/gpu-tests/kernels \
  "$out/fusion.md" "$@" 2>&1 | tee "$out/fusion.log" | grep -vE "^\|" || status=1
head -n 14 "$out/fusion.md" 2>/dev/null || true
exit $status

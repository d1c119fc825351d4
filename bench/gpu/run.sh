#!/usr/bin/env bash
# On the device machine: runs prebuilt GPU benchmarks (builds nothing);
# carry .device-carry. Usage: bench/gpu/run.sh <kernel>...
set -uo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
for kernel in "$@"; do
  PYTHONUNBUFFERED=1 python3 .device-carry/"$kernel"/bench.py .device-carry/"$kernel" \
    "${OUT:-/tmp}/$kernel.md" 2>&1 | tee "${OUT:-/tmp}/$kernel.log"
done

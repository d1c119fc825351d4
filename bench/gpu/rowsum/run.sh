#!/usr/bin/env bash
# On the device machine: runs the prebuilt rowsum benchmark (builds
# nothing). Carry .device-carry.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
PYTHONUNBUFFERED=1 python3 .device-carry/rowsum/bench.py .device-carry/rowsum \
  "${OUT:-/tmp}/rowsum.md" 2>&1 | tee "${OUT:-/tmp}/rowsum.log"

#!/usr/bin/env bash
# On the device machine: runs the prebuilt elementwise benchmark (builds
# nothing). Carry .device-carry.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
PYTHONUNBUFFERED=1 python3 .device-carry/elementwise/bench.py .device-carry/elementwise \
  "${OUT:-/tmp}/elementwise.md" 2>&1 | tee "${OUT:-/tmp}/elementwise.log"

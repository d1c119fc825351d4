#!/usr/bin/env bash
# On the device machine: runs the prebuilt softmax benchmark (builds
# nothing). Carry .device-carry.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
PYTHONUNBUFFERED=1 python3 .device-carry/softmax/bench.py .device-carry/softmax \
  "${OUT:-/tmp}/softmax.md" 2>&1 | tee "${OUT:-/tmp}/softmax.log"

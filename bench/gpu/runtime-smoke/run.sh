#!/usr/bin/env bash
# On the device machine: runs the prebuilt smoke test (builds nothing).
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
MULTIKERNEL_LOG=1 .device-carry/smoke/harness .device-carry/smoke/kernels.cubin 2>&1 | tee "${OUT:-/tmp}/runtime-smoke.log"

#!/usr/bin/env bash
# On the device machine: every prebuilt GPU benchmark in one call.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash bench/gpu/run.sh elementwise rowsum softmax matmul

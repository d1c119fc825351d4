#!/usr/bin/env bash
# On the device machine: every prebuilt GPU benchmark in one call.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash bench/gpu/elementwise/run.sh
bash bench/gpu/rowsum/run.sh
bash bench/gpu/softmax/run.sh

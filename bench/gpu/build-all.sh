#!/usr/bin/env bash
# Builds every GPU benchmark (here), with the hints each was measured with.
set -euo pipefail
cd "$(dirname "$0")"
bash build.sh elementwise 1024x512,4096x2048
bash build.sh rowsum 4096x512,4096x4096,96x100000
bash build.sh softmax 4096x512,4096x4096,96x100000
bash build.sh matmul 256x256x256,1024x1024x1024,4096x4096x4096

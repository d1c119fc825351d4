#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
BIN=${BUILD_DIR:-build}/bin

echo "== The seed's kernel, x * 2 + sin(y), specialized for the size hints"
echo "== [1024, 512] and [4096, 2048] (GPU tiling; the tiling chosen per hint):"
"$BIN/multikernel-opt" examples/seed.mlir \
  --multikernel-specialize="hints=1024x512,4096x2048 target=gpu" |
  grep -o '#multikernel.tiling<[^>]*>' | sed 's/^/   /'
echo
echo "== The dispatch op, by hand (examples/seed-dispatch.mlir), parsed and printed:"
"$BIN/multikernel-opt" examples/seed-dispatch.mlir | sed -n '1,12p'
echo "   ..."
echo
echo "== The same module through the stock mlir-opt with the plugin, in the"
echo "== generic form other compilers build programmatically:"
/usr/lib/llvm-22/bin/mlir-opt examples/seed-dispatch.mlir \
  --load-dialect-plugin="${BUILD_DIR:-build}/lib/MultiKernelPlugin.so" \
  --mlir-print-op-generic | sed -n '1,12p'
echo "   ..."

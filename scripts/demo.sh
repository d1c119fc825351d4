#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
BIN=${BUILD_DIR:-build}/bin

echo "== The seed's kernel, x * 2 + sin(y), as a multikernel.dispatch with"
echo "== one variant per size hint ([1024, 512] and [4096, 2048]):"
"$BIN/multikernel-opt" examples/seed-dispatch.mlir
echo
echo "== The same module through the stock mlir-opt with the plugin, in the"
echo "== generic form other compilers build programmatically:"
/usr/lib/llvm-22/bin/mlir-opt examples/seed-dispatch.mlir \
  --load-dialect-plugin="${BUILD_DIR:-build}/lib/MultiKernelPlugin.so" \
  --mlir-print-op-generic | sed -n '1,12p'
echo "   ..."

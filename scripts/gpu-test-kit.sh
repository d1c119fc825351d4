#!/usr/bin/env bash
# Assembles, on this (CPU) machine, what running the GPU integration tests
# (test/Integration/GPU, REQUIRES: cuda-gpu) takes on the GPU machine, which
# has no MLIR or LLVM: the prebuilt kernels and runtime, lit, FileCheck and
# the libraries it needs, and a lit site config that points the suite at
# them. Output: .device-carry/gpu-tests (git-ignored).
#
# On the GPU machine (carry .device-carry), from the repository root:
#   bash .device-carry/gpu-tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LLVM_PREFIX=/usr/lib/llvm-22
BUILD=${BUILD_DIR:-build}
kit=.device-carry/gpu-tests

ninja -C "$BUILD" multikernel-gpu-test-kernels >/dev/null
rm -rf "$kit"
mkdir -p "$kit/bin" "$kit/lib" "$kit/python" "$kit/test/Integration/GPU"
cp -r "$BUILD/test/Integration/GPU/kernels" "$kit/kernels"
for tool in FileCheck not count; do
  cp "$LLVM_PREFIX/bin/$tool" "$kit/bin/"
done
# FileCheck's libraries that a machine without LLVM may lack.
for library in $(ldd "$LLVM_PREFIX/bin/FileCheck" | awk '/libz3|libzstd/ {print $3}'); do
  cp -L "$library" "$kit/lib/"
done
cp -r "$LLVM_PREFIX/utils/lit/lit" "$kit/python/lit"
find "$kit/python" -name __pycache__ -prune -exec rm -rf {} +

cat >"$kit/test/lit.site.cfg.py" <<'CFG'
# Written by scripts/gpu-test-kit.sh: the GPU integration tests with
# prebuilt kernels, on a machine without MLIR.
import os

kit = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
repo = os.path.dirname(os.path.dirname(kit))
config.gpu_test_kit = True
config.llvm_tools_dir = os.path.join(kit, "bin")
config.llvm_shlib_ext = ".so"
config.mlir_obj_dir = ""
config.multikernel_src_root = repo
config.multikernel_obj_root = kit
config.multikernel_gpu_kernels = os.path.join(kit, "kernels")
config.cmake_command = "cmake"
config.cmake_generator = "Ninja"
config.mlir_dir = ""
config.c_compiler = "cc"
config.cxx_compiler = "c++"
config.python_executable = "python3"
config.environment["LD_LIBRARY_PATH"] = os.path.join(kit, "lib")

import lit.llvm
lit.llvm.initialize(lit_config, config)
lit_config.load_config(config, os.path.join(repo, "test", "lit.cfg.py"))
CFG

cat >"$kit/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the GPU integration tests with the kit (see scripts/gpu-test-kit.sh).
kit=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
PYTHONPATH="$kit/python" python3 -c "import sys; from lit.main import main; sys.argv[0] = 'lit'; main()" \
  -v "$kit/test/Integration/GPU" "$@"
RUN
echo "assembled $kit ($(du -sh "$kit" | cut -f1))"

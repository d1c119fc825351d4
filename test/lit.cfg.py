# -*- Python -*-

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "MULTIKERNEL"
# Set by the kit of scripts/gpu-test-kit.sh, which runs only the GPU tests.
gpu_test_kit = getattr(config, "gpu_test_kit", False)
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.multikernel_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.multikernel_tools_dir = os.path.join(config.multikernel_obj_root, "bin")
config.multikernel_libs_dir = os.path.join(config.multikernel_obj_root, "lib")

config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%multikernel_libs", config.multikernel_libs_dir))
config.substitutions.append(("%multikernel_src", config.multikernel_src_root))
# Longer names first: lit substitutes in order.
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%multikernel_obj", config.multikernel_obj_root))
config.substitutions.append(("%c_compiler", config.c_compiler))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cxx_compiler", config.cxx_compiler))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP", "CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.multikernel_tools_dir, config.llvm_tools_dir]
tools = [
    "mlir-opt",
    "multikernel-opt",
    "multikernel-compile",
    "multikernel-cpu-check",
    "multikernel-capi-test",
    "RuntimeTests",
    "RuntimeGpuFakeDriverTests",
    "RuntimeGpuCublasLtTests",
    "RuntimeGpuNoDriverTests",
    "RuntimeEnvDriver",
]
if not gpu_test_kit:
    llvm_config.add_tool_substitutions(tools, tool_dirs)

# The GPU kernels that the GPU integration tests run, prebuilt by the
# multikernel-gpu-test-kernels target (test/Integration/GPU/CMakeLists.txt).
# On the GPU machine, which has no MLIR, the kit that
# scripts/gpu-test-kit.sh assembles sets config.gpu_test_kit and brings
# them, with FileCheck and lit, to run only those tests.
if not hasattr(config, "multikernel_gpu_kernels"):
    config.multikernel_gpu_kernels = os.path.join(
        config.multikernel_obj_root, "test", "Integration", "GPU", "kernels")
config.substitutions.append(("%gpu_kernels", config.multikernel_gpu_kernels))

# ptxas compiles the GPU kernels: tests that build CUDA libraries need it
# (and multikernel-compile, which the kit does not have).
import shutil
if not gpu_test_kit and (
        shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas")):
    config.available_features.add("ptxas")
# multikernel-compile --cpu-parallel=openmp links LLVM's OpenMP runtime.
if not gpu_test_kit and os.path.exists(
        os.path.join(getattr(config, "llvm_library_dir", ""), "libomp.so")):
    config.available_features.add("libomp")
# Debian's default host compiler, which the build must refuse.
if not gpu_test_kit and shutil.which("g++") and shutil.which("gcc"):
    config.available_features.add("gcc")
# Tests that run kernels need a GPU (CI has none; run them on the device
# with the kit).
if shutil.which("nvidia-smi") and os.system("nvidia-smi -L > /dev/null 2>&1") == 0:
    config.available_features.add("cuda-gpu")
    # Tests of several devices in one process need two.
    import subprocess
    listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout
    if sum(1 for line in listed.splitlines() if line.startswith("GPU ")) >= 2:
        config.available_features.add("cuda-gpus-2")

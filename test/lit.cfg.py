# -*- Python -*-

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "MULTIKERNEL"
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
    "RuntimeGpuNoDriverTests",
    "RuntimeEnvDriver",
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# ptxas compiles the GPU kernels: tests that build CUDA libraries need it.
import shutil
if shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
# Tests that run kernels need a GPU (CI has none; run them on the device).
if shutil.which("nvidia-smi") and os.system("nvidia-smi -L > /dev/null 2>&1") == 0:
    config.available_features.add("cuda-gpu")

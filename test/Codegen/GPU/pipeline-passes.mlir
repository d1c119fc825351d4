// RUN: multikernel-opt %s --multikernel-gpu-pipeline --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s

// The GPU pipeline lowers the kernels as upstream's NVVM pipeline does, but
// compiles them to binaries with multikernel-gpu-module-to-binary (in
// parallel) instead of upstream's gpu-module-to-binary (one at a time).
// CHECK:      multikernel-gpu-codegen,
// CHECK-NEXT:   convert-nvgpu-to-nvvm,
// CHECK-NEXT:   gpu-kernel-outlining
// CHECK:        nvvm-attach-target{O=3 chip=sm_90 {{.*}}features=+ptx80
// CHECK:        gpu.module(
// CHECK-NEXT:     convert-gpu-to-nvvm{{.*}}index-bitwidth=64
// CHECK:        gpu-to-llvm{
// CHECK-NEXT:   multikernel-gpu-module-to-binary{format=fatbin toolkit=},
// CHECK-NEXT:   convert-math-to-llvm
// CHECK-NOT:    {{ gpu-module-to-binary}}
module {
}

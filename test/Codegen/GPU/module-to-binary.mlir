// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --multikernel-gpu-module-to-binary | FileCheck %s
// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --multikernel-gpu-module-to-binary --mlir-disable-threading | FileCheck %s
// RUN: not multikernel-opt %s --split-input-file \
// RUN:   --multikernel-gpu-module-to-binary="format=elf" 2>&1 | FileCheck %s --check-prefix=FORMAT
// REQUIRES: ptxas

// Every gpu.module becomes a gpu.binary of one object per target, in the
// modules' order, whether they are serialized in parallel or one after
// another; the host code is left as it is.

// CHECK-LABEL: module
// CHECK-NOT:     gpu.module
// CHECK:         gpu.binary @first [#gpu.object<#nvvm.target<chip = "sm_90">, properties = {{.*}}, "{{.+}}">]
// CHECK-NEXT:    gpu.binary @second [#gpu.object<#nvvm.target<chip = "sm_90">, properties = {{.*}}, "{{.+}}">, #gpu.object<#nvvm.target<chip = "sm_80">, properties = {{.*}}, "{{.+}}">]
// CHECK-NEXT:    gpu.binary @third [#gpu.object<#nvvm.target<chip = "sm_90">, properties = {{.*}}, "{{.+}}">]
// CHECK-NEXT:    llvm.func @host
// CHECK-NOT:     gpu.module
// FORMAT: error: multikernel-gpu-module-to-binary: invalid format 'elf': expected offloading, assembly, binary or fatbinary
module attributes {gpu.container_module} {
  gpu.module @first [#nvvm.target<chip = "sm_90">] {
    llvm.func @kernel(%arg0: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel} {
      %c = llvm.mlir.constant(1.0 : f32) : f32
      llvm.store %c, %arg0 : f32, !llvm.ptr
      llvm.return
    }
  }
  gpu.module @second [#nvvm.target<chip = "sm_90">, #nvvm.target<chip = "sm_80">] {
    llvm.func @kernel(%arg0: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel} {
      llvm.return
    }
  }
  gpu.module @third [#nvvm.target<chip = "sm_90">] {
    llvm.func @kernel(%arg0: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel} {
      llvm.return
    }
  }
  llvm.func @host() {
    llvm.return
  }
}

// -----

// A module without targets is an error naming it.
module attributes {gpu.container_module} {
  // expected-error @below {{the module has no target attributes}}
  gpu.module @untargeted {
  }
}

// RUN: multikernel-opt %s --multikernel-record-signatures | FileCheck %s
// RUN: multikernel-opt %s --multikernel-record-signatures="target=cuda" | FileCheck %s --check-prefix=CUDA
// RUN: not multikernel-opt %s --multikernel-record-signatures="target=tpu" 2>&1 | FileCheck %s --check-prefix=BAD

// The public functions with a body, with the types they are called with
// (tensors before bufferization); private functions and declarations are
// not entry points.
// CHECK: llvm.mlir.global external constant @__mkrt_signatures("{\22functions\22:[{\22inputs\22:[\22tensor<?x?xf32>\22,\22f32\22],\22name\22:\22scale\22,\22results\22:[\22tensor<?x?xf32>\22]},{\22inputs\22:[\22memref<?xf32>\22],\22name\22:\22in_place\22,\22results\22:[]}],\22target\22:\22cpu\22,\22version\22:1}\00")
// CUDA: \22target\22:\22cuda\22
// BAD: error: multikernel-record-signatures: target must be cpu or cuda, got 'tpu'

func.func @scale(%x: tensor<?x?xf32>, %s: f32) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}

func.func @in_place(%x: memref<?xf32>) {
  return
}

func.func private @helper(%x: memref<?xf32>) {
  return
}

func.func private @external(memref<?xf32>)

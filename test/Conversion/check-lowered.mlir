// A pipeline never succeeds with half-lowered output: its last pass names
// the first op that the translation to LLVM IR would not take.
// RUN: not multikernel-opt %s --split-input-file --multikernel-check-lowered 2>&1 | FileCheck %s --check-prefix=LEFT
// RUN: not multikernel-opt %S/Inputs/thread-id.mlir --multikernel-cpu-pipeline="hints=8" 2>&1 | FileCheck %s --check-prefix=CPU
//
// A user's own vector ops are lowered by the CPU pipeline (they used to stay
// in its output, which then failed in the runner: "Dialect `vector' not
// found").
// RUN: multikernel-opt %S/Inputs/vector-ops.mlir --multikernel-cpu-pipeline="hints=8" | FileCheck %s --check-prefix=VECTOR

// LEFT: error: 'func.func' was not lowered to the LLVM dialect: the pipeline cannot compile it
func.func @f() {
  return
}

// -----

// What the translation takes passes.
// LEFT-NOT: error
llvm.func @g() {
  llvm.return
}

// CPU: error: 'gpu.thread_id' was not lowered to the LLVM dialect

// VECTOR-LABEL: llvm.func @head_sum
// VECTOR-NOT:     vector.
// VECTOR:         llvm.intr.vector.reduce.fadd
// VECTOR-NOT:     vector.transfer

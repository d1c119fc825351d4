// Options a pipeline cannot work with, and a pipeline nested where it does
// not run, are errors with a message, never a crash.
//
// RUN: not multikernel-opt %s --multikernel-gpu-pipeline="hints=8x8 chip=" 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: error: multikernel-gpu-pipeline: chip must name a GPU architecture (e.g. sm_90)
//
// RUN: not multikernel-opt %s --multikernel-gpu-pipeline="hints=8x8 sm-count=0" 2>&1 | FileCheck %s --check-prefix=SMS
// SMS: error: multikernel-gpu-pipeline: sm-count must be at least 1, got 0
//
// RUN: not multikernel-opt %s --pass-pipeline="builtin.module(func.func(multikernel-cpu-pipeline{hints=8x8}))" 2>&1 | FileCheck %s --check-prefix=NESTED
// NESTED: error: multikernel-cpu-pipeline runs on builtin.module, not nested in 'func.func'
//
// RUN: not multikernel-opt %s --pass-pipeline="builtin.module(func.func(multikernel-gpu-pipeline{hints=8x8}))" 2>&1 | FileCheck %s --check-prefix=NESTEDGPU
// NESTEDGPU: error: multikernel-gpu-pipeline runs on builtin.module, not nested in 'func.func'
//
// RUN: not multikernel-opt %s --multikernel-cpu-pipeline="parallel=threads" 2>&1 | FileCheck %s --check-prefix=VALUE
// VALUE: Cannot find option named 'threads'!

func.func @f(%x: memref<?xf32>) {
  return
}

// A CPU function with a GPU op the CPU pipeline cannot lower.
func.func @f(%x: memref<?xindex>) {
  %c0 = arith.constant 0 : index
  %t = gpu.thread_id x
  memref.store %t, %x[%c0] : memref<?xindex>
  return
}

// C += A * B on memrefs (device buffers): the input of the GPU matmul
// benchmark (bench/gpu/build-all.sh) and of test/Integration/GPU.
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

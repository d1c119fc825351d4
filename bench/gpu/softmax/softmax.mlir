// Softmax over rows on memrefs (device buffers): the input of the GPU
// softmax benchmark (bench/gpu/build-all.sh).
func.func @softmax(%x: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.softmax dimension(1) ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// Row sums on memrefs (device buffers): the input of the GPU row-reduction
// benchmark (bench/gpu/build-all.sh).
func.func @rowsum(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// Column sums accumulated into the output (no fill): out[j] += sum_i x[i, j].
// The initial values are read from memory, a vector of columns at a time.
func.func @column_accumulate(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

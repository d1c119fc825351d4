// Vector ops as a user's own vectorization leaves them.
func.func @head_sum(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %x[%c0], %pad : memref<?xf32>, vector<4xf32>
  %w = arith.addf %v, %v : vector<4xf32>
  vector.transfer_write %w, %out[%c0] : vector<4xf32>, memref<?xf32>
  %s = vector.reduction <add>, %w : vector<4xf32> into f32
  memref.store %s, %out[%c4] : memref<?xf32>
  return
}

// The mean of each column of x + y: out[j] = sum_i (x[i, j] + y[i, j]) / m,
// one kernel (the add evaluated where the sum reads it, the division once
// per column).
func.func @column_mean_add(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %mi = arith.index_cast %m : index to i64
  %mf = arith.sitofp %mi : i64 to f32
  %sum = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.add ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%sum : memref<?x?xf32>)
  %acc = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%sum : memref<?x?xf32>) outs(%acc : memref<?xf32>) {
  ^bb0(%a: f32, %s: f32):
    %r = arith.addf %a, %s : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%acc : memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%s: f32, %o: f32):
    %r = arith.divf %s, %mf : f32
    linalg.yield %r : f32
  }
  return
}

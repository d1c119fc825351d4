// rowsum(x + y): a fill of the output and a reduction whose body is more
// than one op.
func.func @rowsum_add(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.addf %s, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// GELU(x + bias) with a row-broadcast bias (linalg.broadcast into an
// intermediate, as frontends write it), erf form.
func.func @bias_gelu(%x: memref<?x?xf32>, %b: memref<?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %bb = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.broadcast ins(%b : memref<?xf32>) outs(%bb : memref<?x?xf32>) dimensions = [0]
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %bb : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %rsqrt2 = arith.constant 0.707106769 : f32
    %one = arith.constant 1.0 : f32
    %s = arith.addf %a, %c : f32
    %z = arith.mulf %s, %rsqrt2 : f32
    %e = math.erf %z : f32
    %t = arith.addf %e, %one : f32
    %u = arith.mulf %s, %t : f32
    %r = arith.mulf %u, %half : f32
    linalg.yield %r : f32
  }
  return
}

// The seed's elementwise kernel, out = x * 2 + sin(y) on 2-D f32, as one
// multikernel.dispatch with a variant per size hint. Both variants are the
// plain kernel here; --multikernel-specialize produces them tiled per hint.
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  multikernel.dispatch @seed_0 key(%m, %n) hints [[1024, 512], [4096, 2048]]
      args(%x, %y, %out : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>) {
  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %o: memref<?x?xf32>):
    linalg.generic {indexing_maps = [#map, #map, #map],
                    iterator_types = ["parallel", "parallel"]}
        ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%o : memref<?x?xf32>) {
    ^bb0(%xv: f32, %yv: f32, %ov: f32):
      %two = arith.constant 2.0 : f32
      %s = math.sin %yv : f32
      %t = arith.mulf %xv, %two : f32
      %r = arith.addf %t, %s : f32
      linalg.yield %r : f32
    }
    multikernel.yield
  }, {
  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %o: memref<?x?xf32>):
    linalg.generic {indexing_maps = [#map, #map, #map],
                    iterator_types = ["parallel", "parallel"]}
        ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%o : memref<?x?xf32>) {
    ^bb0(%xv: f32, %yv: f32, %ov: f32):
      %two = arith.constant 2.0 : f32
      %s = math.sin %yv : f32
      %t = arith.mulf %xv, %two : f32
      %r = arith.addf %t, %s : f32
      linalg.yield %r : f32
    }
    multikernel.yield
  }
  return
}

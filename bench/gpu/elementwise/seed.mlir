// The seed kernel on memrefs (device buffers, output passed in): the input
// of the GPU elementwise benchmark (bench/gpu/build-all.sh).
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %r = arith.addf %t, %s : f32
    linalg.yield %r : f32
  }
  return
}

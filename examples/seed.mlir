// The seed's kernel before specialization: out = x * 2 + sin(y) on 2-D f32
// with dynamic sizes. Try:
//   multikernel-opt examples/seed.mlir \
//     --multikernel-specialize="hints=1024x512,4096x2048 target=gpu"
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#map, #map, #map],
                  iterator_types = ["parallel", "parallel"]}
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

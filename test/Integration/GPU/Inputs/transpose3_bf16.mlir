// out[b, i, j] = x[b, j, i] * 2 + y[b, i, j] in bf16: a batched transpose
// (the loop the transposed input is contiguous along is not the outermost,
// and a third loop runs over the grid), for fusion.test.
func.func @transpose3_bf16(%x: memref<?x?x?xbf16>, %y: memref<?x?x?xbf16>, %out: memref<?x?x?xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %y : memref<?x?x?xbf16>, memref<?x?x?xbf16>) outs(%out : memref<?x?x?xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %two = arith.constant 2.0 : bf16
    %t = arith.mulf %a, %two : bf16
    %r = arith.addf %t, %b : bf16
    linalg.yield %r : bf16
  }
  return
}

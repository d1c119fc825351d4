// Row sums of bf16 accumulated in bf16, as the IR says.
func.func @rowsum_bf16(%x: memref<?x?xbf16>, %out: memref<?xbf16>) {
  %zero = arith.constant 0.0 : bf16
  linalg.fill ins(%zero : bf16) outs(%out : memref<?xbf16>)
  linalg.reduce ins(%x : memref<?x?xbf16>) outs(%out : memref<?xbf16>) dimensions = [1]
    (%in: bf16, %acc: bf16) {
      %s = arith.addf %in, %acc : bf16
      linalg.yield %s : bf16
    }
  return
}

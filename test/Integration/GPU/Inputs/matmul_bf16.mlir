// C += A B with bf16 A and B and an f32 C (mixed precision: the inputs are
// extended, the sum accumulates in f32), for contractions.test.
func.func @matmul_bf16(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xf32>)
  return
}

// C += A * B in bf16 (the sum accumulates in f32, rounded once where C is
// written): the bf16 input of bench/gpu/matmul/library.py.
func.func @matmul_bf16(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.matmul ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>)
  return
}

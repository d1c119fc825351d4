// softmax(x + y) over rows, as a bufferized frontend hands it over: the add
// into an intermediate buffer, then linalg.softmax (one dispatch site on the
// GPU: bench/gpu/fusion).
func.func @softmax_add(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %t = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.add ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%t : memref<?x?xf32>)
  linalg.softmax dimension(1) ins(%t : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

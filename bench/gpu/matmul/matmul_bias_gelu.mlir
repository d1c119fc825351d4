// GELU(A B + bias) with a row-broadcast bias, tanh form (what JAX's
// jax.nn.gelu and torch's gelu(approximate="tanh") compute), in f32 and
// with bf16 operands (the matmul accumulates in f32, rounded to bf16 once;
// the epilogue computes in f32, as frontends upcast): the matmul into a
// buffer of its own, then the epilogue. The input of
// bench/gpu/matmul/library.py's matmul + bias + GELU rows.
func.func @matmul_bias_gelu(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %bias: memref<?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x?xf32>
  %n = memref.dim %b, %c1 : memref<?x?xf32>
  %ab = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.fill ins(%zero : f32) outs(%ab : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%ab : memref<?x?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%ab, %bias : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%x: f32, %c: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k0 = arith.constant 0.797884583 : f32
    %k1 = arith.constant 4.471500e-02 : f32
    %s = arith.addf %x, %c : f32
    %s2 = arith.mulf %s, %s : f32
    %s3 = arith.mulf %s2, %s : f32
    %t0 = arith.mulf %s3, %k1 : f32
    %t1 = arith.addf %s, %t0 : f32
    %t2 = arith.mulf %t1, %k0 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %t3, %one : f32
    %t5 = arith.mulf %s, %t4 : f32
    %r = arith.mulf %t5, %half : f32
    linalg.yield %r : f32
  }
  memref.dealloc %ab : memref<?x?xf32>
  return
}

func.func @matmul_bias_gelu_bf16(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %bias: memref<?xbf16>, %out: memref<?x?xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : bf16
  %m = memref.dim %a, %c0 : memref<?x?xbf16>
  %n = memref.dim %b, %c1 : memref<?x?xbf16>
  %ab = memref.alloc(%m, %n) : memref<?x?xbf16>
  linalg.fill ins(%zero : bf16) outs(%ab : memref<?x?xbf16>)
  linalg.matmul ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%ab : memref<?x?xbf16>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%ab, %bias : memref<?x?xbf16>, memref<?xbf16>) outs(%out : memref<?x?xbf16>) {
  ^bb0(%x: bf16, %c: bf16, %o: bf16):
    %xf = arith.extf %x : bf16 to f32
    %cf = arith.extf %c : bf16 to f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k0 = arith.constant 0.797884583 : f32
    %k1 = arith.constant 4.471500e-02 : f32
    %s = arith.addf %xf, %cf : f32
    %s2 = arith.mulf %s, %s : f32
    %s3 = arith.mulf %s2, %s : f32
    %t0 = arith.mulf %s3, %k1 : f32
    %t1 = arith.addf %s, %t0 : f32
    %t2 = arith.mulf %t1, %k0 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %t3, %one : f32
    %t5 = arith.mulf %s, %t4 : f32
    %r = arith.mulf %t5, %half : f32
    %rb = arith.truncf %r : f32 to bf16
    linalg.yield %rb : bf16
  }
  memref.dealloc %ab : memref<?x?xbf16>
  return
}

// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{hints=4096x2048},multikernel-outline-variants,multikernel-gpu-codegen,canonicalize,cse)" \
// RUN:   | FileCheck %s

// Every access the identity of the loops (the seed, x*2+sin(y)): one flat
// index; 16-byte vector loads of the inputs only (the output is not read),
// a scalar tail, and a scalar kernel for buffers that are not 16-byte
// aligned.

// CHECK-LABEL: func.func private @seed_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[FX:.*]] = memref.collapse_shape %[[X]] {{\[\[}}0, 1]]
// CHECK-DAG:     %[[FY:.*]] = memref.collapse_shape %[[Y]] {{\[\[}}0, 1]]
// CHECK-DAG:     %[[FO:.*]] = memref.collapse_shape %[[O]] {{\[\[}}0, 1]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[FX]]
// CHECK:         scf.if %{{.*}} {
// CHECK:           %[[GRID:.*]] = arith.ceildivui %[[N:.*]], %c8192
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %[[GRID]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256
// CHECK:             scf.for
// CHECK:               scf.if
// CHECK-NEXT:            vector.load %[[FX]][{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK-NEXT:            vector.load %[[FY]][{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK-NEXT:            math.sin {{.*}} : vector<4xf32>
// CHECK-NEXT:            arith.mulf
// CHECK-NEXT:            arith.addf
// CHECK-NEXT:            vector.store {{.*}}, %[[FO]][{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK:               } else {
// CHECK:                 scf.for
// CHECK:                   math.sin {{.*}} : f32
// CHECK:         } else {
// CHECK:           gpu.launch
// CHECK-NOT:         vector.load
// CHECK:             math.sin {{.*}} : f32
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
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

// -----

// A row-broadcast bias (bias + GELU as a frontend writes it: a
// linalg.broadcast into an intermediate, then the elementwise op): the
// accesses keep the loops in order, so the kernel is flat like the seed's,
// each vector's row and column recovered from its flat index (the host
// checks that the row length is a multiple of 4, so a vector stays in its
// row); the bias is read as a vector along the row, the broadcast never
// reaches memory. Hint 4096x2048: 8 vectors of 4 per thread.
// CHECK-LABEL: func.func private @bias_gelu_0_v0
// CHECK-SAME:    (%[[B:.*]]: memref<?xf32>, %[[X:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         %[[ROWS:.*]] = memref.dim %[[X]], %c0
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %c1
// CHECK:         %[[TOTAL:.*]] = arith.muli %[[ROWS]], %[[N]]
// CHECK:         arith.remui %[[N]], %c4
// CHECK:         scf.if
// CHECK:           %[[GRID:.*]] = arith.ceildivui %[[TOTAL]], %c8192
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %[[GRID]], {{.*}} = %c1, {{.*}}) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1
// CHECK:             scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK:               %[[COL:.*]] = arith.remui %[[FLAT:.*]], %[[N]]
// CHECK-NEXT:          %[[ROW:.*]] = arith.divui %[[FLAT]], %[[N]]
// CHECK-NEXT:          vector.load %[[X]][%[[ROW]], %[[COL]]] {alignment = 16 : i64} : memref<?x?xf32>, vector<4xf32>
// CHECK-NEXT:          vector.load %[[B]][%[[COL]]] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK-NEXT:          arith.addf {{.*}} : vector<4xf32>
// CHECK-NEXT:          math.erf
// CHECK:               vector.store {{.*}}, %[[O]][%[[ROW]], %[[COL]]] {alignment = 16 : i64}
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
    %s = arith.addf %a, %c : f32
    %h = arith.constant 0.5 : f32
    %e = math.erf %s : f32
    %one = arith.constant 1.0 : f32
    %t = arith.addf %e, %one : f32
    %u = arith.mulf %s, %t : f32
    %r = arith.mulf %u, %h : f32
    linalg.yield %r : f32
  }
  memref.dealloc %bb : memref<?x?xf32>
  return
}

// -----

// A column-broadcast (one value per row) and a transposed input, staged
// through workgroup memory (transpose_loop = 0): a block covers 128 points
// of loop 0 by 32 of loop 1; it reads x with consecutive threads along loop
// 0 (x's contiguous dimension) into a tile with padded rows, 16 loads in
// flight, then computes along loop 1 (y's and the output's), reading the
// tile back. The host picks the call's tiles: one column or one row (every
// buffer contiguous along the other loop: no staging), whole tiles, or
// tiles of as many points reshaped for fewer than 128 along loop 0.

// CHECK-LABEL: func.func private @transpose_add_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[S:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>)
// CHECK-SAME:    block_tile = [128, 32], thread_tile = [16, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>
// CHECK:         %[[INNER_SIZE:.*]] = memref.dim %[[X]], %c0
// CHECK:         %[[ALONG_SIZE:.*]] = memref.dim %[[X]], %c1
// CHECK:         %[[ONE_COLUMN:.*]] = arith.cmpi eq, %[[INNER_SIZE]], %c1
// CHECK:         %[[WHOLE:.*]] = arith.cmpi uge, %[[ALONG_SIZE]], %c128
// CHECK:         %[[ONE_ROW:.*]] = arith.cmpi eq, %[[ALONG_SIZE]], %c1
// CHECK:         scf.if %[[ONE_COLUMN]] {
// CHECK:           gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}}) {
// CHECK-NOT:         gpu.barrier
// CHECK:         } else {
// CHECK:           scf.if %[[WHOLE]] {
// CHECK-NOT:         arith.select
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}}) workgroup(%[[TILE:.*]] : memref<4224xf32, #gpu.address_space<workgroup>>)
// CHECK-COUNT-16:  memref.load %[[X]][%{{.*}}, %{{.*}}] : memref<?x?xf32>
// CHECK-NEXT:      memref.store %{{.*}}, %[[TILE]][%{{.*}}]
// CHECK-COUNT-15:  memref.store %{{.*}}, %[[TILE]][%{{.*}}]
// CHECK-NEXT:      gpu.barrier
// CHECK:           %[[ROW:.*]] = arith.minui
// CHECK:           %[[COL:.*]] = arith.minui
// CHECK:           %[[STAGED:.*]] = memref.load %[[TILE]][%{{.*}}]
// CHECK-NEXT:      %[[SCALE:.*]] = memref.load %[[S]][%[[ROW]]] : memref<?xf32>
// CHECK-NEXT:      %[[YV:.*]] = memref.load %[[Y]][%[[ROW]], %[[COL]]] : memref<?x?xf32>
// CHECK-NEXT:      %[[T:.*]] = arith.mulf %[[STAGED]], %[[SCALE]]
// CHECK-NEXT:      arith.addf %[[T]], %[[YV]]
// CHECK-COUNT-15:  memref.load %[[TILE]]
// CHECK-NOT:       gpu.barrier
// CHECK:           scf.if
// CHECK-NEXT:        memref.store %{{.*}}, %[[O]][%[[ROW]], %[[COL]]]
// CHECK-COUNT-15:  scf.if
// CHECK:           } else {
// CHECK:             scf.if %[[ONE_ROW]] {
// CHECK:               gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}}) {
// CHECK-NOT:             gpu.barrier
// CHECK:             } else {
// CHECK:               arith.cmpi ule, %[[ALONG_SIZE]], %c64
// CHECK:               arith.select %{{.*}}, %c0, %{{.*}} : index
// CHECK:               gpu.launch {{.*}} workgroup(%{{.*}} : memref<4224xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT:     gpu.launch
// CHECK:         return
func.func @transpose_add(%x: memref<?x?xf32>, %s: memref<?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %s, %y : memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %t = arith.mulf %a, %b : f32
    %r = arith.addf %t, %c : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A frontend's transpose into an intermediate, then an add: one site, and
// the add's read of the intermediate resolves through the transpose to x,
// which is staged.

// CHECK-LABEL: func.func private @transpose_then_add_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>, %{{.*}}: index, %{{.*}}: index)
// CHECK-SAME:    transpose_loop = 0>
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch {{.*}} workgroup(%[[TILE:.*]] : memref<4224xf32, #gpu.address_space<workgroup>>)
// CHECK:           memref.load %[[X]]
// CHECK:           memref.store %{{.*}}, %[[TILE]]
// CHECK:           gpu.barrier
// CHECK:           memref.load %[[TILE]]
// CHECK-NEXT:      memref.load %[[Y]]
// CHECK-NEXT:      arith.addf
func.func @transpose_then_add(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %y, %c0 : memref<?x?xf32>
  %n = memref.dim %y, %c1 : memref<?x?xf32>
  %t = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.transpose ins(%x : memref<?x?xf32>) outs(%t : memref<?x?xf32>) permutation = [1, 0]
  linalg.add ins(%t, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  memref.dealloc %t : memref<?x?xf32>
  return
}

// -----

// Inputs transposed along different loops (x contiguous along loop 1, y
// along loop 0): no one tile serves both; the rows form gathers the four
// lanes of each vector by scalar loads.

// CHECK-LABEL: func.func private @two_transposes_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?x?xf32>, %[[O:.*]]: memref<?x?x?xf32>)
// CHECK-NOT:     transpose_loop
// CHECK-SAME:    vector_width = 4
// CHECK-NOT:     workgroup
// CHECK:         gpu.launch
// CHECK-COUNT-4:   memref.load %[[X]][
// CHECK:           vector.from_elements {{.*}} : vector<4xf32>
// CHECK-COUNT-4:   memref.load %[[Y]][
// CHECK:           vector.from_elements {{.*}} : vector<4xf32>
func.func @two_transposes(%x: memref<?x?xf32>, %y: memref<?x?x?xf32>, %out: memref<?x?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel"],
                  multikernel.hints = [array<i64: 16, 4096, 2048>]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?x?xf32>) outs(%out : memref<?x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A constant-index map (row 0 of a [1, N] operand, as frontends broadcast
// keepdims results) and a fill of the output: the fill's store is dead (the
// generic writes the whole buffer after it) and goes away.

// CHECK-LABEL: func.func private @first_row_0_v0
// CHECK-SAME:    (%[[O:.*]]: memref<?x?xf32>, %[[X:.*]]: memref<?x?xf32>, %[[R:.*]]: memref<1x?xf32>
// CHECK-NOT:     dense<0.000000e+00>
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK:             %[[COL:.*]] = arith.remui
// CHECK-NEXT:        %[[ROW:.*]] = arith.divui
// CHECK-NEXT:        %[[XV:.*]] = vector.load %[[X]][%[[ROW]], %[[COL]]]
// CHECK-NEXT:        %[[RV:.*]] = vector.load %[[R]][%c0, %[[COL]]]
// CHECK-NEXT:        %[[D:.*]] = arith.subf %[[XV]], %[[RV]]
// CHECK-NEXT:        vector.store %[[D]], %[[O]][%[[ROW]], %[[COL]]]
func.func @first_row(%x: memref<?x?xf32>, %row: memref<1x?xf32>, %out: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<?x?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %row : memref<?x?xf32>, memref<1x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Static sizes: one variant (an empty key), the same kernel with constant
// sizes. linalg.index gives the loop indices (an iota along the row).

// CHECK-LABEL: func.func private @iota_0_v0
// CHECK:         gpu.launch
// CHECK:           vector.step : vector<4xindex>
// CHECK:           arith.index_cast {{.*}} : vector<4xindex> to vector<4xi32>
// CHECK:           vector.store {{.*}} : memref<64x256xi32>, vector<4xi32>
// CHECK-LABEL: func.func @iota
// CHECK:         multikernel.dispatch @iota_0 key() hints {{\[\[}}]]
func.func @iota(%out: memref<64x256xi32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      outs(%out : memref<64x256xi32>) {
  ^bb0(%o: i32):
    %j = linalg.index 1 : index
    %v = arith.index_cast %j : index to i32
    linalg.yield %v : i32
  }
  return
}

// -----

// A buffer between two sites (a row sum, then elementwise ops on it over
// another iteration space) is device memory: allocated and freed in stream
// order around the launches, from the runtime's pool.

// CHECK-LABEL: func.func @two_sites
// CHECK:         %[[T0:.*]] = gpu.wait async
// CHECK:         %[[S:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%{{.*}}) : memref<?xf32>
// CHECK:         multikernel.dispatch @two_sites_0 {{.*}} args(%[[S]],
// CHECK:         multikernel.dispatch @two_sites_1 {{.*}} args(%arg0, %[[S]],
// CHECK:         %[[T2:.*]] = gpu.dealloc async [%[[T1]]] %[[S]] : memref<?xf32>
// CHECK:         gpu.wait [%[[T2]]]
// CHECK-NOT:     memref.alloc
func.func @two_sites(%x: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %s = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%s : memref<?xf32>)
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%s : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  // A transpose of the row sums' broadcast: its rows are not the sum's.
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1, d0)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  }
  memref.dealloc %s : memref<?xf32>
  return
}

// RUN: multikernel-opt %s -split-input-file -verify-diagnostics

func.func @no_regions(%n: index) {
  // expected-error @+1 {{'multikernel.dispatch' op requires at least one variant region}}
  "multikernel.dispatch"(%n) <{sym_name = "k", hints = [],
      operandSegmentSizes = array<i32: 1, 0>}> : (index) -> ()
  return
}

// -----

func.func @region_hint_count(%n: index) {
  // expected-error @+1 {{requires one hint per variant region, but has 2 regions and 1 hints}}
  multikernel.dispatch @k key(%n) hints [[8]] {
    multikernel.yield
  }, {
    multikernel.yield
  }
  return
}

// -----

func.func @hint_rank(%m: index, %n: index) {
  // expected-error @+1 {{hint #1 has 1 sizes, but the key has 2 operands}}
  multikernel.dispatch @k key(%m, %n) hints [[8, 8], [8]] {
    multikernel.yield
  }, {
    multikernel.yield
  }
  return
}

// -----

func.func @hint_non_positive(%m: index, %n: index) {
  // expected-error @+1 {{hint #0 has a non-positive size 0 at position 1}}
  multikernel.dispatch @k key(%m, %n) hints [[8, 0]] {
    multikernel.yield
  }
  return
}

// -----

func.func @hint_negative(%n: index) {
  // expected-error @+1 {{hint #0 has a non-positive size -4 at position 0}}
  multikernel.dispatch @k key(%n) hints [[-4]] {
    multikernel.yield
  }
  return
}

// -----

func.func @block_arg_count(%n: index, %x: memref<?xf32>) {
  // expected-error @+1 {{variant #0 has 0 block arguments, but the op has 1 args}}
  multikernel.dispatch @k key(%n) hints [[8]] args(%x : memref<?xf32>) {
    multikernel.yield
  }
  return
}

// -----

func.func @block_arg_type(%n: index, %x: memref<?xf32>) {
  // expected-error @+1 {{variant #1 block argument #0 has type 'memref<?xf16>', but arg #0 has type 'memref<?xf32>'}}
  multikernel.dispatch @k key(%n) hints [[8], [16]] args(%x : memref<?xf32>) {
  ^bb0(%a: memref<?xf32>):
    multikernel.yield
  }, {
  ^bb0(%a: memref<?xf16>):
    multikernel.yield
  }
  return
}

// -----

func.func @yield_count(%n: index, %x: tensor<?xf32>) -> tensor<?xf32> {
  %r = multikernel.dispatch @k key(%n) hints [[8]] args(%x : tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: tensor<?xf32>):
    // expected-error @+1 {{'multikernel.yield' op yields 0 values, but the dispatch has 1 results}}
    multikernel.yield
  }
  return %r : tensor<?xf32>
}

// -----

func.func @yield_type(%n: index, %x: tensor<?xf32>) -> tensor<?xf32> {
  %r = multikernel.dispatch @k key(%n) hints [[8]] args(%x : tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: tensor<?xf32>):
    %c = tensor.cast %a : tensor<?xf32> to tensor<4xf32>
    // expected-error @+1 {{'multikernel.yield' op value #0 has type 'tensor<4xf32>', but dispatch result #0 has type 'tensor<?xf32>'}}
    multikernel.yield %c : tensor<4xf32>
  }
  return %r : tensor<?xf32>
}

// -----

func.func @wrong_terminator(%n: index) {
  // expected-error @+1 {{variant #0 must end with 'multikernel.yield'}}
  multikernel.dispatch @k key(%n) hints [[8]] {
    llvm.unreachable
  }
  return
}

// -----

func.func @duplicate_site_a(%n: index) {
  // expected-note @+1 {{first site with this name}}
  multikernel.dispatch @same key(%n) hints [[8]] {
    multikernel.yield
  }
  return
}

func.func @duplicate_site_b(%n: index) {
  // expected-error @+1 {{site name @same is not unique in the enclosing symbol table}}
  multikernel.dispatch @same key(%n) hints [[8]] {
    multikernel.yield
  }
  return
}

// -----

func.func @empty_site_name(%n: index) {
  // expected-error @+1 {{requires a non-empty site name}}
  "multikernel.dispatch"(%n) <{sym_name = "", hints = [array<i64: 8>],
      operandSegmentSizes = array<i32: 1, 0>}> ({
    "multikernel.yield"() : () -> ()
  }) : (index) -> ()
  return
}

// -----

func.func @key_not_index(%n: i64) {
  // expected-error @+1 {{operand #0 must be variadic of index, but got 'i64'}}
  "multikernel.dispatch"(%n) <{sym_name = "k", hints = [array<i64: 8>],
      operandSegmentSizes = array<i32: 1, 0>}> ({
    "multikernel.yield"() : () -> ()
  }) : (i64) -> ()
  return
}

// -----

func.func @hints_not_arrays(%n: index) {
  // expected-error @+1 {{attribute 'hints' failed to satisfy constraint: array of size hints, one `array<i64>` per variant}}
  "multikernel.dispatch"(%n) <{sym_name = "k", hints = [8],
      operandSegmentSizes = array<i32: 1, 0>}> ({
    "multikernel.yield"() : () -> ()
  }) : (index) -> ()
  return
}

// -----

func.func @yield_outside_dispatch() {
  // expected-error @+1 {{'multikernel.yield' op expects parent op 'multikernel.dispatch'}}
  multikernel.yield
}

// -----

func.func @hints_attr_not_array(%x: memref<?xf32>, %y: memref<?xf32>) {
  // expected-error @+1 {{'multikernel.hints' must be a non-empty array of array<i64>}}
  linalg.copy {multikernel.hints = 4} ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

func.func @hints_attr_entry(%x: memref<?xf32>, %y: memref<?xf32>) {
  // expected-error @+1 {{'multikernel.hints' entry #1 must be a non-empty array<i64>}}
  linalg.copy {multikernel.hints = [array<i64: 4>, 5]} ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

func.func @hints_attr_non_positive(%x: memref<?xf32>, %y: memref<?xf32>) {
  // expected-error @+1 {{'multikernel.hints' entry #0 must have positive sizes}}
  linalg.copy {multikernel.hints = [array<i64: 0>]} ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

func.func @dim_hints_on_an_op(%x: memref<?xf32>, %y: memref<?xf32>) {
  // expected-error @+1 {{'multikernel.dim_hints' belongs on a function}}
  linalg.copy {multikernel.dim_hints = [array<i64: 4>]} ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

// expected-error @+1 {{'multikernel.dim_hints' entry #0 must have positive sizes}}
func.func @dim_hints_non_positive(%x: memref<?xf32>) attributes {multikernel.dim_hints = [array<i64: -2>]} {
  return
}

// -----

func.func @unknown_dialect_attr(%x: memref<?xf32>, %y: memref<?xf32>) {
  // expected-error @+1 {{unknown multikernel attribute 'multikernel.hint'}}
  linalg.copy {multikernel.hint = [array<i64: 4>]} ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

func.func @tilings_count(%n: index) {
  // expected-error @+1 {{requires one tiling per variant region, but has 2 regions and 1 tilings}}
  multikernel.dispatch @k key(%n) hints [[8], [16]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [256], thread_tile = [1], threads = 256, vector_width = 1, reduction = none, split = 1>]} {
    multikernel.yield
  }, {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_bad_kind(%n: index) {
  // expected-error @+3 {{expected ::mlir::multikernel::KernelKind to be one of: elementwise, reduction, matmul}}
  // expected-error @+2 {{failed to parse MultiKernel_TilingAttr parameter 'kind'}}
  multikernel.dispatch @k key(%n) hints [[8]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = conv, block_tile = [256], thread_tile = [1], threads = 256, vector_width = 1, reduction = none, split = 1>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_bad_threads(%n: index) {
  // expected-error @+2 {{threads must be in [1, 1024] on the GPU, got 2048}}
  multikernel.dispatch @k key(%n) hints [[8]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [256], thread_tile = [1], threads = 2048, vector_width = 1, reduction = none, split = 1>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_bad_vector(%n: index) {
  // expected-error @+2 {{vector_width must be a positive power of two}}
  multikernel.dispatch @k key(%n) hints [[8]] attributes {tilings = [
      #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [256], thread_tile = [1], threads = 0, vector_width = 3, reduction = none, split = 1>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_split_without_policy(%n: index) {
  // expected-error @+2 {{reduction "split" needs split_chunk >= 1 and min_split >= 2, got 0 and 0}}
  multikernel.dispatch @k key(%n, %n) hints [[8, 100000]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = reduction, block_tile = [1, 0], thread_tile = [1, 4], threads = 1024, vector_width = 4, reduction = split, split = 264>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_split_policy_elsewhere(%n: index) {
  // expected-error @+2 {{split_chunk and min_split apply only to reduction "split"}}
  multikernel.dispatch @k key(%n, %n) hints [[8, 100000]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = reduction, block_tile = [1, 0], thread_tile = [1, 4], threads = 1024, vector_width = 4, reduction = looped, split = 1, split_chunk = 8192, min_split = 4>]} {
    multikernel.yield
  }
  return
}

// -----

// The loop transposed inputs are staged along: not the innermost one (the
// output's contiguous loop), and only for GPU elementwise variants.
func.func @tiling_transpose_innermost(%n: index) {
  // expected-error @+2 {{transpose_loop applies only to GPU elementwise variants, and names a loop other than the innermost one, got 1}}
  multikernel.dispatch @k key(%n, %n) hints [[8, 8]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [32, 32], thread_tile = [4, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 1>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_transpose_cpu(%n: index) {
  // expected-error @+2 {{transpose_loop applies only to GPU elementwise variants, and names a loop other than the innermost one, got 0}}
  multikernel.dispatch @k key(%n, %n) hints [[8, 8]] attributes {tilings = [
      #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [32, 32], thread_tile = [4, 1], threads = 0, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_thread_rows_elsewhere(%n: index) {
  // expected-error @+2 {{thread_row_limit applies only to GPU reductions over the innermost loop}}
  multikernel.dispatch @k key(%n) hints [[8]] attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [256], thread_tile = [1], threads = 256, vector_width = 1, reduction = none, split = 1, thread_row_limit = 16>]} {
    multikernel.yield
  }
  return
}

// -----

func.func @tiling_attr_wrong_kind(%x: memref<?xf32>) {
  // expected-error @+1 {{'multikernel.tiling' must be a #multikernel.tiling attribute}}
  func.call @tiling_attr_wrong_kind(%x) {multikernel.tiling = 3} : (memref<?xf32>) -> ()
  return
}

// -----

func.func @written_out_of_range(%n: index, %x: memref<?xf32>) {
  // expected-error @+1 {{written argument index 1 is out of range for 1 args}}
  multikernel.dispatch @k key(%n) hints [[8]] args(%x : memref<?xf32>) attributes {written = array<i64: 1>} {
  ^bb0(%a: memref<?xf32>):
    multikernel.yield
  }
  return
}

// -----

// Every later duplicate is reported, each against the first site.
func.func @three_sites(%n: index) {
  // expected-note @+1 {{first site with this name}}
  multikernel.dispatch @twice key(%n) hints [[8]] {
    multikernel.yield
  }
  // expected-error @+1 {{site name @twice is not unique in the enclosing symbol table}}
  multikernel.dispatch @twice key(%n) hints [[8]] {
    multikernel.yield
  }
  // expected-error @+1 {{site name @twice is not unique in the enclosing symbol table}}
  multikernel.dispatch @twice key(%n) hints [[8]] {
    multikernel.yield
  }
  return
}

// -----

// The runtime's key holds at most 8 sizes.
func.func @key_too_long(%n: index) {
  // expected-error @+1 {{has a key of 9 sizes; the runtime takes at most 8}}
  multikernel.dispatch @k key(%n, %n, %n, %n, %n, %n, %n, %n, %n) hints [[1, 1, 1, 1, 1, 1, 1, 1, 1]] {
    multikernel.yield
  }
  return
}

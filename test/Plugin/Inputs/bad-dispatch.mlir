func.func @bad(%m: index, %n: index) {
  multikernel.dispatch @site key(%m, %n) hints [[1024]] {
    multikernel.yield
  }
  return
}

"""Prints a module of argv[1] functions, each with a dispatch site. Three
sites in four have no effect, so canonicalization erases them; the fourth
stores and stays."""

import sys

for i in range(int(sys.argv[1])):
    kept = i % 4 == 3
    name = f"kept{i}" if kept else f"erased{i}"
    effect = (
        "memref.store %d, %p[%z] : memref<?xindex>"
        if kept
        else "%e = arith.addi %d, %d : index"
    )
    print(f"""func.func @f{i}(%m: index, %n: index, %x: memref<?xindex>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = arith.addi %c0, %c1 : index
  multikernel.dispatch @{name} key(%m, %n) hints [[1024, 512], [4096, 2048]]
      args(%x : memref<?xindex>) {{
  ^bb0(%p: memref<?xindex>):
    %z = arith.constant 0 : index
    %d = memref.dim %p, %z : memref<?xindex>
    {effect}
    multikernel.yield
  }}, {{
  ^bb0(%p: memref<?xindex>):
    multikernel.yield
  }}
  return
}}""")

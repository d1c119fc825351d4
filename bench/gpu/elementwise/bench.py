"""GPU benchmark of the seed kernel, out = x * 2 + sin(y) (f32), on the H100.
Usage on the device: python3 bench.py <dir with the libraries> [table.md]"""

import sys

import torch

import harness


class Seed(harness.Kernel):
    library = "libseed_gpu.so"
    entry = "seed"
    variants = 2
    bytes_per_element = 12  # two reads, one write
    shapes = [(512, 256), (1500, 750), (1024, 512), (4096, 2048), (8192, 4096),
              (100000, 96), (96, 100000), (1, 4096), (4097, 3), (333, 777),
              (16384, 8192), (2048, 64), (3, 1000003)]

    def inputs(self, shape):
        return (torch.randn(shape, device="cuda"), torch.randn(shape, device="cuda"),
                torch.full(shape, float("nan"), device="cuda"))

    def reference(self, args):
        x, y, _ = args
        return x.double() * 2 + torch.sin(y.double())

    def torch_fn(self, args):
        return args[0] * 2.0 + torch.sin(args[1])


if __name__ == "__main__":
    sys.exit(harness.run(Seed(), sys.argv))

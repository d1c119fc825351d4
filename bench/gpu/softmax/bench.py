"""GPU benchmark of softmax over rows (f32) on the H100.
Usage on the device: python3 bench.py <dir with the libraries> [table.md]"""

import sys

import torch

import harness


class Softmax(harness.Kernel):
    library = "libsoftmax_gpu.so"
    entry = "softmax"
    variants = 3
    bytes_per_element = 8  # one read, one write
    shapes = [(100000, 96), (96, 100000), (4096, 4096), (4096, 512), (512, 256),
              (1500, 750), (8192, 1024), (1024, 8192), (32768, 128), (128, 32768),
              (16384, 4096), (8192, 2048), (1, 100000)]

    def inputs(self, shape):
        return (torch.randn(shape, device="cuda"),
                torch.full(shape, float("nan"), device="cuda"))

    def reference(self, args):
        return torch.softmax(args[0].double(), dim=1)

    def torch_fn(self, args):
        return torch.softmax(args[0], dim=1)


if __name__ == "__main__":
    sys.exit(harness.run(Softmax(), sys.argv))

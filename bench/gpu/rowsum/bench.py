"""GPU benchmark of a row sum, out[r] = sum_c x[r, c] (f32), on the H100.
Usage on the device: python3 bench.py <dir with the libraries> [table.md]"""

import sys

import torch

import harness


class RowSum(harness.Kernel):
    library = "librowsum_gpu.so"
    entry = "rowsum"
    variants = 3
    bytes_per_element = 4  # one read
    shapes = [(100000, 96), (96, 100000), (4096, 4096), (4096, 512), (512, 256),
              (1500, 750), (8192, 1024), (1024, 8192), (32768, 128), (128, 32768),
              (16384, 4096), (1, 1000000), (1000000, 3)]

    def inputs(self, shape):
        return (torch.randn(shape, device="cuda"),
                torch.full((shape[0],), float("nan"), device="cuda"))

    def before_call(self, args):
        # linalg.reduce accumulates into its output: start from zeros (a
        # memset in every timed call, end to end and in the graph).
        args[-1].zero_()

    def reference(self, args):
        return args[0].double().sum(dim=1)

    def torch_fn(self, args):
        return torch.sum(args[0], dim=1)


if __name__ == "__main__":
    sys.exit(harness.run(RowSum(), sys.argv))

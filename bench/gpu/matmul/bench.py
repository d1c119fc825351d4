"""GPU benchmark of C += A * B (f32, no tensor cores) on the H100.
Usage on the device: python3 bench.py <dir with the libraries> [table.md]"""

import sys

import torch

import harness


class Matmul(harness.Kernel):
    library = "libmatmul_gpu.so"
    entry = "matmul"
    variants = 3
    unit = "TFLOP/s"
    # (M, N, K)
    shapes = [(512, 256, 512), (1500, 750, 1000), (4096, 2048, 1024), (8192, 4096, 1024),
              (100000, 96, 96), (96, 100000, 96), (256, 256, 256), (1024, 1024, 1024),
              (2048, 2048, 2048), (4096, 4096, 4096), (128, 4096, 4096), (4096, 128, 4096),
              (1, 4096, 4096)]

    def throughput(self, shape, us):
        m, n, k = shape
        return 2 * m * n * k / us / 1e6

    def inputs(self, shape):
        m, n, k = shape
        return (torch.randn((m, k), device="cuda"), torch.randn((k, n), device="cuda"),
                torch.full((m, n), float("nan"), device="cuda"))

    def before_call(self, args):
        # linalg.matmul accumulates into C: start from zeros (a memset in
        # every timed call, end to end and in the graph).
        args[-1].zero_()

    def reference(self, args):
        return args[0].double() @ args[1].double()

    def torch_fn(self, args):
        return torch.matmul(args[0], args[1])


if __name__ == "__main__":
    # FP32 as the kernels compute it: no TF32 tensor cores for torch either.
    torch.backends.cuda.matmul.allow_tf32 = False
    sys.exit(harness.run(Matmul(), sys.argv))

"""One process, one library, tensors on cuda:0 and cuda:1 in turn: every
call runs on its tensors' device (the runtime loads the kernels into each
device's context and launches that device's own), results checked against
torch in float64; tensors on two devices in one call are refused.

Usage: check_devices.py <kernels dir>"""

import os
import sys
from pathlib import Path

import torch

repo = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(repo / "python"))
sys.path.insert(0, str(repo / "test" / "Integration" / "Inputs" / "frontend"))
import models  # noqa: E402

kernels = Path(sys.argv[1]).resolve()
models.use_kit_runtime(kernels)
import multikernel  # noqa: E402

seed = multikernel.load(kernels / "libseed_gpu.so")
softmax = multikernel.load(kernels / "libsoftmax_gpu.so")
failures = 0
torch.manual_seed(0)
for step in range(6):
    device = f"cuda:{step % 2}"
    for shape in [(7, 13), (4096, 2048)]:
        x = torch.randn(shape, device=device)
        y = torch.randn(shape, device=device)
        out = torch.full(shape, float("nan"), device=device)
        seed.seed(x, y, out)
        expected = x.double() * 2 + torch.sin(y.double())
        ok = torch.allclose(out.double(), expected, atol=1e-5)
        soft = torch.full(shape, float("nan"), device=device)
        softmax.softmax(x, soft)
        ok = ok and torch.allclose(soft.double(), torch.softmax(x.double(), 1), atol=1e-6)
        failures += not ok
        print(f"{device} {'x'.join(map(str, shape))}: {'ok' if ok else 'WRONG'}")
try:
    seed.seed(torch.ones(2, 2, device="cuda:0"), torch.ones(2, 2, device="cuda:1"),
              torch.ones(2, 2, device="cuda:0"))
    print("WRONG: tensors on two devices were accepted")
    failures += 1
except ValueError as error:
    print(f"refused: {error}")
print(f"devices: {failures} failures")
sys.exit(1 if failures else 0)

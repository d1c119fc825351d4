"""A rank of a torchrun job (launched by torchrun --nproc-per-node=2): each
rank calls the softmax kernel on its own GPU with a new shape every step,
sharing decisions through torch.distributed's store (multikernel.runtime.
share_decisions(): rank 0 leads), and rank 0 prints, for the whole job, the
benchmarks per shape and whether both ranks picked the same variants.

Usage: torchrun --nproc-per-node=2 check_torchrun.py <kernels dir>"""

import sys
from pathlib import Path

import torch
import torch.distributed as dist

repo = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(repo / "python"))
sys.path.insert(0, str(repo / "test" / "Integration" / "Inputs" / "frontend"))
import models  # noqa: E402

kernels = Path(sys.argv[1]).resolve()
models.use_kit_runtime(kernels)
import multikernel  # noqa: E402

dist.init_process_group("gloo")
rank = dist.get_rank()
torch.cuda.set_device(rank)
multikernel.runtime.share_decisions()
softmax = multikernel.load(kernels / "libsoftmax_gpu.so")
shapes = [(97, 33), (1000, 1000), (4096, 512), (33, 100000), (8191, 77)]
ok = True
for shape in shapes:
    x = torch.randn(shape, device=f"cuda:{rank}")
    out = torch.empty_like(x)
    softmax.softmax(x, out)
    ok = ok and torch.allclose(out.double(), torch.softmax(x.double(), 1), atol=1e-6)
torch.cuda.synchronize()
stats = [s for s in multikernel.runtime.stats() if s["site"] == "softmax_0"][0]
mine = {"ok": ok, "benchmarks": stats["benchmarks"], "shared": stats["table_hits"],
        "picks": sorted((d["key"], d["variant"]) for d in stats["decisions"])}
everyone = [None] * dist.get_world_size()
dist.all_gather_object(everyone, mine)
if rank == 0:
    for r, theirs in enumerate(everyone):
        print(f"rank {r}: {'ok' if theirs['ok'] else 'WRONG'}, "
              f"benchmarks={theirs['benchmarks']} shared={theirs['shared']}")
    print(f"job: {sum(t['benchmarks'] for t in everyone)} benchmarks for {len(shapes)} shapes")
    same = all(t["picks"] == everyone[0]["picks"] for t in everyone)
    print("same picks on every rank" if same else "DIFFERENT picks")
dist.destroy_process_group()

"""Plots a run of bench/gpu/matmul/library.py from what it printed (its
markdown tables): per shape, the dispatched call's time over cuBLAS's
(torch), the best generated variant's TFLOP/s beside the dispatched call's,
and matmul + bias + GELU over Inductor per shape. Runs anywhere with
matplotlib.
Usage: plot.py <library.py's output> <out.png>"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def tables(path):
    """The markdown tables of `path`: a list of lists of row dicts."""
    found, header = [], None
    for line in open(path):
        line = line.strip()
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
            found.append([])
        elif not set(cells[0]) <= set("-"):
            found[-1].append(dict(zip(header, cells)))
    return found


def short(dtype):
    return {"float32": "f32", "bfloat16": "bf16"}.get(dtype, dtype)


def main():
    contractions, epilogues = tables(sys.argv[1])[:2]
    contractions = [r for r in contractions if "algorithms" not in r["dtype"]]
    fig, axes = plt.subplots(3, 1, figsize=(12, 10))

    labels = [f"{short(r['dtype'])} {r['shape']}" for r in contractions]
    x = range(len(contractions))
    ratio = [float(r["dispatched us"]) / float(r["torch (cuBLAS) us"]) for r in contractions]
    axes[0].bar(x, ratio, color=["tab:blue" if r["dtype"] == "float32" else "tab:orange"
                                 for r in contractions])
    axes[0].axhline(1.0, color="black", linewidth=0.8)
    axes[0].set_ylim(0, 1.3)
    axes[0].set_ylabel("dispatched / cuBLAS\n(time; blue fp32,\norange bf16)")
    axes[0].set_xticks(list(x))
    axes[0].set_xticklabels(labels, rotation=60, ha="right", fontsize=7)

    dispatched = [float(r["TFLOP/s"]) for r in contractions]
    generated = [float(r["best generated us (TFLOP/s)"].split("(")[1].rstrip(")"))
                 for r in contractions]
    axes[1].bar([i - 0.2 for i in x], dispatched, width=0.4, label="dispatched (cuBLASLt wins)")
    axes[1].bar([i + 0.2 for i in x], generated, width=0.4, label="best generated variant")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("TFLOP/s")
    axes[1].legend(fontsize=8)
    axes[1].set_xticks(list(x))
    axes[1].set_xticklabels(labels, rotation=60, ha="right", fontsize=7)

    labels = [f"{short(r['dtype'])} {r['MxNxK']}" for r in epilogues]
    x = range(len(epilogues))
    axes[2].bar(x, [float(r["ours / Inductor"]) for r in epilogues],
                color=["tab:blue" if r["dtype"] == "float32" else "tab:orange" for r in epilogues])
    axes[2].axhline(1.0, color="black", linewidth=0.8)
    axes[2].set_ylim(0, 1.3)
    axes[2].set_ylabel("matmul+bias+GELU\nours / Inductor")
    axes[2].set_xticks(list(x))
    axes[2].set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()

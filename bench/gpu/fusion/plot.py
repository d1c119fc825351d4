"""Plots a fusion benchmark run (the .json that bench.py writes beside its
table): per family, our kernel time over Inductor's per-shape kernel time
for each shape. Runs anywhere with matplotlib.
Usage: plot.py <fusion.json> <out.png>"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    results = json.load(open(sys.argv[1]))
    names = list(results)
    fig, axes = plt.subplots(len(names), 1, figsize=(11, 2.1 * len(names)), sharex=True)
    for ax, name in zip(axes, names):
        rows = results[name]
        labels = [f"{r['shape'][0]}x{r['shape'][1]}" for r in rows]
        ours = [r["ours"] / r["static"] for r in rows]
        dynamic = [r["dynamic"] / r["static"] for r in rows]
        x = range(len(rows))
        ax.bar([i - 0.2 for i in x], ours, width=0.4, label="multikernel (one library)")
        ax.bar([i + 0.2 for i in x], dynamic, width=0.4, label="Inductor dynamic=True")
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_ylim(0, 3)
        ax.set_ylabel(name, rotation=0, ha="right", fontsize=9)
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, rotation=30, fontsize=8)
    axes[0].legend(fontsize=8, loc="upper left")
    axes[0].set_title("kernel time / Inductor per shape (dynamic=False), H200; "
                      "lower is better, cut at 3")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()

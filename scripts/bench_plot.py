#!/usr/bin/env python3
"""Bar chart of the Wisp/Linux ratios in build/bench/foundation.csv.
Usage: bench_plot.py foundation.csv out.png. Needs matplotlib (Debian's
python3-matplotlib); scripts/bench.sh runs it only when that imports."""
import csv
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    src, dst = sys.argv[1], sys.argv[2]
    names, ratios, accel = [], [], ""
    with open(src, newline="") as f:
        for row in csv.DictReader(f):
            accel = row.get("accel", "")
            if row.get("ratio"):
                names.append(row["metric"])
                ratios.append(float(row["ratio"]))
    if not names:
        print("bench_plot: no ratios to plot (did Wisp boot?)", file=sys.stderr)
        return 0
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(names, ratios, color=["#3b7" if r <= 1 else "#c54" for r in ratios])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_ylabel("Wisp / Linux (lower is better)")
    ax.set_title("Wisp vs. Linux guest, QEMU %s" % accel)
    for i, r in enumerate(ratios):
        ax.text(i, r, "%.2f" % r, ha="center", va="bottom", fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(dst, dpi=120)
    print("bench: plot %s" % dst)
    return 0


if __name__ == "__main__":
    sys.exit(main())

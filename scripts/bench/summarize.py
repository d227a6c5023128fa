#!/usr/bin/env python3
"""Summarize the overcommit benchmark's runs.csv (scripts/guest/overcommit.sh).

    scripts/bench/summarize.py RUN_DIR [--title TEXT]

RUN_DIR holds runs.csv and metadata.txt; this writes next to them:

  summary.csv   workload,vms,config,median,min,max,n - over the repetitions
                of the rate of one run (the mean of its guests' rates;
                higher is better)
  counters.csv  per workload, VMs and configuration, the medians over the
                repetitions of the host-side counters of one run (summed over
                its guests), per second of workload
  summary.md    the tables: medians, change against baseline with a 95 %
                bootstrap interval of the ratio of medians, and the counters
  plot.dat, plot.gp, plot.png  ratio to baseline against the number of VMs,
                one panel per workload (gnuplot)
"""
import csv
import os
import random
import statistics
import subprocess
import sys
from collections import defaultdict

CONFIGS = ["baseline", "kvm", "user", "sched", "full"]
WORKLOADS = ["dedup", "vips", "ipi", "control"]
COUNTERS = ["spin_exits", "yield_ipi_receiver", "yield_pending_irq",
            "yield_preempted", "yield_woken", "yield_user", "yield_untiered",
            "yield_failed", "pv_yield_attempted"]
BOOT = 2000


def fmt(x):
    """Rates without exponents: 12064, 4.18, 0.0123."""
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def ordered(values, order):
    known = [v for v in order if v in values]
    return known + sorted(v for v in values if v not in order)


def bootstrap_ratio(a, b, rng):
    """95 % interval of median(a)/median(b), resampling both."""
    ratios = []
    for _ in range(BOOT):
        ma = statistics.median(rng.choices(a, k=len(a)))
        mb = statistics.median(rng.choices(b, k=len(b)))
        if mb > 0:
            ratios.append(ma / mb)
    ratios.sort()
    if not ratios:
        return float("nan"), float("nan")
    return ratios[int(0.025 * len(ratios))], ratios[int(0.975 * len(ratios)) - 1]


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    run_dir = sys.argv[1]
    title = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--title" else ""
    path = os.path.join(run_dir, "runs.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        sys.exit(f"error: no {path}: run the benchmark first (make bench-overcommit)")
    if not rows:
        sys.exit(f"error: {path} has no runs")

    # One value per run: the mean rate of its guests, counters summed.
    runs = defaultdict(lambda: {"rates": [], "secs": [], "unit": ""})
    for r in rows:
        key = (r["workload"], int(r["vms"]), r["config"], int(r["rep"]))
        run = runs[key]
        run["rates"].append(float(r["rate"]))
        run["secs"].append(float(r["secs"] or 0))
        run["unit"] = r["unit"]
        # Result sets of series v1 have its fallback pass where v2 has
        # woken vCPUs: the same column of the tables.
        if "yield_woken" not in r:
            r["yield_woken"] = r.get("yield_relaxed", "0")
        r.setdefault("yield_user", "0")
        for c in COUNTERS:
            run[c] = run.get(c, 0) + int(r[c])
    cells = defaultdict(list)
    counters = defaultdict(lambda: defaultdict(list))
    units = {}
    # Completed units of work per guest and run (rate x seconds): what
    # bounds a run's resolution.
    done = defaultdict(list)
    for (w, k, c, _), run in runs.items():
        cells[(w, k, c)].append(statistics.mean(run["rates"]))
        secs = statistics.mean(run["secs"]) or 1
        for name in COUNTERS:
            counters[(w, k, c)][name].append(run[name] / secs)
        work = sum(run["rates"]) * secs
        counters[(w, k, c)]["per_unit"].append(run["spin_exits"] / work if work else 0)
        done[w] += [r * t for r, t in zip(run["rates"], run["secs"])]
        units[w] = run["unit"]

    workloads = ordered({w for w, _, _ in cells}, WORKLOADS)
    vm_counts = sorted({k for _, k, _ in cells})
    configs = ordered({c for _, _, c in cells}, CONFIGS)

    with open(os.path.join(run_dir, "summary.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["workload", "vms", "config", "median", "min", "max", "n"])
        for w in workloads:
            for k in vm_counts:
                for c in configs:
                    v = cells.get((w, k, c))
                    if v:
                        out.writerow([w, k, c, fmt(statistics.median(v)),
                                      fmt(min(v)), fmt(max(v)), len(v)])

    with open(os.path.join(run_dir, "counters.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["workload", "vms", "config"] + [f"{c}_per_s" for c in COUNTERS])
        for w in workloads:
            for k in vm_counts:
                for c in configs:
                    d = counters.get((w, k, c))
                    if d:
                        out.writerow([w, k, c] + [f"{statistics.median(d[n]):.1f}"
                                                  for n in COUNTERS])

    rng = random.Random(1)
    yvals = [1.0]
    md = []
    plot = []
    if title:
        md.append(f"{title}\n")
    md.append("Median over repetitions of the rate of one run (mean over its "
              "guests; higher is better), [min, max], n; for the other "
              "configurations the change of the median against baseline and "
              "the 95 % bootstrap interval of that ratio (* = the interval "
              "excludes no change).\n")
    head = "| workload | VMs | " + " | ".join(configs) + " |"
    md.append(head)
    md.append("|" + "---|" * (2 + len(configs)))
    for w in workloads:
        for k in vm_counts:
            base = cells.get((w, k, "baseline"))
            line = [w if k == vm_counts[0] else "", str(k)]
            pl = [w, str(k)]
            for c in configs:
                v = cells.get((w, k, c))
                if not v:
                    line.append("-")
                    pl += ["nan", "nan", "nan"]
                    continue
                med = statistics.median(v)
                cell = f"{fmt(med)} [{fmt(min(v))}, {fmt(max(v))}] n={len(v)}"
                if c != "baseline" and base:
                    bm = statistics.median(base)
                    if len(v) >= 3 and len(base) >= 3:
                        lo, hi = bootstrap_ratio(v, base, rng)
                        sig = "*" if lo > 1 or hi < 1 else ""
                        ci = f", [{(lo - 1) * 100:+.1f}, {(hi - 1) * 100:+.1f}]"
                    else:
                        # Too few repetitions for an interval.
                        lo = hi = med / bm
                        sig = ci = ""
                    cell = f"{fmt(med)} ({(med / bm - 1) * 100:+.1f} %{sig}{ci})"
                    pl += [f"{med / bm:.4f}", f"{lo:.4f}", f"{hi:.4f}"]
                    yvals += [lo, hi]
                else:
                    pl += ["1", "1", "1"]
                line.append(cell)
            md.append("| " + " | ".join(line) + " |")
            plot.append(" ".join(pl))
    md.append("")
    md.append("Units: " + ", ".join(f"{w} {units[w]}" for w in workloads) + ".\n")
    md.append("Work done per guest and run (rate x seconds): " + ", ".join(
                  f"{w} {fmt(min(done[w]))}-{fmt(max(done[w]))} {units[w].split('/')[0]}"
                  for w in workloads) + ".\n")
    md.append("Host-side counters, per second of workload, summed over the "
              "guests of a run (median over repetitions): spin exits "
              "(kvm_vcpu_on_spin(), i.e. pause-loop exits here), directed "
              "yields by tier (IPI receiver / pending interrupt / preempted / "
              "woken (v1: relaxed pass) / user mode / untiered = 6.12's scan), spins that yielded to "
              "nobody (failed), guest PV yield hypercalls; and spin exits "
              "per unit of work.\n")
    md.append("| workload | VMs | config | spin exits | IPI recv | pend. IRQ | "
              "preempted | woken | user | untiered | failed | PV yield | spins/unit |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for w in workloads:
        for k in vm_counts:
            for c in configs:
                d = counters.get((w, k, c))
                if d:
                    md.append(f"| {w} | {k} | {c} | " + " | ".join(
                        f"{statistics.median(d[n]):.0f}" for n in COUNTERS) +
                        f" | {fmt(statistics.median(d['per_unit']))} |")
    with open(os.path.join(run_dir, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    with open(os.path.join(run_dir, "plot.dat"), "w") as f:
        f.write("# workload vms " + " ".join(f"{c} {c}_lo {c}_hi" for c in configs) + "\n")
        for w in workloads:
            f.write(f"# {w}\n")
            f.write("\n".join(p for p in plot if p.split()[0] == w) + "\n\n\n")
    cols = {c: 3 + 3 * i for i, c in enumerate(configs)}
    panels = len(workloads)
    gp = [
        "set terminal pngcairo size 1200,%d font ',10'" % (360 * ((panels + 1) // 2)),
        "set output 'plot.png'",  # gnuplot runs in run_dir
        "set multiplot layout %d,2 title '%s'" % ((panels + 1) // 2,
                                                  (title or "overcommit benchmark").replace("'", "")),
        "set xlabel 'VMs on the same CPUs'",
        "set ylabel 'median rate / baseline median'",
        "set xtics 1", "set grid", "set key top left",
        "set xrange [%g:%g]" % (vm_counts[0] - 0.3, vm_counts[-1] + 0.3),
        "set yrange [%g:%g]" % (min(y for y in yvals if y == y) - 0.05,
                                max(y for y in yvals if y == y) + 0.05),
    ]
    for i, w in enumerate(workloads):
        gp.append(f"set title '{w} ({units[w]})'")
        series = []
        for j, c in enumerate(x for x in configs if x != "baseline"):
            col = cols[c]
            series.append(f"'plot.dat' index {i} using ($2+{(j - 1) * 0.06}):{col}:{col + 1}:{col + 2} "
                          f"with yerrorlines title '{c}'")
        series.append("1 with lines lc rgb 'gray' dt 2 title 'baseline'")
        gp.append("plot " + ", ".join(series))
    gp.append("unset multiplot")
    with open(os.path.join(run_dir, "plot.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")
    try:
        subprocess.run(["gnuplot", "plot.gp"], cwd=run_dir, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"error: gnuplot failed ({e}): 'scripts/source/deps.sh bench' installs gnuplot-nox")


if __name__ == "__main__":
    main()

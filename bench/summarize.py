"""Tables for bench/RESULTS.md from a bench/finetune.sh results directory (plain python3, no packages).

Usage: python3 bench/summarize.py bench/work/results-DATE
Per case and engine: median (min-max) over the rounds of steady-state training samples/s (epochs 2..4 of the
measured run), predict samples/s (batch 256), whole-process wall time and max RSS; the Kerasport/Keras ratio of
the medians; the first and last epoch's loss of both engines; Kerasport's per-step breakdown.
"""
import glob
import json
import os
import statistics
import sys

CASES = [("seed", "seed MLP 2-10-1, batch 32"), ("mlp", "MLP 784-512-512-10, batch 128"),
         ("cnn", "CNN 28x28x1, batch 64"), ("lstm", "LSTM(64) on 20x8 sequences, batch 64")]


def rng(vals, fmt):
    if not vals:
        return "failed"
    m = statistics.median(vals)
    return f"{fmt(m)} ({fmt(min(vals))}–{fmt(max(vals))})" if len(vals) > 1 else fmt(m)


def num(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def sec(v):
    return f"{v:.1f}"


def mb(v):
    return f"{v / 1024:,.0f}"


def ratio(j, k):
    return f"{statistics.median(j) / statistics.median(k):.2f}" if j and k else "—"


def main(d):
    inproc, whole, errors = {}, {}, []
    for f in sorted(glob.glob(os.path.join(d, "*-inproc-*.json"))):
        c, eng = os.path.basename(f).split("-")[:2]
        r = json.load(open(f))
        if "error" in r:
            errors.append(f"{c} {eng} in-process: {r['error']}")
            continue
        inproc.setdefault((c, eng), []).append(r)
    for f in sorted(glob.glob(os.path.join(d, "*-whole-*.time"))):
        c, eng = os.path.basename(f).split("-")[:2]
        lines = open(f).read().split("\n")
        last = [l for l in lines if l.strip()]
        if any(l.startswith("error") for l in last) or not last:
            errors.append(f"{c} {eng} whole process: {' '.join(last)} (see {os.path.basename(f)[:-5]}.log)")
            continue
        wall, rss = last[-1].split()
        whole.setdefault((c, eng), []).append((float(wall), float(rss)))
    ran = {c for c, _ in list(inproc) + list(whole)} | {e.split()[0] for e in errors}
    cases = [(c, label) for c, label in CASES if c in ran]
    rounds = max([len(v) for v in inproc.values()] + [0])
    out = [f"Medians over {rounds} rounds (min–max in brackets). Kerasport/Keras: ratio of the medians "
           "(> 1: Kerasport faster, for wall time and RSS > 1: Kerasport larger).", ""]
    out += ["| case | measure | Keras 3.15.1 + TF 2.21 | Kerasport (DL4J 1.0.0-M2.1) | Kerasport/Keras | PyTorch (anchor) | Kerasport/PyTorch |",
            "|---|---|---|---|---|---|---|"]
    for c, label in cases:
        k, j = inproc.get((c, "keras"), []), inproc.get((c, "kerasport"), [])
        t, wt = inproc.get((c, "torch"), []), whole.get((c, "torch"), [])
        wk, wj = whole.get((c, "keras"), []), whole.get((c, "kerasport"), [])
        rows = [
            ("train samples/s (in-process, steady)", [x["train_samples_per_s"] for x in k],
             [x["train_samples_per_s"] for x in j], [x["train_samples_per_s"] for x in t], num),
            ("predict samples/s (batch 256)", [x["predict_samples_per_s"] for x in k],
             [x["predict_samples_per_s"] for x in j], [x["predict_samples_per_s"] for x in t], num),
            ("first epoch s (Keras: tracing; Kerasport: after JVM warm-up)", [x["epoch_s"][0] for x in k],
             [x["epoch_s"][0] for x in j], [x["epoch_s"][0] for x in t], sec),
            ("peak RSS MB, in-process, after training", [x["train_peak_rss_kb"] for x in k],
             [x["train_peak_rss_kb"] for x in j], [x["train_peak_rss_kb"] for x in t], mb),
            ("whole process s (start, load, 4 epochs, save)", [w for w, _ in wk], [w for w, _ in wj], [w for w, _ in wt], sec),
            ("whole process max RSS MB", [m for _, m in wk], [m for _, m in wj], [m for _, m in wt], mb),
        ]
        for i, (name, kv, jv, tv, fmt) in enumerate(rows):
            out.append(f"| {label if i == 0 else ''} | {name} | {rng(kv, fmt)} | {rng(jv, fmt)} | {ratio(jv, kv)} | "
                       f"{rng(tv, fmt) if tv else '—'} | {ratio(jv, tv)} |")
    out += ["", "Loss check (round 1; every round gives the same values): per-epoch training loss, penalties included.", "",
            "| case | engine | epoch 1 | epoch 2 | epoch 3 | epoch 4 | max relative difference, epoch 1 / all |",
            "|---|---|---|---|---|---|---|"]
    for c, label in cases:
        k, j = inproc.get((c, "keras"), []), inproc.get((c, "kerasport"), [])
        if not k or not j:
            out.append(f"| {label} | — | failed | | | | |")
            continue
        lk, lj = k[0]["history"]["loss"], j[0]["history"]["loss"]
        rel = [abs(a - b) / abs(a) for a, b in zip(lk, lj)]
        same = all(x["history"]["loss"] == lk for x in k) and all(x["history"]["loss"] == lj for x in j)
        out.append(f"| {label} | Keras | " + " | ".join(f"{v:.7f}" for v in lk) + f" | {rel[0]:.1e} / {max(rel):.1e}"
                   + ("" if same else " (rounds differ)") + " |")
        out.append("| | Kerasport | " + " | ".join(f"{v:.7f}" for v in lj) + " | |")
    out += ["", "Kerasport, where a training step's time goes (ms per step, medians over rounds, measured after training "
            "in FineTuner's order):", "",
            "| case | batch prep | metrics forward pass | accuracy ops | ComputationGraph.fit | step (median) | step (mean) | FineTuner epoch / steps |",
            "|---|---|---|---|---|---|---|---|"]
    for c, label in cases:
        j = inproc.get((c, "kerasport"), [])
        if not j:
            continue
        s = {key: statistics.median(x["step_ms"][key] for x in j if key in x["step_ms"])
             for key in j[0]["step_ms"] if all(key in x["step_ms"] for x in j)}
        mean = f"{s['mean_step']:.2f}" if "mean_step" in s else "—"
        out.append(f"| {label} | {s['batch_prep']:.2f} | {s['metrics_forward']:.2f} | {s['metric_ops']:.2f} | "
                   f"{s['fit']:.2f} | {s['sum_of_parts']:.2f} | {mean} | {s['fine_tuner_epoch_per_step']:.2f} |")
    if errors:
        out += ["", "Failures:", ""] + [f"- {e}" for e in errors]
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])

"""What bench/train.py (Keras) and bench/torch_train.py (PyTorch) share: the command line and the --bench JSON
(plain Python, importable from either venv)."""
import argparse
import json
import resource
import statistics
import time


def parse_args(first, first_help):
    ap = argparse.ArgumentParser()
    ap.add_argument(first, help=first_help)
    ap.add_argument("data", help="DATA.npz with x and y")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--out", help="where to save the trained model")
    ap.add_argument("--bench", help="write the measurements as JSON here")
    return ap.parse_args()


def write_bench(path, engine, rows, batch, epoch_s, history, predict, t_start, **extra):
    """Peak RSS after training, then predict(): one warm-up call and the median of 3 timed calls; the steady
    training rate is rows / the median of the epochs after the first."""
    train_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    predict()
    pt = []
    for _ in range(3):
        t0 = time.perf_counter()
        predict()
        pt.append(time.perf_counter() - t0)
    res = {"engine": engine, "rows": rows, "batch": batch, "epoch_s": epoch_s, "history": history,
           "train_samples_per_s": rows / statistics.median(epoch_s[1:]),
           "predict_samples_per_s": rows / statistics.median(pt),
           "train_peak_rss_kb": train_peak,
           "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           "total_s": time.perf_counter() - t_start, **extra}
    with open(path, "w") as f:
        json.dump(res, f)

"""Fine-tuning benchmark, the Keras side (TensorFlow backend): what `kerasport finetune` does, done by Keras.

Usage: python bench/train.py MODEL DATA.npz --batch B --epochs E [--out OUT.keras] [--bench OUT.json]

load_model(MODEL) (with any optimizer state it stores), fit(x, y, batch_size=B, epochs=E, shuffle=False),
then save to OUT.keras: the whole-process run bench/finetune.sh times with /usr/bin/time.
With --bench it also records each epoch's wall time (a callback), the history, and predict throughput
(batch 256: one warm-up call, then the median of 3 timed calls over all rows), and the process's peak RSS,
as JSON.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402


class EpochTimes(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--out")
    ap.add_argument("--bench")
    a = ap.parse_args()
    t_start = time.perf_counter()
    model = keras.models.load_model(a.model)
    d = np.load(a.data)
    x, y = d["x"], d["y"]
    cb = EpochTimes()
    h = model.fit(x, y, batch_size=a.batch, epochs=a.epochs, shuffle=False, verbose=0, callbacks=[cb])
    if a.out:
        model.save(a.out)
    if a.bench:
        rows = len(x)
        train_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        model.predict(x, batch_size=256, verbose=0)
        pt = []
        for _ in range(3):
            t0 = time.perf_counter()
            model.predict(x, batch_size=256, verbose=0)
            pt.append(time.perf_counter() - t0)
        res = {"engine": "keras", "rows": rows, "batch": a.batch, "epoch_s": cb.times,
               "history": {k: [float(v) for v in vs] for k, vs in h.history.items()},
               "train_samples_per_s": rows / statistics.median(cb.times[1:]),
               "predict_samples_per_s": rows / statistics.median(pt),
               "train_peak_rss_kb": train_peak,
               "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               "total_s": time.perf_counter() - t_start}
        with open(a.bench, "w") as f:
            json.dump(res, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())

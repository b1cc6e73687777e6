"""Fine-tuning benchmark, the Keras side (TensorFlow backend): what `kerasport finetune` does, done by Keras.

Usage: python bench/train.py MODEL DATA.npz --batch B --epochs E [--out OUT.keras] [--bench OUT.json]

load_model(MODEL) (with any optimizer state it stores), fit(x, y, batch_size=B, epochs=E, shuffle=False),
then save to OUT.keras: the whole-process run bench/finetune.sh times with /usr/bin/time.
With --bench it also records each epoch's wall time (a callback), the history, and predict throughput
(batch 256: one warm-up call, then the median of 3 timed calls over all rows), and the process's peak RSS,
as JSON.
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from bench_common import parse_args, write_bench  # noqa: E402


class EpochTimes(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.t0)


def main():
    a = parse_args("model", "the Keras model file")
    t_start = time.perf_counter()
    model = keras.models.load_model(a.model)
    d = np.load(a.data)
    x, y = d["x"], d["y"]
    cb = EpochTimes()
    h = model.fit(x, y, batch_size=a.batch, epochs=a.epochs, shuffle=False, verbose=0, callbacks=[cb])
    if a.out:
        model.save(a.out)
    if a.bench:
        write_bench(a.bench, "keras", len(x), a.batch, cb.times,
                    {k: [float(v) for v in vs] for k, vs in h.history.items()},
                    lambda: model.predict(x, batch_size=256, verbose=0), t_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())

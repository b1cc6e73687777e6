"""Interop tier: what Keras' fit does with a saved model and data, for Kerasport's fine-tuning to match.

Usage: python fit_reference.py MODEL TRAIN.npz VAL.npz OUT.npz [--epochs N] [--batch B] [--fresh]

load_model(MODEL) (with its optimizer state), or with --fresh load_model(compile=False) and compile anew with a
new optimizer from the same config and the same loss/metrics; then fit(x, y, epochs=N, batch_size=B,
shuffle=False, validation_data=(x_val, y_val)). Writes history__<key> (one value per epoch) and
final__<layer>__<weight> for every variable.
"""
import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("train")
    ap.add_argument("val")
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--fresh", action="store_true")
    a = ap.parse_args()
    if a.fresh:
        model = keras.models.load_model(a.model, compile=False)
        saved = keras.models.load_model(a.model)
        opt = saved.optimizer.__class__.from_config(saved.optimizer.get_config())
        model.compile(optimizer=opt, loss=saved.loss, metrics=["accuracy"])
    else:
        model = keras.models.load_model(a.model)
    tr, va = np.load(a.train), np.load(a.val)
    h = model.fit(tr["x"], tr["y"], epochs=a.epochs, batch_size=a.batch, shuffle=False,
                  validation_data=(va["x"], va["y"]), verbose=0)
    out = {f"history__{k}": np.asarray(v, dtype="float64") for k, v in h.history.items()}
    for layer in model.layers:
        for v in layer.weights:
            rel = v.path.split("/", 1)[1] if "/" in v.path else v.name
            out[f"final__{layer.name}__{rel.replace('/', '.')}"] = np.asarray(v.numpy())
    np.savez(a.out, **out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

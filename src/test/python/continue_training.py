"""Interop tier: what Keras does when it loads a model with its optimizer state and keeps training.

Usage: python continue_training.py MODEL DATA.npz OUT.npz [--steps K] [--batch B]

keras.models.load_model(MODEL) (compile=True: the optimizer and its stored state come back, as users load a model
to continue training), then train_on_batch on x[k*B:(k+1)*B], y[...] of DATA.npz for k < K, in order (several
inputs: x__<input name> each). Writes, per
step k: loss__k and after__k__<layer>__<weight> for every variable; also iterations__0 (the restored iteration
count) so the test can see the state really came back.
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
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    model = keras.models.load_model(a.model)
    d = np.load(a.data)
    out = {"iterations__0": np.int64(int(model.optimizer.iterations.numpy()))}
    for k in range(a.steps):
        if "x" in d:
            x = d["x"][k * a.batch:(k + 1) * a.batch]
        else:  # several inputs: x__<input name>, in the model's input order
            x = [d["x__" + t.name.split(":")[0]][k * a.batch:(k + 1) * a.batch] for t in model.inputs]
        y = d["y"][k * a.batch:(k + 1) * a.batch]
        logs = model.train_on_batch(x, y, return_dict=True)
        out[f"loss__{k}"] = np.float32(logs["loss"])
        for layer in model.layers:
            for v in layer.weights:
                rel = v.path.split("/", 1)[1] if "/" in v.path else v.name
                out[f"after__{k}__{layer.name}__{rel.replace('/', '.')}"] = np.asarray(v.numpy())
    np.savez(a.out, **out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

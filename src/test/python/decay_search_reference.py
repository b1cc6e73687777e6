"""Interop tier for `kerasport tune-decay`: a ridge-like task with a known best λ, and the same search in real Keras.

Usage: python decay_search_reference.py OUTDIR [--theory-folds K] [--keras PENALTIES --values L,L,... --folds K --epochs E --batch B]

Always writes, into OUTDIR:
  ridge.npz    x (60, 40) standard normal, y = x @ w_true + noise, w_true ~ N(0, 0.25^2), noise ~ N(0, 1), float32
  ridge.keras  Sequential([Input((40,)), Dense(1, zero kernel)]), compiled with SGD(learning_rate=0.1) and mse
  theory.npz   lambda_star (the Bayes-optimal Keras l2 factor for a fold's training rows: sigma^2 / (n_train * tau^2),
               since Keras' mse + l2(λ)·||w||^2 is ridge with alpha = n·λ), and the exact (closed-form) ridge
               cross-validation curve over a dense grid: dense_lambdas, dense_cv (--theory-folds contiguous folds,
               bias unpenalized), in float64

With --keras, runs the search in real Keras exactly as Kerasport defines it (see DecaySearch/Folds): contiguous
folds (sklearn KFold order: the first n % K blocks one row longer), for each penalty and λ and fold a model rebuilt
from the config with kernel_regularizer=L2(λ)/L1(λ) (or the optimizer's weight_decay=λ), the file's weights, a
fresh optimizer from the file's optimizer config, fit(shuffle=False, epochs=E, batch_size=B), then the validation
loss without penalty terms (evaluate minus sum(model.losses)). Writes keras.npz: lambdas, and per penalty P
P__fold_loss (lambdas x folds) and P__mean.
"""
import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402

ROWS, FEATURES, TAU, SIGMA, SEED = 60, 40, 0.25, 1.0, 20261126


def make_task(out):
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((ROWS, FEATURES))
    w = rng.normal(0.0, TAU, FEATURES)
    y = x @ w + rng.normal(0.0, SIGMA, ROWS)
    x, y = x.astype("float32"), y.astype("float32").reshape(ROWS, 1)
    np.savez(os.path.join(out, "ridge.npz"), x=x, y=y)
    return x, y


def contiguous_folds(n, k):
    fold = np.empty(n, dtype=int)
    start = 0
    for f in range(k):
        size = n // k + (1 if f < n % k else 0)
        fold[start:start + size] = f
        start += size
    return fold


def ridge(x, y, lam):
    """argmin mean((y - x w - b)^2) + lam ||w||^2, bias unpenalized (Keras' mse + l2(lam) on the kernel)."""
    n = x.shape[0]
    xm, ym = x.mean(0), y.mean()
    xc, yc = x - xm, y - ym
    w = np.linalg.solve(xc.T @ xc / n + lam * np.eye(x.shape[1]), xc.T @ yc / n)
    return w, ym - xm @ w


def theory(out, x, y, k):
    x, y = x.astype("float64"), y.astype("float64").ravel()
    fold = contiguous_folds(len(y), k)
    lams = np.logspace(-4, 1, 101)
    cv = []
    for lam in lams:
        errs = []
        for f in range(k):
            tr = fold != f
            w, b = ridge(x[tr], y[tr], lam)
            errs.append(np.mean((x[~tr] @ w + b - y[~tr]) ** 2))
        cv.append(np.mean(errs))
    n_train = int(np.sum(fold != 0))
    np.savez(os.path.join(out, "theory.npz"), lambda_star=np.float64(SIGMA ** 2 / (n_train * TAU ** 2)),
             dense_lambdas=lams, dense_cv=np.asarray(cv))


def keras_search(out, x, y, penalties, lambdas, k, epochs, batch):
    import keras
    base = keras.models.load_model(os.path.join(out, "ridge.keras"))
    weights = base.get_weights()
    fold = contiguous_folds(len(y), k)
    res = {"lambdas": np.asarray(lambdas, dtype="float64")}
    for p in penalties:
        losses = np.zeros((len(lambdas), k))
        for i, lam in enumerate(lambdas):
            cfg = base.get_config()
            for layer in cfg["layers"]:
                if layer["class_name"] == "Dense":
                    reg = None
                    if p == "l2" and lam > 0:
                        reg = keras.regularizers.L2(lam)
                    elif p == "l1" and lam > 0:
                        reg = keras.regularizers.L1(lam)
                    layer["config"]["kernel_regularizer"] = None if reg is None else keras.saving.serialize_keras_object(reg)
            opt_cfg = base.optimizer.get_config()
            opt_cfg["weight_decay"] = lam if p == "decoupled" else None
            for f in range(k):
                tr, va = fold != f, fold == f
                m = keras.Sequential.from_config(cfg)
                m.set_weights(weights)
                m.compile(optimizer=base.optimizer.__class__.from_config(opt_cfg), loss="mean_squared_error")
                m.fit(x[tr], y[tr], epochs=epochs, batch_size=batch, shuffle=False, verbose=0)
                val = m.evaluate(x[va], y[va], batch_size=batch, verbose=0, return_dict=True)["loss"]
                penalty = float(sum(float(v) for v in m.losses)) if m.losses else 0.0
                losses[i, f] = val - penalty
        res[f"{p}__fold_loss"] = losses
        res[f"{p}__mean"] = losses.mean(1)
    np.savez(os.path.join(out, "keras.npz"), **res)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--keras", default="")
    ap.add_argument("--values", default="")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--theory-folds", type=int, default=5)
    a = ap.parse_args()
    import keras
    keras.utils.set_random_seed(1)
    x, y = make_task(a.out)
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(1, kernel_initializer="zeros", name="dense")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mean_squared_error")
    model.save(os.path.join(a.out, "ridge.keras"))
    theory(a.out, x, y, a.theory_folds)
    if a.keras:
        keras_search(a.out, x, y, a.keras.split(","), [float(v) for v in a.values.split(",")], a.folds, a.epochs, a.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())

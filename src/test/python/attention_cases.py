#!/usr/bin/env python3
"""Small REAL-Keras reference cases for the DL4J attention family (AttentionKerasTest).

Usage:  python attention_cases.py OUT_DIR [--seed N]

Writes OUT_DIR/<case>/{model.keras, model.h5, case.json, reference.npz} in the layout of
/work/shared/keras-reference (keys x[__in], y[__out], train_x__k[__in], train_y__k[__out],
after__k__<layer>__<weight>; case.json: inputs/outputs (name, npz_key), training.steps,
training.losses, training.train_on_batch_logs, tolerance). Cases:

  cross_attention  MultiHeadAttention(query, value, key) with three DIFFERENT inputs (T=3, S=4,
                   widths 5/6/7), value_dim != key_dim, output_shape=8, kernel L2 + bias L1 on all
                   four projections -> Flatten -> Dense(2); mse, Adam(0.01), 3 steps.
  norm_prelu       LayerNormalization(gamma L2, beta L1) on (4, 5) -> PReLU(shared_axes=[1]) ->
                   Flatten -> Dense(6) -> LayerNormalization(rms_scaling=True) -> PReLU (per unit,
                   alpha L2) -> Dense(3, softmax); categorical_crossentropy, SGD(0.1), 3 steps.
  shared3          Dense 'shared' (tanh, kernel L1L2, bias L2, activity L2) called on three inputs
                   -> Concatenate -> Dense(2); mse, Adam(0.01), 3 steps.

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers, regularizers  # noqa: E402

STEPS = 3
BATCH = 8


def perturb(model, rng):
    """Non-trivial values for every variable (gamma/beta/alpha/biases are 1/0 after init)."""
    for v in model.weights:
        v.assign(rng.normal(0, 0.5, size=v.shape).astype("float32"))


def cross_attention():
    q = keras.Input((3, 5), name="q")
    v = keras.Input((4, 6), name="v")
    k = keras.Input((4, 7), name="k")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=8,
                                    kernel_regularizer=regularizers.L2(0.01),
                                    bias_regularizer=regularizers.L1(0.02), name="mha")
    h = mha(q, v, k)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    m = keras.Model([q, v, k], out, name="cross_attention")
    return m, "mean_squared_error", lambda: keras.optimizers.Adam(0.01)


def norm_prelu():
    x = keras.Input((4, 5), name="x")
    h = layers.LayerNormalization(epsilon=1e-3, gamma_regularizer=regularizers.L2(0.01),
                                  beta_regularizer=regularizers.L1(0.01), name="ln")(x)
    h = layers.PReLU(shared_axes=[1], name="prelu_seq")(h)
    h = layers.Flatten(name="flat")(h)
    h = layers.Dense(6, name="d")(h)
    h = layers.LayerNormalization(rms_scaling=True, name="ln_rms")(h)
    h = layers.PReLU(alpha_regularizer=regularizers.L2(0.01), name="prelu")(h)
    out = layers.Dense(3, activation="softmax", name="out")(h)
    m = keras.Model(x, out, name="norm_prelu")
    return m, "categorical_crossentropy", lambda: keras.optimizers.SGD(0.1)


def shared3():
    ins = [keras.Input((5,), name=n) for n in ("a", "b", "c")]
    shared = layers.Dense(4, activation="tanh", kernel_regularizer=regularizers.L1L2(l1=0.01, l2=0.02),
                          bias_regularizer=regularizers.L2(0.03),
                          activity_regularizer=regularizers.L2(0.01), name="shared")
    h = layers.Concatenate(name="cat")([shared(i) for i in ins])
    out = layers.Dense(2, name="out")(h)
    m = keras.Model(ins, out, name="shared3")
    return m, "mean_squared_error", lambda: keras.optimizers.Adam(0.01)


def sample(rng, shape, loss):
    if loss == "categorical_crossentropy":
        return np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], size=shape[0])]
    return rng.normal(0, 1, size=shape).astype("float32")


def weight_key(layer, v):
    rel = v.path[len(layer.name) + 1:] if v.path.startswith(layer.name + "/") else v.name
    return layer.name + "__" + rel.replace("/", ".")


def build(name, fn, out_dir, rng):
    model, loss, opt = fn()
    perturb(model, rng)
    d = kcases.save_case(model, out_dir, name, opt(), loss)
    npz = {}
    in_names, xkey = kcases.input_keys(model)
    multi_in = len(model.inputs) > 1

    x = [rng.normal(0, 1, size=(4,) + tuple(t.shape[1:])).astype("float32") for t in model.inputs]
    for i, xi in enumerate(x):
        npz[xkey("x", i)] = xi
    npz["y"] = np.asarray(model.predict(x if multi_in else x[0], verbose=0))
    # fresh model from the saved file, new optimizer, train_on_batch per batch (as keras-reference does)
    m2 = keras.models.load_model(os.path.join(d, "model.keras"), compile=False)
    m2.compile(optimizer=opt(), loss=loss)
    losses, logs = [], []
    out_shape = (BATCH,) + tuple(m2.outputs[0].shape[1:])
    for k in range(STEPS):
        xb = [rng.normal(0, 1, size=(BATCH,) + tuple(t.shape[1:])).astype("float32") for t in m2.inputs]
        yb = sample(rng, out_shape, loss)
        for i, xi in enumerate(xb):
            npz[xkey("train_x__%d" % k, i)] = xi
        npz["train_y__%d" % k] = yb
        log = m2.train_on_batch(xb if multi_in else xb[0], yb, return_dict=True)
        logs.append({kk: float(vv) for kk, vv in log.items()})
        losses.append(float(log["loss"]))
        for layer in m2.layers:
            for v in layer.weights:
                npz["after__%d__%s" % (k, weight_key(layer, v))] = np.asarray(v.numpy())
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {
        "case": name, "keras_version": keras.__version__,
        "inputs": [{"name": n, "npz_key": xkey("x", i)} for i, n in enumerate(in_names)],
        "outputs": [{"name": model.layers[-1].name, "npz_key": "y"}],
        "training": {"steps": STEPS, "losses": losses, "train_on_batch_logs": logs},
        "tolerance": {"predict_abs": 1e-5, "loss_abs": 3e-5, "train_abs": 1e-4},
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return name


def main():
    a, rng = kcases.cli(3)
    names = [build(n, f, a.out, rng) for n, f in
             (("cross_attention", cross_attention), ("norm_prelu", norm_prelu), ("shared3", shared3))]
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

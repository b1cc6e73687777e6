"""Interop tier: real Keras writes seeded random trainable models and what it computes with them.

Usage: python generate_train_models.py OUT_DIR [--seed N] [--count K]

For each model OUT_DIR/<NN_name>/:
  model.keras, model.h5   the compiled model, saved BEFORE any training (fresh optimizer state)
  data.npz                x, y_pred (Keras predict on x, inference mode), and for k = 0..steps-1:
                          train_x__k, train_y__k, loss__k (train_on_batch's loss, regularization included),
                          after__k__<layer>__<weight> (every variable after update k; weight = path below the
                          layer with '/' -> '.')
  facts.json              name, optimizer (class_name + config), loss, steps, batch_size

Architectures: 13 Dense stacks with random widths, activations, kernel/bias/activity regularizers (L1, L2, L1L2
with random lambdas), then one model per layer family (Conv2D + BatchNormalization, Depthwise/SeparableConv2D,
Conv1D, LSTM, GRU, SimpleRNN, Bidirectional LSTM, Embedding + GRU) with random regularizers on every weight kind;
regression / binary / multi-class heads, every optimizer with random hyperparameters, including weight_decay, and
two Dense stacks trained with clipnorm. No dropout, so training is deterministic.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import logging  # noqa: E402
logging.getLogger("absl").setLevel(logging.ERROR)
from keras import layers, regularizers  # noqa: E402

ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "selu", "softplus", "linear", "swish", "gelu", "softsign", "hard_sigmoid"]


def rand_lambda(rng):
    return float(10 ** rng.uniform(-4, -1))


def rand_reg(rng, p=0.6):
    if rng.random() > p:
        return None
    kind = rng.integers(3)
    if kind == 0:
        return regularizers.L1(rand_lambda(rng))
    if kind == 1:
        return regularizers.L2(rand_lambda(rng))
    return regularizers.L1L2(l1=rand_lambda(rng), l2=rand_lambda(rng))


def optimizers(rng):
    """One optimizer per model, cycling through every Keras optimizer; random non-default hyperparameters."""
    lr = float(10 ** rng.uniform(-3, -1.3))
    wd = float(10 ** rng.uniform(-3, -1)) if rng.random() < 0.5 else None
    return [
        lambda: keras.optimizers.SGD(learning_rate=lr, weight_decay=wd),
        lambda: keras.optimizers.SGD(learning_rate=lr, momentum=float(rng.uniform(0.5, 0.95))),
        lambda: keras.optimizers.SGD(learning_rate=lr, momentum=float(rng.uniform(0.5, 0.95)), nesterov=True, weight_decay=wd),
        lambda: keras.optimizers.Adam(learning_rate=lr, beta_1=float(rng.uniform(0.8, 0.95)), weight_decay=wd),
        lambda: keras.optimizers.Adam(learning_rate=lr, amsgrad=True),
        lambda: keras.optimizers.AdamW(learning_rate=lr, weight_decay=float(10 ** rng.uniform(-3, -1))),
        lambda: keras.optimizers.RMSprop(learning_rate=lr, rho=float(rng.uniform(0.8, 0.95)), momentum=float(rng.uniform(0, 0.9))),
        lambda: keras.optimizers.RMSprop(learning_rate=lr, centered=True),
        lambda: keras.optimizers.Adagrad(learning_rate=lr * 10, initial_accumulator_value=float(rng.uniform(0.05, 0.5))),
        lambda: keras.optimizers.Adadelta(learning_rate=lr * 100, rho=float(rng.uniform(0.8, 0.97))),
        lambda: keras.optimizers.Adamax(learning_rate=lr),
        lambda: keras.optimizers.Nadam(learning_rate=lr),
        lambda: keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(lr, decay_steps=2, decay_rate=0.7)),
    ]


FAMILIES = ["conv2d_bn", "conv1d", "lstm", "gru", "bilstm", "embedding_gru", "simple_rnn", "separable_conv2d"]


def body(rng, family):
    """A random body of a layer family with random regularizers on every weight kind it has; returns (input, output, input_shape, int_vocab)."""
    r = lambda p=0.6: rand_reg(rng, p)  # noqa: E731
    u = lambda lo, hi: int(rng.integers(lo, hi))  # noqa: E731
    if family == "conv2d_bn":
        shape = (u(5, 9), u(5, 9), u(1, 4))
        inp = keras.Input(shape, name="image")
        x = layers.Conv2D(u(2, 6), 3, padding=["same", "valid"][u(0, 2)], activation="relu", kernel_regularizer=r(), bias_regularizer=r(0.4))(inp)
        x = layers.BatchNormalization(momentum=float(rng.uniform(0.5, 0.99)), gamma_regularizer=r(0.5), beta_regularizer=r(0.5))(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Flatten()(x)
        return inp, x, shape, None
    if family == "separable_conv2d":
        shape = (u(6, 9), u(6, 9), u(2, 4))
        inp = keras.Input(shape, name="image")
        x = layers.DepthwiseConv2D(3, depth_multiplier=u(1, 3), depthwise_regularizer=r(), bias_regularizer=r(0.4))(inp)
        x = layers.SeparableConv2D(u(2, 5), 3, padding="same", activation="tanh", depthwise_regularizer=r(), pointwise_regularizer=r())(x)
        x = layers.GlobalAveragePooling2D()(x)
        return inp, x, shape, None
    if family == "conv1d":
        shape = (u(6, 12), u(1, 5))
        inp = keras.Input(shape, name="signal")
        x = layers.Conv1D(u(2, 6), u(2, 4), padding=["same", "valid", "causal"][u(0, 3)], dilation_rate=u(1, 3),
                          activation="relu", kernel_regularizer=r(), bias_regularizer=r(0.4))(inp)
        x = layers.GlobalMaxPooling1D()(x)
        return inp, x, shape, None
    if family in ("lstm", "gru", "simple_rnn", "bilstm"):
        shape = (u(3, 7), u(1, 5))
        inp = keras.Input(shape, name="sequence")
        kw = dict(kernel_regularizer=r(), recurrent_regularizer=r(), bias_regularizer=r(0.4),
                  bias_initializer=keras.initializers.RandomNormal(0, 0.1))
        if family == "lstm":
            x = layers.LSTM(u(2, 6), **kw)(inp)
        elif family == "gru":
            x = layers.GRU(u(2, 6), reset_after=bool(u(0, 2)), **kw)(inp)
        elif family == "simple_rnn":
            x = layers.SimpleRNN(u(2, 6), **kw)(inp)
        else:
            x = layers.Bidirectional(layers.LSTM(u(2, 5), **kw), merge_mode=["concat", "sum", "ave"][u(0, 3)])(inp)
        return inp, x, shape, None
    # embedding_gru
    vocab, steps = u(8, 20), u(3, 7)
    inp = keras.Input((steps,), name="tokens")
    x = layers.Embedding(vocab, u(2, 6), embeddings_regularizer=r())(inp)
    x = layers.GRU(u(2, 5), kernel_regularizer=r(), recurrent_regularizer=r())(x)
    return inp, x, (steps,), vocab


def build(rng, index):
    head = ["regression", "binary", "multiclass", "sparse"][index % 4]
    int_vocab = None
    if 13 <= index < 13 + len(FAMILIES):  # the first 13 models are Dense stacks; then one model per layer family
        inp, x, in_shape, int_vocab = body(rng, FAMILIES[(index - 13) % len(FAMILIES)])
    else:
        n_in = int(rng.integers(3, 9))
        in_shape = (n_in,)
        depth = int(rng.integers(1, 4))
        inp = keras.Input((n_in,), name="features")
        x = inp
        for d in range(depth):
            x = layers.Dense(int(rng.integers(3, 12)), activation=ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))],
                             kernel_regularizer=rand_reg(rng), bias_regularizer=rand_reg(rng, 0.4),
                             activity_regularizer=rand_reg(rng, 0.25), bias_initializer=keras.initializers.RandomNormal(0, 0.1),
                             name=f"hidden{d}")(x)
    if head == "regression":
        n_out = int(rng.integers(1, 4))
        out = layers.Dense(n_out, kernel_regularizer=rand_reg(rng), name="out")(x)
        loss = ["mean_squared_error", "mean_absolute_error", "huber"][int(rng.integers(3))]
    elif head == "binary":
        n_out = int(rng.integers(1, 3))
        out = layers.Dense(n_out, activation="sigmoid", kernel_regularizer=rand_reg(rng), name="out")(x)
        loss = "binary_crossentropy"
    else:
        n_out = int(rng.integers(2, 5))
        out = layers.Dense(n_out, activation="softmax", kernel_regularizer=rand_reg(rng), name="out")(x)
        loss = "categorical_crossentropy" if head == "multiclass" else "sparse_categorical_crossentropy"
    model = keras.Model(inp, out, name=f"train_{index}")
    return model, head, (in_shape, int_vocab), n_out, loss


def targets(rng, head, rows, n_out):
    if head == "regression":
        return rng.normal(size=(rows, n_out)).astype("float32")
    if head == "binary":
        return rng.integers(0, 2, size=(rows, n_out)).astype("float32")
    classes = rng.integers(0, n_out, size=rows)
    if head == "sparse":
        return classes.reshape(rows, 1).astype("float32")
    return np.eye(n_out, dtype="float32")[classes]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=23)
    a = ap.parse_args()
    steps, batch = 4, 8
    for index in range(a.count):
        rng = np.random.default_rng((a.seed * 7919 + index) % 2**32)
        keras.utils.set_random_seed((a.seed * 1000 + index) % 2**32)
        model, head, n_in, n_out, loss = build(rng, index)
        if index < 13 + len(FAMILIES):
            opt = optimizers(rng)[index % 13]()
        else:  # Dense stacks trained with gradient clipping by norm (per variable)
            lr = float(10 ** rng.uniform(-2, -1))
            opt = [keras.optimizers.SGD(learning_rate=lr, momentum=0.5, clipnorm=float(rng.uniform(0.05, 0.5))),
                   keras.optimizers.Adam(learning_rate=lr / 10, clipnorm=float(rng.uniform(0.05, 0.5)))][index % 2]
        model.compile(optimizer=opt, loss=loss, jit_compile=False)
        family = FAMILIES[index - 13] if 13 <= index < 13 + len(FAMILIES) else "dense"
        if getattr(opt, "clipnorm", None):
            family = "dense_clipnorm"
        name = f"{index:02d}_{family}_{type(opt).__name__.lower()}_{head}"
        d = os.path.join(a.out_dir, name)
        os.makedirs(d, exist_ok=True)
        model.save(os.path.join(d, "model.keras"))
        model.save(os.path.join(d, "model.h5"))
        data = {}
        in_shape, vocab = n_in
        feats = lambda rows: (rng.integers(0, vocab, size=(rows,) + in_shape).astype("float32") if vocab  # noqa: E731
                              else rng.normal(size=(rows,) + in_shape).astype("float32"))
        x = feats(16)
        data["x"] = x
        data["y_pred"] = np.asarray(model.predict(x, verbose=0))
        for k in range(steps):
            tx = feats(batch)
            ty = targets(rng, head, batch, n_out)
            data[f"train_x__{k}"] = tx
            data[f"train_y__{k}"] = ty
            data[f"loss__{k}"] = np.float32(model.train_on_batch(tx, ty))
            for layer in model.layers:
                for v in layer.weights:
                    rel = v.path.split("/", 1)[1] if "/" in v.path else v.name
                    data[f"after__{k}__{layer.name}__{rel.replace('/', '.')}"] = np.asarray(v.numpy())
        np.savez(os.path.join(d, "data.npz"), **data)
        cfg = opt.get_config()
        facts = {"name": name, "head": head, "loss": loss, "steps": steps, "batch_size": batch,
                 "optimizer": {"class_name": type(opt).__name__, "config": json.loads(json.dumps(cfg, default=lambda o: o.get_config() if hasattr(o, "get_config") else str(o)))}}
        with open(os.path.join(d, "facts.json"), "w") as f:
            json.dump(facts, f, indent=1)
        print(name, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

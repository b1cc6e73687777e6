#!/usr/bin/env python3
"""REAL-Keras reference cases for sequences of free length and Keras' masks (SequenceKerasTest).

Usage:  python sequence_cases.py OUT_DIR [--seed N]

Writes OUT_DIR/<case>/{model.keras, model.h5, case.json, reference.npz} in the layout of attention_cases.py, with
predictions at two different lengths (keys x, y at length A and x2, y2 at length B) and training batches of
different lengths (one length within a batch; train_x__k, train_y__k, after__k__<layer>__<weight>). Every time
axis is None in the saved model. Cases:

  gru_free        Input((None, 3)) -> GRU(4) -> Dense(2); mse, Adam(0.01).
  lstm_free       Input((None, 3)) -> LSTM(5, return_sequences) -> LSTM(3, kernel L2) -> Dense(2); mse, SGD(0.1).
  conv1d_free     Input((None, 3)) -> Conv1D(4, 3, relu) -> GlobalMaxPooling1D -> Dense(2); mse, Adam(0.01).
  masking_gru     Input((None, 3)) -> Masking -> GRU(4, return_sequences) -> GRU(3) -> Dense(2), inputs with
                  zero steps at the end and in the middle; mse, Adam(0.01). Keras 3 saves NotEqual and Any op layers.
  embed_mask      Input((None,), int32) -> Embedding(12, 4, mask_zero) -> LSTM(5, return_sequences) -> GRU(3)
                  -> Dense(2), ids with trailing and inner zeros; mse, SGD(0.1). Keras 3 saves a NotEqual layer.
  embed_mask_seq  the same as a Sequential (no op layers: the mask is implicit), LSTM(4) -> Dense(2); SGD(0.1, momentum 0.9).
  masking_bidir_seq  Sequential: Masking(-1.0) -> Bidirectional(SimpleRNN(3, return_sequences)) -> Activation(tanh)
                  -> GRU(2) -> Dense(2), padded with -1 (the mask implicit, through the Bidirectional and Activation).
  ops_mix         Input((5, 3)) -> Dense(4) and the input through Mean, Max, Min, Sum (keepdims too), Greater,
                  Equal, LogicalNot, NotEqual + Any, GreaterEqual + All, LessEqual, Less, Cast to int32 and float32,
                  concatenated -> Dense(2); mse, Adam(0.01). Predicted at its one length.
  masking_rnn_cells  Input((None, 3)) -> Masking -> RNN(StackedRNNCells([GRUCell(4), LSTMCell(3, kernel L2)]),
                  return_sequences) -> RNN(SimpleRNNCell(3)) -> Dense(2), padded as masking_gru; mse, Adam(0.01).
  embed_gap       Embedding(mask_zero) -> GlobalAveragePooling1D -> Dense: a mask Kerasport refuses (MaskedExportTest).
  corpus          with --corpus FILE: see corpus_case.

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers, regularizers  # noqa: E402

BATCH = 6
LENGTHS = (5, 9)            # the two prediction lengths
TRAIN_LENGTHS = (6, 8, 6)   # one length per training batch
VOCAB = 12


def gru_free():
    x = keras.Input((None, 3), name="x")
    h = layers.GRU(4, name="gru")(x)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="gru_free"), lambda: keras.optimizers.Adam(0.01)


def lstm_free():
    x = keras.Input((None, 3), name="x")
    h = layers.LSTM(5, return_sequences=True, name="lstm1")(x)
    h = layers.LSTM(3, kernel_regularizer=regularizers.L2(0.01), name="lstm2")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="lstm_free"), lambda: keras.optimizers.SGD(0.1)


def conv1d_free():
    x = keras.Input((None, 3), name="x")
    h = layers.Conv1D(4, 3, activation="relu", name="conv")(x)
    h = layers.GlobalMaxPooling1D(name="pool")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="conv1d_free"), lambda: keras.optimizers.Adam(0.01)


def masking_gru():
    x = keras.Input((None, 3), name="x")
    h = layers.Masking(name="mask")(x)
    h = layers.GRU(4, return_sequences=True, name="gru1")(h)
    h = layers.GRU(3, name="gru2")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="masking_gru"), lambda: keras.optimizers.Adam(0.01)


def embed_mask():
    x = keras.Input((None,), dtype="int32", name="ids")
    h = layers.Embedding(VOCAB, 4, mask_zero=True, name="emb")(x)
    h = layers.LSTM(5, return_sequences=True, name="lstm")(h)
    h = layers.GRU(3, name="gru")(h)
    out = layers.Dense(2, name="out")(h)
    # SGD: Keras 3's Adam squares each occurrence's gradient of an Embedding (IndexedSlices) before summing them
    return keras.Model(x, out, name="embed_mask"), lambda: keras.optimizers.SGD(0.1)


def embed_mask_seq():
    m = keras.Sequential([keras.Input((None,), dtype="int32", name="ids"),
                          layers.Embedding(VOCAB, 4, mask_zero=True, name="emb"),
                          layers.LSTM(4, name="lstm"), layers.Dense(2, name="out")], name="embed_mask_seq")
    return m, lambda: keras.optimizers.SGD(0.1, momentum=0.9)


def masking_bidir_seq():
    """Sequential (implicit mask): Masking(-1) -> Bidirectional(SimpleRNN, sequences) -> Activation -> GRU."""
    m = keras.Sequential([keras.Input((None, 3), name="x"), layers.Masking(-1.0, name="mask"),
                          layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), name="bi"),
                          layers.Activation("tanh", name="act"), layers.GRU(2, name="gru"),
                          layers.Dense(2, name="out")], name="masking_bidir_seq")
    return m, lambda: keras.optimizers.Adam(0.01)


def masking_rnn_cells():
    """Masking -> RNN(StackedRNNCells([GRUCell, LSTMCell]), sequences) -> RNN(SimpleRNNCell): the mask reaches every
    stacked cell and passes on to the next RNN."""
    x = keras.Input((None, 3), name="x")
    h = layers.Masking(name="mask")(x)
    h = layers.RNN(layers.StackedRNNCells([layers.GRUCell(4), layers.LSTMCell(3, kernel_regularizer=regularizers.L2(0.01))]),
                   return_sequences=True, name="stack")(h)
    h = layers.RNN(layers.SimpleRNNCell(3), name="simple")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="masking_rnn_cells"), lambda: keras.optimizers.Adam(0.01)


def embed_gap():
    """A mask reaching GlobalAveragePooling1D (a masked mean in Keras), which Kerasport refuses by name."""
    x = keras.Input((None,), dtype="int32", name="ids")
    h = layers.Embedding(VOCAB, 4, mask_zero=True, name="emb")(x)
    h = layers.GlobalAveragePooling1D(name="gap")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="embed_gap"), lambda: keras.optimizers.SGD(0.1)


def ops_mix():
    """Keras 3 operation layers on a fixed-length input: reductions (gradients) and comparisons, logic and casts
    (no gradients), concatenated before a Dense."""
    from keras import ops
    x = keras.Input((5, 3), name="x")
    h = layers.Dense(4, name="d")(x)
    parts = [ops.mean(h, axis=1), ops.max(h, axis=1), ops.sum(h, axis=-1), ops.min(h, axis=1),
             ops.mean(ops.sum(h, axis=2, keepdims=True), axis=-1),
             ops.mean(ops.cast(ops.greater(x, 0.0), "float32"), axis=-1),
             ops.sum(ops.cast(ops.logical_not(ops.equal(x, 0.0)), "float32"), axis=2),
             ops.cast(ops.any(ops.not_equal(x, 0.5), axis=-1), "float32"),
             ops.cast(ops.all(ops.greater_equal(x, -1.0), axis=2), "float32"),
             ops.sum(ops.cast(ops.cast(ops.less_equal(x, 0.2), "int32"), "float32"), axis=-1),
             ops.mean(ops.cast(ops.cast(x * 3.0, "int32"), "float32"), axis=-1),
             ops.max(ops.cast(ops.less(x, -0.3), "float32"), axis=-1)]
    h = layers.Concatenate(name="cat")(parts)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="ops_mix"), lambda: keras.optimizers.Adam(0.01)


def perturb(model, rng):
    for v in model.weights:
        v.assign(rng.normal(0, 0.5, size=v.shape).astype("float32"))


def sample_x(model, rng, n, length, masked):
    t = model.inputs[0]
    if t.dtype.startswith("int"):
        ids = rng.integers(1, VOCAB, size=(n, length))
        for i in range(n):  # padding at the end (row-dependent), and an inner zero in some rows
            ids[i, length - (i % 3):] = 0
            if i % 2:
                ids[i, 1] = 0
        return ids.astype("int32")
    if t.shape[1] is not None:
        length = t.shape[1]
    x = rng.normal(0, 1, size=(n, length, 3)).astype("float32")
    if model.name == "ops_mix":  # exact operands of the comparisons
        flat = x.reshape(-1)
        idx = rng.permutation(flat.size)
        flat[idx[:6]] = 0.0
        flat[idx[6:12]] = 0.5
        flat[idx[12:18]] = -1.0
        flat[idx[18:24]] = 0.2
    if masked:
        pad = -1.0 if model.name == "masking_bidir_seq" else 0.0
        for i in range(n):
            x[i, length - (i % 3):, :] = pad
            if i % 2:
                x[i, 1, :] = pad
    return x


def weight_key(layer, v):
    # a path may start with the model and layer ("seq/bi/forward_simple_rnn/...") or, in a loaded Bidirectional,
    # with its inner layer only ("forward_simple_rnn/simple_rnn_cell/kernel")
    parts = v.path.split("/")
    rel = "/".join(parts[parts.index(layer.name) + 1:]) if layer.name in parts else v.path
    return layer.name + "__" + rel.replace("/", ".")


def build(name, fn, out_dir, rng):
    model, opt = fn()
    perturb(model, rng)
    masked = name.startswith("masking")
    d = kcases.save_case(model, out_dir, name, opt(), "mean_squared_error")
    npz = {}
    for key, length in zip(("", "2"), LENGTHS):
        x = sample_x(model, rng, 4, length, masked)
        npz["x" + key] = x
        npz["y" + key] = np.asarray(model.predict(x, verbose=0))
    m2 = keras.models.load_model(os.path.join(d, "model.keras"), compile=False)
    m2.compile(optimizer=opt(), loss="mean_squared_error")
    losses, logs = [], []
    for k, length in enumerate(TRAIN_LENGTHS):
        xb = sample_x(m2, rng, BATCH, length, masked)
        yb = rng.normal(0, 1, size=(BATCH, 2)).astype("float32")
        npz["train_x__%d" % k] = xb
        npz["train_y__%d" % k] = yb
        log = m2.train_on_batch(xb, yb, return_dict=True)
        logs.append({kk: float(vv) for kk, vv in log.items()})
        losses.append(float(log["loss"]))
        for i, layer in enumerate(m2.layers):
            for j, v in enumerate(layer.weights):
                # a reloaded RNN's cells are built outside it and renamed: its variables are named as saved
                orig = model.layers[i]
                key = weight_key(orig, orig.weights[j]) if type(layer) is layers.RNN else weight_key(layer, v)
                npz["after__%d__%s" % (k, key)] = np.asarray(v.numpy())
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {
        "case": name, "keras_version": keras.__version__,
        "inputs": [{"name": model.inputs[0].name.split(":")[0], "npz_key": "x"}],
        "outputs": [{"name": model.layers[-1].name, "npz_key": "y"}],
        "lengths": list(LENGTHS), "train_lengths": list(TRAIN_LENGTHS),
        "training": {"steps": len(TRAIN_LENGTHS), "losses": losses, "train_on_batch_logs": logs},
        "tolerance": {"predict_abs": 1e-5, "loss_abs": 3e-5, "train_abs": 1e-4},
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return name


def corpus_case(path, out_dir, rng):
    """A Keras 2 file Keras 3 cannot load (its GRU config holds time_major): the same model rebuilt by Keras 3 from
    the file's own config without that field (it was False: batch-major, Keras 3's only layout), with the file's
    weights loaded by Keras 3, predicts at two lengths. Written as OUT_DIR/corpus/{case.json, reference.npz}."""
    import h5py
    with h5py.File(path, "r") as f:
        cfg = json.loads(f.attrs["model_config"])
    for layer in cfg["config"]["layers"]:
        if layer["config"].pop("time_major", False):
            raise SystemExit("time_major=True is not batch-major")
    model = keras.Sequential.from_config(cfg["config"])
    model.load_weights(path)
    d = os.path.join(out_dir, "corpus")
    os.makedirs(d, exist_ok=True)
    npz = {}
    features = model.inputs[0].shape[-1]
    for key, length in zip(("", "2"), (7, 30)):
        x = rng.normal(0, 1, size=(3, length, features)).astype("float32")
        npz["x" + key] = x
        npz["y" + key] = np.asarray(model.predict(x, verbose=0))
    np.savez(os.path.join(d, "reference.npz"), **npz)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"case": "corpus", "source": path, "keras_version": keras.__version__,
                   "tolerance": {"predict_abs": 1e-5}}, f, indent=1)


CASES = (("gru_free", gru_free), ("lstm_free", lstm_free), ("conv1d_free", conv1d_free),
         ("masking_gru", masking_gru), ("embed_mask", embed_mask), ("embed_mask_seq", embed_mask_seq),
         ("masking_bidir_seq", masking_bidir_seq), ("ops_mix", ops_mix), ("embed_gap", embed_gap),
         ("masking_rnn_cells", masking_rnn_cells))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--only", default=None, help="comma-separated case names")
    ap.add_argument("--corpus", default=None, help="also: a Keras 2 GRU .h5 rebuilt by Keras 3 (corpus_case)")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    keras.utils.set_random_seed(a.seed)
    only = None if a.only is None else set(a.only.split(","))
    names = [build(n, f, a.out, rng) for n, f in CASES if only is None or n in only]
    if a.corpus:
        corpus_case(a.corpus, a.out, rng)
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

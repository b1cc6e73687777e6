#!/usr/bin/env python3
"""Writes seeded random Keras models with REAL Keras, plus the facts the Java reader must find.

Usage:  python generate_read_models.py OUT_DIR [--seed N] [--count K]

For every model OUT_DIR/<name>/ receives:
  model.keras        model.save(...)                 Keras 3 native zip (config.json + model.weights.h5)
  model.h5           model.save(...) with .h5        the legacy HDF5 writer
  model.weights.h5   model.save_weights(...)         Keras 3 weights-only layout
  model.json         model.to_json()                 architecture for the weights-only pair
  facts.json         what the Java reader must find (schema: see FACTS SCHEMA below and README.md)

Every fact is read back from the live Keras objects (model.layers, layer.get_config(),
variable.path, variable.regularizer, model.get_compile_config(), ...) and cross-checked against
the files Keras wrote; nothing in facts.json is copied from a constant in this script.
Each saved form is reloaded by Keras and must reproduce the predictions on a random batch;
a form Keras cannot write or reload is listed in "skip_forms" with the reason instead.

Determinism: architectures, sizes, lambda values, optimizer and loss settings come from
numpy.random.default_rng([seed, model_index]) and keras.utils.set_random_seed, so a seed
always gives the same models (weights are seeded too, but need not be bit-identical across runs).

FACTS SCHEMA (facts.json)
  name, keras_version, backend, seed, index, template
  model_class            "Sequential" | "Functional"          (class_name in the saved config)
  inputs                 [{name, shape, dtype}]               model.inputs order; name = InputLayer name
  outputs                [{name, shape}]                      model.outputs order; name = producing layer
  layers                 [{name, class_name, trainable, params, output_shape, calls}]
                           model.layers order (top level only; a nested model is one entry with its
                           class; a Functional model lists its InputLayers, a Sequential does not).
                           params = layer.count_params(); output_shape = shape of the first call;
                           calls = how many times the layer is applied (2 for a shared layer).
  weights                [{layer, name, path, shape, dtype, trainable, h5_index, keras_store}]
                           ORDER: for each top-level layer in model.layers order, that layer's
                           `layer.weights` order (own variables, trainable then non-trainable, then
                           sublayers recursively). For a plain layer this is the save_own_variables
                           order (= vars/0..n of .keras, = weight_names of .h5). For a composite
                           layer (nested model, Bidirectional, MultiHeadAttention) the legacy .h5
                           order differs: it is layer.trainable_weights + layer.non_trainable_weights,
                           given per weight as h5_index (position in /model_weights/<layer>@weight_names).
                           name  = variable.path after the top-level layer's name component, '/' -> '.'
                                   ("kernel", "lstm_cell.kernel", "forward_lstm.lstm_cell.kernel",
                                   "sub_d1.kernel", "query.kernel", "dense.kernel").
                           path  = variable.path verbatim (= the legacy .h5 weight_names entry).
                           keras_store = the dataset Keras wrote in model.weights.h5 (inside the
                                   .keras zip and in the standalone file), e.g.
                                   "layers/bidirectional/forward_layer/cell/vars/0".
                           trainable = the variable is in model.trainable_weights (false for the
                                   weights of a trainable=False layer and for BN moving statistics).
                           dtype = variable dtype ("float32"; "bfloat16" in the bfloat16 model).
  regularizers           [{layer, weight, owner, config_key, class_name, l1, l2, factor, mode,
                           config, contributes_to_loss}]
                           one entry per regularized variable (variable.regularizer is not None), in
                           weights order. l1/l2 default to 0.0 and factor/mode to null when the class
                           has no such field. config = the regularizer's get_config() exactly as Keras
                           writes it into the model config (floats as Keras stores them).
                           owner = name of the innermost layer owning the variable ("lstm_cell",
                           "query", "sub_d1", or the top-level layer itself); config_key = the key of
                           that regularizer in the layer config ("kernel_regularizer",
                           "recurrent_regularizer", "depthwise_regularizer", ...); the same key holds
                           it in the top-level layer's config (LSTM, MultiHeadAttention,
                           Bidirectional's inner "layer", TimeDistributed's inner "layer").
                           contributes_to_loss = variable is trainable (Keras 3 adds penalties only
                           for trainable variables).
  activity_regularizers  [{layer, sublayer, class_name, l1, l2, config}]  (sublayer null = top level)
  optimizer              {class_name, config, variables: [{path, shape, dtype}]} | null (uncompiled)
                           config = optimizer.get_config() made JSON-safe; variables = optimizer
                           variables after the one training step (their order is the file order).
  loss, loss_weights, metrics, weighted_metrics   model.get_compile_config() values (serialized the
                           way Keras writes compile_config); null for the uncompiled model.
  trained_steps          1 when compiled (one train_on_batch so optimizer state exists), else 0;
                           also 0 for the bfloat16 model, which Keras 3.15.1 cannot train (its
                           optimizer then has only iteration + learning_rate... as built on save).
  forms                  {"keras": "model.keras", "h5": "model.h5", "weights": ["model.json",
                           "model.weights.h5"]}, minus skipped forms
  skip_forms             [{"form": "h5"|"keras"|"weights", "reason": "...", "file_kept": bool}]
                           (empty when all work). file_kept = Keras wrote the file but cannot reload
                           it, or reloads it with different predictions; it stays on disk as a
                           real-Keras sample but is not in "forms". With seed 7 the only skip is
                           the bfloat16 model's "h5": the legacy writer stores bfloat16 as opaque
                           |V2 datasets without a dtype attribute and its loader fails
                           ("No cast function available.").
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time
import warnings
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

try:  # silence absl (Keras' own logging) before keras is imported
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
except Exception:  # pragma: no cover
    pass

import h5py  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402
from keras import regularizers as R  # noqa: E402
from keras.src.saving import saving_lib  # noqa: E402  (only observed, never used to write)

import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")
keras.utils.disable_interactive_logging()


# --------------------------------------------------------------------------- random draws

def lam(rng):
    """A regularization factor, log-uniform in [1e-5, 1e-1]."""
    return float(10.0 ** rng.uniform(-5.0, -1.0))


def reg(rng, kind):
    if kind == "l1":
        return R.L1(lam(rng))
    if kind == "l2":
        return R.L2(lam(rng))
    if kind == "l1l2":
        return R.L1L2(l1=lam(rng), l2=lam(rng))
    if kind == "l1l2_l1only":
        return R.L1L2(l1=lam(rng), l2=0.0)
    if kind == "orthogonal":
        return R.OrthogonalRegularizer(factor=lam(rng), mode=("rows", "columns")[int(rng.integers(2))])
    raise ValueError(kind)


def size(rng, lo, hi):
    return int(rng.integers(lo, hi + 1))


# --------------------------------------------------------------------------- model templates
# Each returns (model, compile_kwargs | None, targets) where targets gives, per model output,
# how to draw training labels: "regress" | "onehot" | "sparse" | "binary".
# Integer inputs are described by model attribute `_gen_int_inputs` = {input_name: vocab}.

def t_dense_mlp(rng):
    n_in, h1, h2, k = size(rng, 3, 8), size(rng, 4, 10), size(rng, 3, 8), size(rng, 2, 5)
    m = keras.Sequential([
        L.Input((n_in,), name="x"),
        L.Dense(h1, activation="relu", name="d1",
                kernel_regularizer=reg(rng, "l2"), bias_regularizer=reg(rng, "l1"),
                activity_regularizer=reg(rng, "l1l2")),
        L.Dense(h2, activation="tanh", use_bias=False, name="d2_nobias",
                kernel_regularizer=reg(rng, "l1l2_l1only")),
        L.Dense(k, activation="softmax", name="out", kernel_regularizer=reg(rng, "l1l2")),
    ], name="dense_mlp")
    opt = keras.optimizers.SGD(learning_rate=float(rng.uniform(0.001, 0.1)),
                               momentum=float(rng.uniform(0.5, 0.95)), nesterov=True)
    return m, dict(optimizer=opt, loss="categorical_crossentropy", metrics=["accuracy"]), ["onehot"]


def t_lstm_gru(rng):
    t, f, u1, u2, u3 = size(rng, 3, 6), size(rng, 2, 5), size(rng, 2, 6), size(rng, 2, 6), size(rng, 2, 6)
    m = keras.Sequential([
        L.Input((t, f), name="seq"),
        L.LSTM(u1, return_sequences=True, name="lstm",
               kernel_regularizer=reg(rng, "l2"), recurrent_regularizer=reg(rng, "l1"),
               bias_regularizer=reg(rng, "l1l2")),
        L.GRU(u2, return_sequences=True, reset_after=True, name="gru_reset_after",
              kernel_regularizer=reg(rng, "l1"), recurrent_regularizer=reg(rng, "l2"),
              bias_regularizer=reg(rng, "l2")),
        L.GRU(u3, reset_after=False, name="gru_reset_before",
              kernel_regularizer=reg(rng, "l1l2"), recurrent_regularizer=reg(rng, "l1l2_l1only"),
              bias_regularizer=reg(rng, "l1")),
        L.Dense(size(rng, 1, 4), name="out"),
    ], name="lstm_gru")
    opt = keras.optimizers.Adam(learning_rate=float(rng.uniform(1e-4, 1e-2)), amsgrad=True,
                                clipnorm=float(rng.uniform(0.5, 5.0)))
    return m, dict(optimizer=opt, loss="mse", metrics=["mae"]), ["regress"]


def t_simplernn_td(rng):
    t, f, u, k = size(rng, 3, 6), size(rng, 2, 5), size(rng, 2, 7), size(rng, 1, 4)
    m = keras.Sequential([
        L.Input((t, f), name="seq"),
        L.SimpleRNN(u, return_sequences=True, name="rnn",
                    kernel_regularizer=reg(rng, "l1l2"), recurrent_regularizer=reg(rng, "l2"),
                    bias_regularizer=reg(rng, "l1")),
        L.TimeDistributed(L.Dense(k, name="dense", kernel_regularizer=reg(rng, "l2")), name="td"),
    ], name="simplernn_td")
    opt = keras.optimizers.AdamW(learning_rate=float(rng.uniform(1e-4, 1e-2)),
                                 weight_decay=lam(rng) * 10.0)
    return m, dict(optimizer=opt, loss="mae"), ["regress"]


def t_bilstm(rng):
    t, f, u = size(rng, 3, 6), size(rng, 2, 5), size(rng, 2, 5)
    x = L.Input((t, f), name="seq")
    h = L.Bidirectional(L.LSTM(u, name="lstm", kernel_regularizer=reg(rng, "l2"),
                               recurrent_regularizer=reg(rng, "l1"),
                               bias_regularizer=reg(rng, "l1l2")), name="bilstm")(x)
    y = L.Dense(1, name="logit")(h)
    m = keras.Model(x, y, name="bilstm_model")
    opt = keras.optimizers.RMSprop(learning_rate=float(rng.uniform(1e-4, 1e-2)),
                                   momentum=float(rng.uniform(0.1, 0.9)), centered=True)
    return m, dict(optimizer=opt, loss=keras.losses.BinaryCrossentropy(from_logits=True),
                   metrics=[keras.metrics.BinaryAccuracy(name="acc")]), ["binary"]


def t_conv2d_stack(rng):
    hw, c, f1, dm, f2, k = size(rng, 6, 9), size(rng, 1, 3), size(rng, 2, 5), size(rng, 1, 2), size(rng, 2, 5), size(rng, 2, 4)
    m = keras.Sequential([
        L.Input((hw, hw, c), name="img"),
        L.Conv2D(f1, 3, padding="same", activation="relu", name="conv",
                 kernel_regularizer=reg(rng, "l2"), bias_regularizer=reg(rng, "l1"),
                 activity_regularizer=reg(rng, "l2")),
        L.BatchNormalization(name="bn", gamma_regularizer=reg(rng, "l2"), beta_regularizer=reg(rng, "l1")),
        L.DepthwiseConv2D(3, depth_multiplier=dm, name="dwconv",
                          depthwise_regularizer=reg(rng, "l1l2"), bias_regularizer=reg(rng, "l2")),
        L.SeparableConv2D(f2, 3, padding="same", depth_multiplier=dm, name="sepconv",
                          depthwise_regularizer=reg(rng, "l1"), pointwise_regularizer=reg(rng, "l2"),
                          bias_regularizer=reg(rng, "l1l2")),
        L.BatchNormalization(scale=False, name="bn_noscale", beta_regularizer=reg(rng, "l2")),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(k, activation="softmax", name="out"),
    ], name="conv2d_stack")
    opt = keras.optimizers.Adagrad(learning_rate=float(rng.uniform(1e-3, 1e-1)),
                                   initial_accumulator_value=float(rng.uniform(0.05, 0.2)))
    return m, dict(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"]), ["sparse"]


def t_conv1d_sep(rng):
    t, c, f1, f2 = size(rng, 6, 10), size(rng, 1, 4), size(rng, 2, 6), size(rng, 2, 6)
    m = keras.Sequential([
        L.Input((t, c), name="signal"),
        L.Conv1D(f1, 3, activation="relu", name="conv1d",
                 kernel_regularizer=reg(rng, "l1"), bias_regularizer=reg(rng, "l2")),
        L.SeparableConv1D(f2, 3, name="sepconv1d", depthwise_regularizer=reg(rng, "l2"),
                          pointwise_regularizer=reg(rng, "l1"), bias_regularizer=reg(rng, "l1")),
        L.LayerNormalization(name="ln", gamma_regularizer=reg(rng, "l1l2"), beta_regularizer=reg(rng, "l2")),
        L.GlobalMaxPooling1D(name="gmp"),
        L.Dense(size(rng, 1, 3), name="out"),
    ], name="conv1d_sep")
    opt = keras.optimizers.Adadelta(learning_rate=float(rng.uniform(0.1, 1.0)), rho=float(rng.uniform(0.9, 0.99)))
    return m, dict(optimizer=opt, loss="huber"), ["regress"]


def t_conv3d(rng):
    d, c, f = size(rng, 3, 5), size(rng, 1, 2), size(rng, 2, 4)
    m = keras.Sequential([
        L.Input((d, d, d, c), name="vol"),
        L.Conv3D(f, 2, name="conv3d", kernel_regularizer=reg(rng, "l2"), bias_regularizer=reg(rng, "l1")),
        L.Flatten(name="flat"),
        L.Dense(size(rng, 1, 3), name="out"),
    ], name="conv3d_model")
    opt = keras.optimizers.Adamax(learning_rate=float(rng.uniform(1e-3, 1e-2)),
                                  clipvalue=float(rng.uniform(0.1, 1.0)))
    return m, dict(optimizer=opt, loss="mse"), ["regress"]


def t_conv2d_transpose_prelu(rng):
    hw, c, f = size(rng, 3, 6), size(rng, 1, 3), size(rng, 2, 5)
    m = keras.Sequential([
        L.Input((hw, hw, c), name="img"),
        L.Conv2DTranspose(f, 3, strides=2, name="deconv",
                          kernel_regularizer=reg(rng, "l1l2"), bias_regularizer=reg(rng, "l2")),
        L.PReLU(name="prelu", alpha_regularizer=reg(rng, "l2")),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(size(rng, 1, 3), name="out"),
    ], name="deconv_prelu")
    opt = keras.optimizers.Nadam(learning_rate=float(rng.uniform(1e-4, 1e-2)),
                                 global_clipnorm=float(rng.uniform(0.5, 5.0)))
    return m, dict(optimizer=opt, loss="mae", metrics=["mse"]), ["regress"]


def t_embedding_mha(rng):
    t, vocab, e, heads, kd, k = size(rng, 3, 6), size(rng, 8, 20), size(rng, 2, 6), size(rng, 1, 3), size(rng, 2, 4), size(rng, 2, 4)
    x = L.Input((t,), dtype="int32", name="tokens")
    h = L.Embedding(vocab, e, name="emb", embeddings_regularizer=reg(rng, "l2"))(x)
    h = L.MultiHeadAttention(heads, kd, name="mha", kernel_regularizer=reg(rng, "l2"),
                             bias_regularizer=reg(rng, "l1"))(h, h)
    h = L.LayerNormalization(name="ln")(h)
    h = L.GlobalAveragePooling1D(name="pool")(h)
    y = L.Dense(k, activation="softmax", name="out")(h)
    m = keras.Model(x, y, name="embedding_mha")
    m._gen_int_inputs = {"tokens": vocab}
    opt = keras.optimizers.Adam(learning_rate=float(rng.uniform(1e-4, 1e-2)), weight_decay=lam(rng) * 10.0)
    return m, dict(optimizer=opt, loss="sparse_categorical_crossentropy",
                   metrics=["sparse_categorical_accuracy"]), ["sparse"]


def t_two_in_two_out(rng):
    n, h, k = size(rng, 3, 6), size(rng, 3, 8), size(rng, 2, 4)
    a = L.Input((n,), name="in_a")
    b = L.Input((n,), name="in_b")
    shared = L.Dense(h, activation="relu", name="shared",
                     kernel_regularizer=reg(rng, "l2"), bias_regularizer=reg(rng, "l1"))
    z = L.Concatenate(name="concat")([shared(a), shared(b)])
    z = L.Dense(h, activation="relu", name="trunk", kernel_regularizer=reg(rng, "l1l2"),
                activity_regularizer=reg(rng, "l1"))(z)
    y1 = L.Dense(1, name="reg_out")(z)
    y2 = L.Dense(k, activation="softmax", name="cls_out", kernel_regularizer=reg(rng, "l1"))(z)
    m = keras.Model([a, b], [y1, y2], name="two_in_two_out")
    sched = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=float(rng.uniform(1e-3, 1e-1)), decay_steps=size(rng, 10, 1000),
        decay_rate=float(rng.uniform(0.5, 0.99)), staircase=bool(rng.integers(2)))
    opt = keras.optimizers.SGD(learning_rate=sched)
    return m, dict(optimizer=opt,
                   loss={"reg_out": "mean_squared_error", "cls_out": "categorical_crossentropy"},
                   loss_weights={"reg_out": float(rng.uniform(0.1, 2.0)), "cls_out": float(rng.uniform(0.1, 2.0))},
                   metrics={"reg_out": ["mae"], "cls_out": ["accuracy"]}), ["regress", "onehot"]


def t_nested_frozen(rng):
    n, h1, h2, h3 = size(rng, 3, 7), size(rng, 3, 8), size(rng, 3, 8), size(rng, 3, 6)
    frozen = L.Dense(h1, activation="relu", name="frozen", kernel_regularizer=reg(rng, "l2"),
                     bias_regularizer=reg(rng, "l1"))
    frozen.trainable = False
    inner = keras.Sequential([
        L.Input((h1,), name="inner_in"),
        L.Dense(h2, activation="relu", name="sub_d1", kernel_regularizer=reg(rng, "l1"),
                bias_regularizer=reg(rng, "l2")),
        L.BatchNormalization(name="sub_bn", gamma_regularizer=reg(rng, "l1"), beta_regularizer=reg(rng, "l2")),
        L.Dense(h3, name="sub_d2", kernel_regularizer=reg(rng, "orthogonal")),
    ], name="inner")
    x = L.Input((n,), name="x")
    y = L.Dense(1, activation="sigmoid", name="out")(inner(frozen(x)))
    m = keras.Model(x, y, name="nested_frozen")
    opt = keras.optimizers.RMSprop(learning_rate=float(rng.uniform(1e-4, 1e-2)), rho=float(rng.uniform(0.8, 0.95)))
    return m, dict(optimizer=opt, loss="binary_crossentropy", metrics=["binary_accuracy"]), ["binary"]


def t_uncompiled(rng):
    n, h = size(rng, 3, 8), size(rng, 3, 8)
    m = keras.Sequential([
        L.Input((n,), name="x"),
        L.Dense(h, activation="relu", name="d1", kernel_regularizer=reg(rng, "l1l2"),
                activity_regularizer=reg(rng, "l2")),
        L.Dense(size(rng, 1, 4), name="out", bias_regularizer=reg(rng, "l1l2_l1only")),
    ], name="uncompiled")
    return m, None, ["regress"]


def t_bf16_dense(rng):
    n, h = size(rng, 2, 6), size(rng, 2, 6)
    m = keras.Sequential([
        L.Input((n,), name="x"),
        L.Dense(h, activation="relu", name="d1", dtype="bfloat16", kernel_regularizer=reg(rng, "l2")),
        L.Dense(size(rng, 1, 3), name="out", dtype="bfloat16", bias_regularizer=reg(rng, "l1")),
    ], name="bf16_dense")
    opt = keras.optimizers.SGD(learning_rate=float(rng.uniform(1e-3, 1e-1)))
    # Keras 3.15.1 cannot train it: compute_loss sums the float32 data loss with the bfloat16
    # weight penalties ("Cannot convert a list containing a tensor of dtype bfloat16").
    m._gen_no_train = True
    return m, dict(optimizer=opt, loss="mean_absolute_error"), ["regress"]


TEMPLATES = [
    ("dense_mlp", t_dense_mlp),
    ("lstm_gru", t_lstm_gru),
    ("simplernn_td", t_simplernn_td),
    ("bilstm", t_bilstm),
    ("conv2d_stack", t_conv2d_stack),
    ("conv1d_sep", t_conv1d_sep),
    ("conv3d", t_conv3d),
    ("conv2d_transpose_prelu", t_conv2d_transpose_prelu),
    ("embedding_mha", t_embedding_mha),
    ("two_in_two_out", t_two_in_two_out),
    ("nested_frozen", t_nested_frozen),
    ("uncompiled", t_uncompiled),
    ("bf16_dense", t_bf16_dense),
]


# --------------------------------------------------------------------------- helpers

def jsonable(o):
    """Make Keras/numpy values JSON-safe (non-finite floats are errors: they'd be invalid JSON)."""
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if isinstance(o, (bool, np.bool_)):
        return bool(o)
    if isinstance(o, (int, np.integer)):
        return int(o)
    if isinstance(o, (float, np.floating)):
        f = float(o)
        if not math.isfinite(f):
            raise ValueError(f"non-finite float in facts: {f}")
        return f
    if o is None or isinstance(o, str):
        return o
    if isinstance(o, np.ndarray):
        return jsonable(o.tolist())
    if hasattr(o, "numpy"):
        return jsonable(np.asarray(o.numpy()))
    return jsonable(keras.saving.serialize_keras_object(o))


def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def history_layer(tensor):
    return tensor._keras_history[0]


def strip_shared(o):
    """Drops the "shared_object_id" keys Keras adds to objects serialized more than once."""
    if isinstance(o, dict):
        return {k: strip_shared(v) for k, v in o.items() if k != "shared_object_id"}
    if isinstance(o, list):
        return [strip_shared(v) for v in o]
    return o


def contains(haystack, needle):
    """True if `needle` (a dict) occurs somewhere in a nested JSON structure
    (ignoring the "shared_object_id" bookkeeping keys)."""
    if isinstance(haystack, dict) and strip_shared(haystack) == needle:
        return True
    if isinstance(haystack, dict):
        return any(contains(v, needle) for v in haystack.values())
    if isinstance(haystack, list):
        return any(contains(v, needle) for v in haystack)
    return False


def own_variables(layer):
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)


def walk_layers(layer):
    """Layer and all its sublayers, depth first (layer first)."""
    yield layer
    for sub in layer._layers:
        yield from walk_layers(sub)


def relative_name(top_name, var_path):
    parts = var_path.split("/")
    if top_name not in parts:
        raise AssertionError(f"variable path {var_path!r} has no component {top_name!r}")
    rest = parts[parts.index(top_name) + 1:]
    if not rest:
        raise AssertionError(f"variable path {var_path!r} ends at the layer name")
    return ".".join(rest)


def reg_fields(regularizer):
    ser = keras.regularizers.serialize(regularizer)
    cfg = jsonable(regularizer.get_config())
    return {
        "class_name": ser["class_name"],
        "l1": float(cfg.get("l1", 0.0)),
        "l2": float(cfg.get("l2", 0.0)),
        "factor": cfg.get("factor"),
        "mode": cfg.get("mode"),
        "config": cfg,
    }, ser


class StoreRecorder:
    """Observes (never changes) which variable Keras writes to which model.weights.h5 dataset."""

    def __init__(self):
        self.by_id = {}
        self._orig = saving_lib.H5IOStore.__setitem__

    def __enter__(self):
        orig, rec = self._orig, self.by_id

        def setitem(store, key, value):
            base = store._h5_entry_path
            rec.setdefault(id(value), []).append(f"{base}/vars/{key}" if base else f"vars/{key}")
            return orig(store, key, value)

        saving_lib.H5IOStore.__setitem__ = setitem
        return self

    def __exit__(self, *exc):
        saving_lib.H5IOStore.__setitem__ = self._orig


def make_inputs(model, rng, batch):
    ints = getattr(model, "_gen_int_inputs", {})
    xs = []
    for t in model.inputs:
        shp = [batch] + [int(d) for d in t.shape[1:]]
        name = history_layer(t).name
        if name in ints:
            xs.append(rng.integers(0, ints[name], size=shp).astype("int32"))
        else:
            xs.append(rng.standard_normal(shp).astype("float32"))
    return xs[0] if len(xs) == 1 else xs


def make_targets(model, targets, rng, batch):
    ys = []
    for t, kind in zip(model.outputs, targets):
        shp = [batch] + [int(d) for d in t.shape[1:]]
        if kind == "regress":
            ys.append(rng.standard_normal(shp).astype("float32"))
        elif kind == "binary":
            ys.append(rng.integers(0, 2, size=shp).astype("float32"))
        elif kind == "onehot":
            ys.append(np.eye(shp[-1], dtype="float32")[rng.integers(0, shp[-1], size=shp[:-1])])
        elif kind == "sparse":
            ys.append(rng.integers(0, shp[-1], size=shp[:-1]).astype("int32"))
        else:
            raise ValueError(kind)
    return ys[0] if len(ys) == 1 else ys


def predict(model, x):
    out = model(x, training=False)
    return [np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(o, "float32"))) for o in keras.tree.flatten(out)]


def same_predictions(a, b):
    if len(a) != len(b):
        return f"output count {len(a)} != {len(b)}"
    for i, (p, q) in enumerate(zip(a, b)):
        if p.shape != q.shape:
            return f"output {i} shape {p.shape} != {q.shape}"
        if not np.allclose(p, q, rtol=1e-5, atol=1e-6):
            return f"output {i} differs by {float(np.max(np.abs(p - q)))}"
    return None


def read_attr_list(group, name):
    if name in group.attrs:
        vals = group.attrs[name]
    else:
        vals, i = [], 0
        while f"{name}{i}" in group.attrs:
            vals.extend(group.attrs[f"{name}{i}"])
            i += 1
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in vals]


# --------------------------------------------------------------------------- one model

def generate(out_dir, seed, index):
    tname, builder = TEMPLATES[index % len(TEMPLATES)]
    name = f"{index:02d}_{tname}"
    mdir = os.path.join(out_dir, name)
    os.makedirs(mdir, exist_ok=True)
    for f in ("model.keras", "model.h5", "model.weights.h5", "model.json", "facts.json"):
        if os.path.exists(os.path.join(mdir, f)):
            os.remove(os.path.join(mdir, f))

    keras.backend.clear_session()
    keras.utils.set_random_seed((seed * 1000 + index) % 2**32)
    rng = np.random.default_rng([seed, index])
    model, compile_kwargs, targets = builder(rng)
    data_rng = np.random.default_rng([seed, index, 1])

    trained_steps = 0
    if compile_kwargs is not None:
        model.compile(jit_compile=False, **compile_kwargs)
    if compile_kwargs is not None and not getattr(model, "_gen_no_train", False):
        batch = 4
        model.train_on_batch(make_inputs(model, data_rng, batch), make_targets(model, targets, data_rng, batch))
        trained_steps = 1

    skip = []
    forms = {}
    x = make_inputs(model, data_rng, 3)
    ref = predict(model, x)

    # ---- write the three forms (observing the .keras / .weights.h5 store paths)
    keras_path = os.path.join(mdir, "model.keras")
    with StoreRecorder() as rec_keras:
        model.save(keras_path)
    forms["keras"] = "model.keras"

    h5_path = os.path.join(mdir, "model.h5")
    try:
        model.save(h5_path)
        forms["h5"] = "model.h5"
    except Exception as e:  # the legacy writer may refuse some models
        skip.append({"form": "h5", "reason": f"save failed: {type(e).__name__}: {e}", "file_kept": False})
        if os.path.exists(h5_path):
            os.remove(h5_path)
    h5_written = os.path.exists(h5_path)

    w_path = os.path.join(mdir, "model.weights.h5")
    j_path = os.path.join(mdir, "model.json")
    with StoreRecorder() as rec_weights:
        model.save_weights(w_path)
    with open(j_path, "w") as fh:
        fh.write(model.to_json())
    forms["weights"] = ["model.json", "model.weights.h5"]

    # ---- reload each form with Keras and compare predictions
    def check(form, loader):
        # A form Keras wrote but cannot reload stays on disk (it is what real Keras writes),
        # but leaves "forms" and is listed in skip_forms with file_kept=true.
        try:
            m2 = loader()
            diff = same_predictions(ref, predict(m2, x))
        except Exception as e:
            diff = f"reload failed: {type(e).__name__}: {e}"
        if diff is not None:
            skip.append({"form": form, "reason": diff, "file_kept": True})
            forms.pop(form, None)

    check("keras", lambda: keras.models.load_model(keras_path, compile=False))
    if "h5" in forms:
        check("h5", lambda: keras.models.load_model(h5_path, compile=False))

    def load_pair():
        with open(j_path) as fh:
            m2 = keras.models.model_from_json(fh.read())
        m2.load_weights(w_path)
        return m2

    check("weights", load_pair)

    # ---- facts from the live objects
    cfg = model.get_config()
    model_class = keras.saving.serialize_keras_object(model)["class_name"]
    cfg_layers = cfg["layers"]
    if model_class == "Sequential":
        cfg_layers = [c for c in cfg_layers if c["class_name"] != "InputLayer"]
    assert len(cfg_layers) == len(model.layers), (len(cfg_layers), len(model.layers))

    inputs = [{"name": history_layer(t).name, "shape": shape_list(t.shape), "dtype": str(t.dtype)}
              for t in model.inputs]
    outputs = [{"name": history_layer(t).name, "shape": shape_list(t.shape)} for t in model.outputs]

    layer_facts = []
    for layer, lc in zip(model.layers, cfg_layers):
        assert lc["config"]["name"] == layer.name and lc["class_name"] == type(layer).__name__, (lc["class_name"], layer)
        calls = len(lc.get("inbound_nodes", [None])) if model_class == "Functional" else 1
        if model_class == "Functional" and lc["class_name"] == "InputLayer":
            calls = 0
        try:
            out_shape = shape_list(layer.output.shape)
        except Exception:  # a shared layer has one output per call
            out_shape = shape_list(layer._inbound_nodes[0].output_tensors[0].shape)
        layer_facts.append({"name": layer.name, "class_name": lc["class_name"], "trainable": bool(layer.trainable),
                            "params": int(layer.count_params()), "output_shape": out_shape, "calls": calls})

    trainable_ids = {id(v) for v in model.trainable_weights}

    # legacy .h5 weight_names per layer group, read back from the file
    h5_names = {}
    if h5_written:
        with h5py.File(h5_path, "r") as f:
            mw = f["model_weights"]
            for lname in read_attr_list(mw, "layer_names"):
                h5_names[lname] = read_attr_list(mw[lname], "weight_names")
            h5_cfg = json.loads(f.attrs["model_config"])
    else:
        h5_cfg = None

    weight_facts, reg_facts, act_facts = [], [], []
    all_paths = set()
    for layer in model.layers:
        legacy = list(layer.trainable_weights) + list(layer.non_trainable_weights)
        if h5_written:
            assert h5_names.get(layer.name, []) == [v.path for v in legacy], (layer.name, h5_names.get(layer.name), [v.path for v in legacy])
        owners = {}
        for sub in walk_layers(layer):
            for v in own_variables(sub):
                owners.setdefault(id(v), sub)
        for v in layer.weights:
            assert v.path not in all_paths, f"duplicate variable path {v.path}"
            all_paths.add(v.path)
            wname = relative_name(layer.name, v.path)
            stores_k = rec_keras.by_id.get(id(v), [])
            stores_w = rec_weights.by_id.get(id(v), [])
            assert len(stores_k) == 1 and stores_k == stores_w, (v.path, stores_k, stores_w)
            wf = {"layer": layer.name, "name": wname, "path": v.path, "shape": [int(d) for d in v.shape],
                  "dtype": str(v.dtype), "trainable": id(v) in trainable_ids,
                  "h5_index": [id(u) for u in legacy].index(id(v)) if h5_written else None,
                  "keras_store": stores_k[0]}
            weight_facts.append(wf)
            if v.regularizer is not None:
                owner = owners[id(v)]
                fields, ser = reg_fields(v.regularizer)
                ocfg = owner.get_config()
                keys = [k for k, val in ocfg.items() if k.endswith("_regularizer") and k != "activity_regularizer"
                        and val is not None and val.get("class_name") == ser["class_name"]
                        and jsonable(val.get("config")) == fields["config"]]
                if len(keys) > 1:  # equal lambdas on two placements: use the variable's own name
                    keys = [k for k in keys if k.startswith(v.name.split("_")[0])] or keys
                assert len(keys) == 1, (v.path, keys)
                # the exact serialized regularizer must be in every written config
                for where, c in (("get_config", cfg), ("h5 model_config", h5_cfg)):
                    if c is not None:
                        assert contains(c, jsonable(ser)), (where, v.path, ser)
                reg_facts.append({"layer": layer.name, "weight": wname, "owner": owner.name,
                                  "config_key": keys[0], **fields,
                                  "contributes_to_loss": id(v) in trainable_ids})
        for sub in walk_layers(layer):
            ar = getattr(sub, "activity_regularizer", None)
            if ar is not None:
                fields, ser = reg_fields(ar)
                assert contains(cfg, jsonable(ser))
                act_facts.append({"layer": layer.name, "sublayer": None if sub is layer else sub.name,
                                  "class_name": fields["class_name"], "l1": fields["l1"], "l2": fields["l2"],
                                  "config": fields["config"]})

    # every variable the files hold is accounted for
    assert sorted(all_paths) == sorted(v.path for v in model.weights)

    # cross-check the files' weights against the live values (keras store paths, legacy names)
    live = {v.path: np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(v, "float32"))) for v in model.weights}
    with zipfile.ZipFile(keras_path) as z:
        names = set(z.namelist())
        assert {"config.json", "model.weights.h5"} <= names, names
        keras_cfg = json.loads(z.read("config.json"))
        with tempfile.TemporaryDirectory() as td:
            z.extract("model.weights.h5", td)
            inner_w = os.path.join(td, "model.weights.h5")
            for src in (inner_w, w_path):
                with h5py.File(src, "r") as f:
                    for wf in weight_facts:
                        ds = f[wf["keras_store"]]
                        if wf["dtype"] == "bfloat16":
                            assert ds.attrs.get("dtype") == "bfloat16", wf
                            import ml_dtypes
                            arr = np.frombuffer(ds[()].tobytes(), dtype=ml_dtypes.bfloat16).astype("float32")
                        else:
                            arr = ds[()]
                        np.testing.assert_array_equal(np.asarray(arr, dtype="float32").reshape(wf["shape"]), live[wf["path"]])
    for r in reg_facts:
        ser = {"module": "keras.regularizers", "class_name": r["class_name"], "config": r["config"], "registered_name": None}
        assert contains(keras_cfg, ser), ("config.json", r)
        with open(j_path) as fh:
            assert contains(json.load(fh), ser), ("model.json", r)

    if compile_kwargs is not None:
        cc = jsonable(model.get_compile_config())
        opt = model.optimizer
        opt_facts = {"class_name": keras.saving.serialize_keras_object(opt)["class_name"],
                     "config": jsonable(opt.get_config()),
                     "variables": [{"path": v.path, "shape": [int(d) for d in v.shape], "dtype": str(v.dtype)}
                                   for v in opt.variables]}
        loss, loss_weights, metrics, wmetrics = cc.get("loss"), cc.get("loss_weights"), cc.get("metrics"), cc.get("weighted_metrics")
    else:
        opt_facts, loss, loss_weights, metrics, wmetrics = None, None, None, None, None

    facts = {
        "name": name, "template": tname, "seed": seed, "index": index,
        "keras_version": keras.__version__, "backend": keras.backend.backend(),
        "model_class": model_class, "model_name": model.name,
        "inputs": inputs, "outputs": outputs, "layers": layer_facts,
        "weight_order": "per top-level layer, layer.weights order; h5_index = position in the legacy .h5 "
                        "weight_names (layer.trainable_weights + layer.non_trainable_weights)",
        "weights": weight_facts, "regularizers": reg_facts, "activity_regularizers": act_facts,
        "optimizer": opt_facts, "loss": loss, "loss_weights": loss_weights, "metrics": metrics,
        "weighted_metrics": wmetrics, "trained_steps": trained_steps,
        "forms": forms, "skip_forms": skip,
    }
    with open(os.path.join(mdir, "facts.json"), "w") as fh:
        json.dump(jsonable(facts), fh, indent=1, allow_nan=False)
    return facts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=len(TEMPLATES),
                    help=f"number of models (default {len(TEMPLATES)}: one per template; more cycles the templates)")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be >= 1")
    os.makedirs(args.out_dir, exist_ok=True)
    for i in range(args.count):
        t1 = time.time()
        f = generate(args.out_dir, args.seed, i)
        skipped = ",".join(s["form"] for s in f["skip_forms"]) or "-"
        print(f"{f['name']}: {len(f['layers'])} layers, {len(f['weights'])} weights, "
              f"{len(f['regularizers'])} regularized, optimizer "
              f"{f['optimizer']['class_name'] if f['optimizer'] else 'none'}, skipped {skipped} "
              f"({time.time() - t1:.1f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

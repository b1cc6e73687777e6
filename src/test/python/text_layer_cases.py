#!/usr/bin/env python3
"""REAL-Keras cases for the text/attention layers of issue 17 (TextLayersKerasTest).

Usage:  python text_layer_cases.py OUT_DIR [--seed N]

Writes OUT_DIR/<case>/{model.keras, model.h5, case.json, reference.npz} in the layout of attention_cases.py
(keys x[__in], y, train_x__k[__in], train_y__k, after__k__<layer>__<weight>; plus cont_x[__in]/cont_y: two more
batches for the export test, which real Keras trains on from the file Kerasport exports). Each case draws its
configuration from the seeded generator (shapes, options, activations, regularizers); case.json "config" says what
was drawn. Trainable Dense layers sit before every operand so gradients flow through the layer under test.

  einsum_<k>      EinsumDense: 'ab,bc->ac', 'abc,cd->abd', 'abc,cde->abde' then 'abcd,cde->abe', '...b,bc->...c',
                  'ab...,bc->ac...'-free forms, random bias_axes (or none), activation, kernel/bias/activity l1/l2.
  dot_<k>         Dot on 2-D and 3-D inputs, axes int or a pair, normalize on or off.
  attention_<k>   Attention: use_scale, score_mode dot/concat, use_causal_mask, with or without a key, dropout > 0
                  in some (predictions only: identity at inference; training uses dropout 0).
  additive_<k>    AdditiveAttention: use_scale, use_causal_mask, with or without a key.
  gqa_<k>         GroupedQueryAttention: query heads a multiple of the key/value heads, self- or cross-attention
                  with or without a key, use_bias, use_causal_mask, kernel/bias regularizers.
  transformer     issue 17's two-block text transformer: Embedding -> 2 x (MultiHeadAttention -> Add ->
                  LayerNormalization -> Dense(gelu) -> Dense -> Add -> LayerNormalization) -> GlobalAveragePooling1D
                  -> Dense (token ids in, kernel l2 on the head), for the export half (ApplicationsKerasTest has it
                  for predictions and SGD steps).
  dropout_<k>     Attention / AdditiveAttention with dropout on inputs (query, value = key): predictions only
                  (case.json "predict_only"), value 64 identity matrices (the output is the attention weights), so
                  the test can check in training mode that each weight is dropped or scaled by 1/(1 - rate).

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
# ZERO_GRADIENT: a bias added to every key (a key projection's bias, or a Dense's before it) shifts each row of dot
# scores by a constant, which softmax ignores: its exact gradient is 0, so both implementations move it by rounding
# noise only. Adam divides by that noise's own size (g/(|g| + eps)) and turns it into steps of lr * |g| / eps, which
# no float32 bound on the gradient covers. So keys get no Dense bias before them, and the layers owning such a bias
# (GroupedQueryAttention, MultiHeadAttention in the transformer) are trained with SGD, where noise stays lr * |g|.
BATCH = 6
ACTS = [None, "relu", "tanh", "gelu", "sigmoid", "softplus"]


def reg(rng):
    k = rng.integers(0, 4)
    a, b = float(rng.choice([0.003, 0.01, 0.02])), float(rng.choice([0.005, 0.01]))
    return [None, regularizers.L1(a), regularizers.L2(a), regularizers.L1L2(l1=a, l2=b)][k]


def describe(r):
    return None if r is None else {"class": type(r).__name__, **{k: float(v) for k, v in r.get_config().items()}}


def einsum_case(rng, k):
    forms = [("ab,bc->ac", 2), ("abc,cd->abd", 3), ("abc,cde->abde", 3), ("...b,bc->...c", 3)]
    eq, rank = forms[k % len(forms)]
    t, d = int(rng.integers(2, 5)), int(rng.integers(2, 6))
    shape = (d,) if rank == 2 else (t, d)
    x = keras.Input(shape, name="x")
    h = layers.Dense(d, name="pre")(x)
    act = ACTS[rng.integers(0, len(ACTS))]
    kr, br, ar = reg(rng), reg(rng), reg(rng) if rng.random() < 0.5 else None
    u, v = int(rng.integers(2, 5)), int(rng.integers(2, 4))
    if eq == "ab,bc->ac":
        out_shape, bias = u, rng.choice(["c", None])
    elif eq == "abc,cd->abd":
        out_shape, bias = (t, u), rng.choice(["d", None])
    elif eq == "abc,cde->abde":
        out_shape, bias = (t, u, v), rng.choice(["de", "e", "d", None])
    else:
        out_shape, bias = u, rng.choice(["c", None])
    bias = None if bias is None else str(bias)
    e = layers.EinsumDense(eq, output_shape=out_shape, bias_axes=bias, activation=act, kernel_regularizer=kr,
                           bias_regularizer=br if bias else None, activity_regularizer=ar, name="ein")
    h = e(h)
    cfg = {"equation": eq, "output_shape": out_shape, "bias_axes": bias, "activation": act,
           "kernel_regularizer": describe(kr), "bias_regularizer": describe(br if bias else None),
           "activity_regularizer": describe(ar)}
    if eq == "abc,cde->abde":  # and back: the attention-output projection form
        o = int(rng.integers(2, 5))
        bias2 = str(rng.choice(["e", "none"]))
        h = layers.EinsumDense("abcd,cde->abe", output_shape=(t, o), bias_axes=None if bias2 == "none" else bias2,
                               kernel_regularizer=reg(rng), name="ein_out")(h)
        cfg["second"] = {"equation": "abcd,cde->abe", "bias_axes": bias2}
    if len(h.shape) > 2:
        h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="einsum_%d" % k), cfg


def dot_case(rng, k):
    d, t1, t2 = int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    forms = [((d,), (d,), 1), ((t1, d), (t2, d), 2), ((t1, d), (t1, d + 1), (1, 1)), ((t1, d), (d, t2), (2, 1)),
             ((t1, d), (d,), (2, 1)), ((t1, d), (t2, d), -1)]
    s1, s2, axes = forms[k % len(forms)]
    normalize = bool(rng.integers(0, 2))
    a = keras.Input(s1, name="a")
    b = keras.Input(s2, name="b")
    ha = layers.Dense(s1[-1], name="pre_a")(a)
    hb = layers.Dense(s2[-1], name="pre_b")(b)
    h = layers.Dot(axes=axes, normalize=normalize, name="dot")([ha, hb])
    if len(h.shape) > 2:
        h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, kernel_regularizer=reg(rng), name="out")(h)
    return keras.Model([a, b], out, name="dot_%d" % k), {"shapes": [s1, s2], "axes": axes, "normalize": normalize}


def attention_case(rng, k, additive):
    d, dv = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    tq, tv = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    with_key = bool(rng.integers(0, 2))
    self_attn = k % 3 == 2
    if not with_key:
        dv = d  # the value is the key then
    causal = bool(rng.integers(0, 2))
    use_scale = bool(rng.integers(0, 2))
    mode = "concat" if (not additive and k % 2 == 1) else "dot"
    q = keras.Input((tq, d), name="q")
    ins = [q]
    hq = layers.Dense(d, kernel_regularizer=reg(rng), name="pre_q")(q)
    if self_attn:
        args = [hq, hq]
        cfg_shapes = [(tq, d)]
    else:
        v = keras.Input((tv, dv), name="v")
        ins.append(v)
        hv = layers.Dense(dv, name="pre_v")(v)
        args = [hq, hv]
        cfg_shapes = [(tq, d), (tv, dv)]
        if with_key:
            kk = keras.Input((tv, d), name="k")
            ins.append(kk)
            args.append(layers.Dense(d, use_bias=False, name="pre_k")(kk))  # see ZERO_GRADIENT
            cfg_shapes.append((tv, d))
    if additive:
        att = layers.AdditiveAttention(use_scale=use_scale, name="att")
    else:
        att = layers.Attention(use_scale=use_scale, score_mode=mode, name="att")
    h = att(args, use_causal_mask=causal)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    name = ("additive_%d" if additive else "attention_%d") % k
    cfg = {"shapes": cfg_shapes, "self": self_attn, "with_key": with_key and not self_attn, "causal": causal,
           "use_scale": use_scale, "score_mode": None if additive else mode}
    return keras.Model(ins, out, name=name), cfg


def gqa_case(rng, k):
    hkv = int(rng.integers(1, 3))
    hq = hkv * int(rng.integers(1, 4))
    hd, fq, t, s_ = int(rng.integers(2, 4)), int(rng.integers(2, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    cross, with_key = k % 2 == 1, k % 4 == 3
    causal, use_bias = bool(rng.integers(0, 2)), bool(k != 2)
    q = keras.Input((t, fq), name="q")
    ins = [q]
    hq_in = layers.Dense(fq, name="pre_q")(q)
    args = [hq_in, hq_in]
    if cross:
        fv = fq  # Keras 3.15 GroupedQueryAttention needs equal query and value widths
        v = keras.Input((s_, fv), name="v")
        ins.append(v)
        args = [hq_in, layers.Dense(fv, name="pre_v")(v)]
        if with_key:
            kk = keras.Input((s_, fq), name="k")
            ins.append(kk)
            args.append(layers.Dense(kk.shape[-1], use_bias=False, name="pre_k")(kk))  # see ZERO_GRADIENT
    kr, br, ar = reg(rng), reg(rng), None  # Kerasport refuses its activity regularizer (see the mapper)
    g = layers.GroupQueryAttention(head_dim=hd, num_query_heads=hq, num_key_value_heads=hkv, use_bias=use_bias,
                                     kernel_regularizer=kr, bias_regularizer=br, activity_regularizer=ar, name="gqa")
    h = g(*args, use_causal_mask=causal)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    cfg = {"heads": [hq, hkv], "head_dim": hd, "cross": cross, "with_key": with_key, "causal": causal,
           "use_bias": use_bias, "kernel_regularizer": describe(kr), "bias_regularizer": describe(br),
           "activity_regularizer": describe(ar)}
    return keras.Model(ins, out, name="gqa_%d" % k), cfg


def transformer():
    tok = keras.Input((6,), dtype="int32", name="tokens")
    h = layers.Embedding(20, 8, name="emb")(tok)
    for i in range(2):
        a = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha_%d" % i)(h, h)
        h = layers.LayerNormalization(name="ln_a_%d" % i)(layers.Add(name="res_a_%d" % i)([h, a]))
        f = layers.Dense(16, activation="gelu", name="ffn_in_%d" % i)(h)
        f = layers.Dense(8, name="ffn_out_%d" % i)(f)
        h = layers.LayerNormalization(name="ln_f_%d" % i)(layers.Add(name="res_f_%d" % i)([h, f]))
    h = layers.GlobalAveragePooling1D(name="gap")(h)
    out = layers.Dense(3, kernel_regularizer=regularizers.L2(1e-3), name="out")(h)
    return keras.Model(tok, out, name="transformer"), {"vocab": 20}


def dropout_case(rng, k):
    d, tq, tv = int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(3, 6))
    rate = float(rng.choice([0.25, 0.4, 0.5]))
    q = keras.Input((tq, d), name="q")
    v = keras.Input((tv, tv), name="v")
    kk = keras.Input((tv, d), name="k")
    if k % 2:
        att = layers.AdditiveAttention(dropout=rate, name="att")
    else:
        att = layers.Attention(use_scale=True, dropout=rate, name="att")
    out = att([q, v, kk])
    cfg = {"class": type(att).__name__, "dropout": rate, "shapes": [(tq, d), (tv, tv), (tv, d)]}
    return keras.Model([q, v, kk], out, name="dropout_%d" % k), cfg


def build_predict_only(model, cfg, out_dir, rng):
    perturb(model, rng)
    d = kcases.save_case(model, out_dir, model.name, keras.optimizers.SGD(0.1), "mean_squared_error")
    in_names, xkey = kcases.input_keys(model)
    n = 64
    q = rng.normal(0, 1, size=(n,) + tuple(model.inputs[0].shape[1:])).astype("float32")
    tv = model.inputs[1].shape[1]
    v = np.broadcast_to(np.eye(tv, dtype="float32"), (n, tv, tv)).copy()
    k = rng.normal(0, 1, size=(n,) + tuple(model.inputs[2].shape[1:])).astype("float32")
    x = [q, v, k]
    npz = {xkey("x", i): xi for i, xi in enumerate(x)}
    npz["y"] = np.asarray(model.predict(x, verbose=0))
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {"case": model.name, "keras_version": keras.__version__, "config": cfg, "predict_only": True,
            "inputs": [{"name": nm, "npz_key": xkey("x", i)} for i, nm in enumerate(in_names)],
            "outputs": [{"name": model.layers[-1].name, "npz_key": "y"}]}
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1, default=str)
    return model.name


def perturb(model, rng):
    """Non-trivial values for every variable (biases and attention scales start at 0/1)."""
    for v in model.weights:
        v.assign(rng.normal(0, 0.5, size=v.shape).astype("float32"))


def batch(rng, model, n):
    """Random inputs: normal floats, or token ids below 20 for integer inputs (stored as float32, as Kerasport reads)."""
    return [rng.integers(0, 20, size=(n,) + tuple(t.shape[1:])).astype("float32") if "int" in str(t.dtype)
            else rng.normal(0, 1, size=(n,) + tuple(t.shape[1:])).astype("float32") for t in model.inputs]


def build(model, cfg, out_dir, rng, opt, loss="mean_squared_error"):
    name = model.name
    perturb(model, rng)
    d = kcases.save_case(model, out_dir, name, opt(), loss)
    npz = {}
    in_names, xkey = kcases.input_keys(model)
    multi = len(model.inputs) > 1
    x = batch(rng, model, 4)
    for i, xi in enumerate(x):
        npz[xkey("x", i)] = xi
    npz["y"] = np.asarray(model.predict(x if multi else x[0], verbose=0))
    m2 = keras.models.load_model(os.path.join(d, "model.keras"), compile=False)
    m2.compile(optimizer=opt(), loss=loss)
    losses = []
    out_shape = tuple(m2.outputs[0].shape[1:])
    for k in range(STEPS):
        xb = batch(rng, m2, BATCH)
        yb = rng.normal(0, 1, size=(BATCH,) + out_shape).astype("float32")
        for i, xi in enumerate(xb):
            npz[xkey("train_x__%d" % k, i)] = xi
        npz["train_y__%d" % k] = yb
        log = m2.train_on_batch(xb if multi else xb[0], yb, return_dict=True)
        losses.append(float(log["loss"]))
        for layer in m2.layers:
            for v in layer.weights:
                rel = v.path[len(layer.name) + 1:] if v.path.startswith(layer.name + "/") else v.name
                npz["after__%d__%s__%s" % (k, layer.name, rel.replace("/", "."))] = np.asarray(v.numpy())
    # two more batches: real Keras trains on them from the file Kerasport exports after the steps above
    xc = batch(rng, m2, 2 * BATCH)
    for i, xi in enumerate(xc):
        npz[xkey("cont_x", i)] = xi
    npz["cont_y"] = rng.normal(0, 1, size=(2 * BATCH,) + out_shape).astype("float32")
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {
        "case": name, "keras_version": keras.__version__, "config": cfg,
        "inputs": [{"name": n, "npz_key": xkey("x", i)} for i, n in enumerate(in_names)],
        "outputs": [{"name": model.layers[-1].name, "npz_key": "y"}],
        "training": {"steps": STEPS, "batch": BATCH, "losses": losses},
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1, default=str)
    return name


def main():
    a, rng = kcases.cli(17)
    sgd = lambda: keras.optimizers.SGD(0.05)  # noqa: E731
    # Adam epsilon 1e-3, not the default 1e-7: on its first step Adam maps a gradient g through g/(|g| + eps), whose
    # slope lr/eps would amplify the absolute rounding error of a gradient that cancels to |g| < eps (set by the
    # terms it cancelled, not by its size) 1e5-fold; the comparison would then measure that cancellation, not the layers
    adam = lambda: keras.optimizers.Adam(0.01, epsilon=1e-3)  # noqa: E731
    names = []
    for k in range(8):
        m, cfg = einsum_case(rng, k)
        names.append(build(m, cfg, a.out, rng, adam if k % 2 else sgd))
    for k in range(6):
        m, cfg = dot_case(rng, k)
        names.append(build(m, cfg, a.out, rng, sgd if k % 2 else adam))
    for k in range(6):
        m, cfg = attention_case(rng, k, False)
        names.append(build(m, cfg, a.out, rng, adam if k % 2 else sgd))
    for k in range(4):
        m, cfg = attention_case(rng, k, True)
        names.append(build(m, cfg, a.out, rng, sgd if k % 2 else adam))
    for k in range(4):
        m, cfg = gqa_case(rng, k)
        names.append(build(m, cfg, a.out, rng, sgd))  # see ZERO_GRADIENT
    m, cfg = transformer()
    names.append(build(m, cfg, a.out, rng, sgd))  # see ZERO_GRADIENT
    for k in range(2):
        m, cfg = dropout_case(rng, k)
        names.append(build_predict_only(m, cfg, a.out, rng))
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""REAL-Keras cases for the layer features keras.applications backbones need (ApplicationsKerasTest).

Usage:  python applications_cases.py OUT_DIR [--apps all|NAME,...] [--seed N]

Writes OUT_DIR/<case>/{model.keras, model.h5, case.json, reference.npz} in the layout of attention_cases.py
(keys x[__in], y, train_x__k[__in], train_y__k, init__<layer>__<weight>, after__k__<layer>__<weight>; case.json:
inputs, training.steps, training.losses, application). Every model but the backbones is compiled with SGD and
trained by Keras' own train_on_batch on batches of 4 rows. Cases (always):

  merges       Concatenate of 4-D tensors on the channel, height and width axes and of 3-D tensors on both axes;
               Multiply (h, w, c) x (1, 1, c) (squeeze-and-excitation), Add (h, w, c) + (c,) (Keras expands the
               lower rank after the batch axis), Subtract (1, 1, c) - (h, w, c), Maximum/Minimum/Average of three
               inputs with broadcasting, Multiply of equal shapes; trainable layers before every operand.
  act_dense    every activation of ACTS in Dense and in an Activation layer after a linear Dense.
  act_conv     every activation of ACTS in Conv2D.
  act_nd       every activation of ACTS in Dense on a sequence (3-D) and on an image (4-D).
  transformer  Embedding -> 2 x (MultiHeadAttention -> Add -> LayerNormalization -> Dense(gelu) -> Dense -> Add
               -> LayerNormalization) -> GlobalAveragePooling1D -> Dense(softmax).
  unit_norm    UnitNormalization over a Dense's features, between trainable layers.
  ops_arith    keras.ops arithmetic saved as operation layers: MobileNetV3's hard sigmoid, numbers on either side,
               two tensors broadcast.
  efficientnetb0  keras.applications.EfficientNetB0 at 32x32 (squeeze-and-excitation broadcasting, swish).
  mobilenetv3small  keras.applications.MobileNetV3Small at 32x32, include_preprocessing on (hard_silu, and its hard
               sigmoid as operation layers).

  and more backbones (DEFAULT_APPS): MobileNet (alpha 0.25), MobileNetV2 (alpha 0.35), VGG16, InceptionV3
  (75x75), and, built by the family's own Keras builder at reduced depth and width, ResNet, ResNetV2, DenseNet,
  NASNet and ConvNeXt.
  sep_one_channel  SeparableConv2D on one input channel ('same'/'valid', bias, depth multiplier).

--apps adds full-size backbones (scripts/applications.sh --junit): densenet121 (32x32), inceptionresnetv2 (75x75),
nasnetmobile (32x32), xception (71x71), efficientnetv2b0 (32x32). A backbone is built with weights=None, include_top=False,
called with training=False under a new head (GlobalAveragePooling2D + Dense(3, softmax, l2)); predictions only
(in training Keras 3's fit runs such a base in training mode whatever the call says, and its Dropout layers draw
at random; see README), and y64, the same model's prediction in float64 (float64_twin); its BatchNormalization
moving statistics are set once from a batch (momentum 0, one call with training=True, momentum restored) so the
random network's activations neither vanish nor explode and the comparison means something.

'gelu_approximate' is registered as keras_hub registers it (package keras_hub): gelu with approximate=True.
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

STEPS = 2
BATCH = 4


@keras.saving.register_keras_serializable(package="keras_hub", name="gelu_approximate")
def gelu_approximate(x):
    return keras.activations.gelu(x, approximate=True)


ACTS = ["hard_silu", "hard_swish", "silu", "swish", "gelu", gelu_approximate, "mish", "elu", "selu", "softplus",
        "softsign", "relu6", "leaky_relu", "log_softmax", "hard_sigmoid"]


def act_name(a):
    return a if isinstance(a, str) else "gelu_approximate"


def sgd():
    return keras.optimizers.SGD(0.05)


def merges():
    a = keras.Input((4, 4, 3), name="img")
    b = keras.Input((6,), name="vec")
    ha = layers.Conv2D(6, 1, name="conv_a")(a)
    hb = layers.Dense(6, name="dense_b")(b)
    se = layers.GlobalAveragePooling2D(keepdims=True, name="gap_keep")(ha)
    se = layers.Dense(6, activation="sigmoid", name="se")(se)                      # (1, 1, 6)
    m_mul = layers.Multiply(name="mul_se")([ha, se])                               # (4,4,6) x (1,1,6)
    m_add = layers.Add(name="add_rank")([ha, hb])                                  # (4,4,6) + (6,)
    m_sub = layers.Subtract(name="sub_bc")([se, ha])                               # (1,1,6) - (4,4,6)
    m_max = layers.Maximum(name="max3")([m_mul, se, m_add])
    m_min = layers.Minimum(name="min3")([m_sub, hb, m_mul])
    m_avg = layers.Average(name="avg3")([ha, hb, se])
    m_eq = layers.Multiply(name="mul_eq")([m_add, m_sub])
    c_ch = layers.Concatenate(axis=-1, name="cat_channels")([m_mul, m_add, m_sub, m_max, m_min, m_avg, m_eq])
    c_h = layers.Concatenate(axis=1, name="cat_height")([m_max, m_min])          # (8, 4, 6)
    c_w = layers.Concatenate(axis=2, name="cat_width")([m_avg, m_eq])            # (4, 8, 6)
    h1 = layers.Conv2D(4, 2, name="conv_ch")(c_ch)
    h2 = layers.Reshape((4, 48), name="seq_h")(c_h)
    h3 = layers.Reshape((8, 24), name="seq_w")(c_w)
    s1 = layers.Concatenate(axis=1, name="cat_time")([h2, layers.Dense(48, name="d_t")(h2)])   # (8, 48)
    s2 = layers.Concatenate(axis=-1, name="cat_feat")([h3, layers.Dense(4, name="d_f")(h3)])  # (8, 28)
    f = layers.Concatenate(name="cat_flat")([layers.Flatten(name="f1")(h1), layers.Flatten(name="f2")(s1),
                                             layers.Flatten(name="f3")(s2)])
    out = layers.Dense(3, name="out")(f)
    return keras.Model([a, b], out, name="merges"), "mean_squared_error"


def ops_arith():
    """keras.ops arithmetic on symbolic tensors, which Keras 3 saves as operation layers (module keras.src.ops.numpy)
    with the constant in the call's arguments: MobileNetV3's hard sigmoid ReLU(6)(x + 3) * (1/6), a number on
    either side of each operator, and two tensors broadcast against each other."""
    a = keras.Input((4, 4, 3), name="img")
    h = layers.Conv2D(5, 1, name="conv")(a)
    hs = layers.ReLU(6.0, name="relu6")(h + 3.0) * (1.0 / 6.0)                    # Add, Multiply with numbers
    r = 2.5 - hs                                                                    # number - tensor
    q = (h - 1.5) / 4.0                                                             # tensor - number, / number
    p = 0.5 * q                                                                     # number * tensor
    g = layers.GlobalAveragePooling2D(keepdims=True, name="gap")(h)                 # (1, 1, 5)
    b = keras.ops.add(r, g)                                                         # two tensors, broadcast
    c = keras.ops.multiply(p, g)
    d = keras.ops.subtract(b, c)
    out = layers.Dense(3, name="out")(layers.Flatten(name="flat")(d))
    return keras.Model(a, out, name="ops_arith"), "mean_squared_error"


def custom_scale():
    """keras.applications' CustomScaleLayer (InceptionResNetV2's residual: inputs[0] + inputs[1] * scale), used as
    that model uses it after a Conv2D branch."""
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer
    a = keras.Input((5, 5, 3), name="img")
    x = layers.Conv2D(4, 1, name="stem")(a)
    up = layers.Conv2D(4, 3, padding="same", name="branch")(x)
    x = CustomScaleLayer(0.17, name="scale_add")([x, up])
    x = layers.Activation("relu", name="act")(x)
    out = layers.Dense(2, name="out")(layers.GlobalAveragePooling2D(name="gap")(x))
    return keras.Model(a, out, name="custom_scale"), "mean_squared_error"


def sep_one_channel():
    """SeparableConv2D on a one-channel input (NASNet's reduction cells at small widths): libnd4j's sconv2d drops the
    pointwise kernel for one input channel, so Kerasport computes it itself; 'same' and 'valid', with and without
    bias, a depth multiplier, between trainable layers."""
    a = keras.Input((8, 8, 1), name="img")
    h = layers.SeparableConv2D(3, 5, padding="same", use_bias=False, name="sep_same")(a)
    b = layers.Conv2D(1, 1, name="squeeze")(h)
    b = layers.SeparableConv2D(2, 3, strides=2, depth_multiplier=2, activation="relu", name="sep_valid_bias")(b)
    out = layers.Dense(3, name="out")(layers.Flatten(name="flat")(b))
    return keras.Model(a, out, name="sep_one_channel"), "mean_squared_error"


def unit_norm():
    """UnitNormalization over the features of a Dense's output (an embedding head), between trainable layers."""
    a = keras.Input((6,), name="vec")
    h = layers.Dense(8, name="d1")(a)
    h = layers.UnitNormalization(name="unit")(h)
    out = layers.Dense(3, name="out")(h)
    return keras.Model(a, out, name="unit_norm"), "mean_squared_error"


def act_dense():
    x = keras.Input((6,), name="x")
    hs = []
    for i, a in enumerate(ACTS):
        hs.append(layers.Dense(4, activation=a, name="d_%s_%d" % (act_name(a), i))(x))
        hs.append(layers.Activation(a, name="a_%s_%d" % (act_name(a), i))(layers.Dense(4, name="lin_%d" % i)(x)))
    out = layers.Dense(3, name="out")(layers.Concatenate(name="cat")(hs))
    return keras.Model(x, out, name="act_dense"), "mean_squared_error"


def act_conv():
    x = keras.Input((5, 5, 2), name="x")
    hs = [layers.Conv2D(3, 3, padding="same", activation=a, name="c_%s_%d" % (act_name(a), i))(x)
          for i, a in enumerate(ACTS)]
    h = layers.GlobalAveragePooling2D(name="gap")(layers.Concatenate(name="cat")(hs))
    out = layers.Dense(3, name="out")(h)
    return keras.Model(x, out, name="act_conv"), "mean_squared_error"


def act_nd():
    s = keras.Input((4, 5), name="seq")
    im = keras.Input((3, 3, 4), name="img")
    hs = [layers.Dense(3, activation=a, name="ds_%s_%d" % (act_name(a), i))(s) for i, a in enumerate(ACTS)]
    hi = [layers.Dense(3, activation=a, name="di_%s_%d" % (act_name(a), i))(im) for i, a in enumerate(ACTS)]
    h1 = layers.GlobalAveragePooling1D(name="gap1")(layers.Concatenate(name="cat_s")(hs))
    h2 = layers.GlobalAveragePooling2D(name="gap2")(layers.Concatenate(name="cat_i")(hi))
    out = layers.Dense(3, name="out")(layers.Concatenate(name="cat")([h1, h2]))
    return keras.Model([s, im], out, name="act_nd"), "mean_squared_error"


def transformer():
    tok = keras.Input((8,), dtype="int32", name="tokens")
    h = layers.Embedding(20, 16, name="emb")(tok)
    for i in range(2):
        a = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="mha_%d" % i)(h, h)
        h = layers.LayerNormalization(name="ln_a_%d" % i)(layers.Add(name="res_a_%d" % i)([h, a]))
        f = layers.Dense(32, activation="gelu", name="ffn_in_%d" % i)(h)
        f = layers.Dense(16, name="ffn_out_%d" % i)(f)
        h = layers.LayerNormalization(name="ln_f_%d" % i)(layers.Add(name="res_f_%d" % i)([h, f]))
    h = layers.GlobalAveragePooling1D(name="gap")(h)
    out = layers.Dense(3, activation="softmax", kernel_regularizer=regularizers.L2(1e-3), name="out")(h)
    return keras.Model(tok, out, name="transformer"), "categorical_crossentropy"


def _small(family):
    """One model of each family's own Keras builder (keras.src.applications.<family>), at reduced depth and width:
    the layers and the wiring of the family at a fraction of the cost, for the default suite. scripts/applications.sh
    runs every full-size model."""
    from keras.src.applications import convnext, densenet, nasnet, resnet

    def make(s):
        if family == "resnet":
            return resnet.ResNet(lambda x: resnet.stack_residual_blocks_v1(
                resnet.stack_residual_blocks_v1(x, 8, 1, stride1=1, name="conv2"), 16, 2, name="conv3"),
                preact=False, use_bias=True, include_top=False, weights=None, input_shape=s, name="resnet_small")
        if family == "resnetv2":
            def stack(x):
                x = resnet.stack_residual_blocks_v2(x, 8, 2, name="conv2")
                return resnet.stack_residual_blocks_v2(x, 16, 2, stride1=1, name="conv3")
            return resnet.ResNet(stack, preact=True, use_bias=True, include_top=False, weights=None, input_shape=s,
                                 name="resnetv2_small")
        if family == "densenet":
            return densenet.DenseNet([2, 2, 2, 2], include_top=False, weights=None, input_shape=s, name="densenet_small")
        if family == "nasnet":
            return nasnet.NASNet(input_shape=s, penultimate_filters=96, num_blocks=1, stem_block_filters=8,
                                 skip_reduction=False, filter_multiplier=2, include_top=False, weights=None,
                                 default_size=32, name="nasnet_small")
        if family == "convnext":
            return convnext.ConvNeXt(depths=[1, 1, 2, 1], projection_dims=[8, 16, 24, 32], default_size=32,
                                     include_top=False, weights=None, input_shape=s, name="convnext_small")
        raise ValueError(family)
    return make


APPS = {
    "efficientnetb0": (lambda s: keras.applications.EfficientNetB0(weights=None, include_top=False, input_shape=s), 32),
    "densenet121": (lambda s: keras.applications.DenseNet121(weights=None, include_top=False, input_shape=s), 32),
    "inceptionv3": (lambda s: keras.applications.InceptionV3(weights=None, include_top=False, input_shape=s), 75),
    "nasnetmobile": (lambda s: keras.applications.NASNetMobile(weights=None, include_top=False, input_shape=s), 32),
    "inceptionresnetv2": (lambda s: keras.applications.InceptionResNetV2(weights=None, include_top=False, input_shape=s), 75),
    "mobilenetv3small": (lambda s: keras.applications.MobileNetV3Small(weights=None, include_top=False, input_shape=s,
                                                                        include_preprocessing=True), 32),
    "mobilenet": (lambda s: keras.applications.MobileNet(weights=None, include_top=False, input_shape=s, alpha=0.25), 32),
    "mobilenetv2": (lambda s: keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=s, alpha=0.35), 32),
    "efficientnetv2b0": (lambda s: keras.applications.EfficientNetV2B0(weights=None, include_top=False, input_shape=s), 32),
    "vgg16": (lambda s: keras.applications.VGG16(weights=None, include_top=False, input_shape=s), 32),
    "xception": (lambda s: keras.applications.Xception(weights=None, include_top=False, input_shape=s), 71),
    "resnet_small": (_small("resnet"), 32),
    "resnetv2_small": (_small("resnetv2"), 32),
    "densenet_small": (_small("densenet"), 32),
    "nasnet_small": (_small("nasnet"), 32),
    "convnext_small": (_small("convnext"), 32),
}
# one model per family in the default suite (the full-size ones of every family: scripts/applications.sh)
DEFAULT_APPS = ["efficientnetb0", "mobilenetv3small", "mobilenet", "mobilenetv2", "vgg16", "inceptionv3",
                "resnet_small", "resnetv2_small", "densenet_small", "nasnet_small", "convnext_small"]


def app(name, rng):
    make, size = APPS[name]
    shape = (size, size, 3)
    base = make(shape)
    bns = [l for l in base._flatten_layers() if isinstance(l, layers.BatchNormalization)]
    momenta = [l.momentum for l in bns]
    for l in bns:
        l.momentum = 0.0
    base(rng.uniform(0, 255, size=(32,) + shape).astype("float32"), training=True)
    for l, m in zip(bns, momenta):
        l.momentum = m
    inp = keras.Input(shape, name="image")
    h = base(inp, training=False)
    h = layers.GlobalAveragePooling2D(name="head_pool")(h)
    out = layers.Dense(3, activation="softmax", kernel_regularizer=regularizers.L2(1e-3), name="head")(h)
    return keras.Model(inp, out, name=name), "categorical_crossentropy"


def float64_twin(model):
    """The same model and weights computing in float64 (every float32 of its config made float64)."""
    m64 = keras.models.model_from_json(model.to_json().replace('"float32"', '"float64"'))
    m64.set_weights([np.asarray(w, dtype="float64") for w in model.get_weights()])
    return m64


def sample_x(rng, t, n, is_app):
    shape = (n,) + tuple(t.shape[1:])
    if "int" in str(t.dtype):
        return rng.integers(0, 20, size=shape).astype("int32")
    if is_app:
        return rng.uniform(0, 255, size=shape).astype("float32")
    return rng.normal(0, 1, size=shape).astype("float32")


def sample_y(rng, shape, loss):
    if loss == "categorical_crossentropy":
        return np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], size=shape[0])]
    return rng.normal(0, 1, size=shape).astype("float32")


def weight_key(layer, v):
    """<top-level layer>__<variable>: the variable's path inside the layer, or inside a nested model its path."""
    if v.path.startswith(layer.name + "/"):
        rel = v.path[len(layer.name) + 1:]
    elif hasattr(layer, "layers"):
        rel = v.path
    else:
        rel = v.name
    return layer.name + "__" + rel.replace("/", ".")


def all_weights(model):
    for layer in model.layers:
        for v in layer.weights:
            yield weight_key(layer, v), v


def build(name, out_dir, rng):
    is_app = name in APPS
    model, loss = app(name, rng) if is_app else globals()[name]()
    d = kcases.save_case(model, out_dir, name, sgd(), loss)
    npz = {}
    in_names, xkey = kcases.input_keys(model)
    multi = len(model.inputs) > 1

    x = [sample_x(rng, t, BATCH, is_app) for t in model.inputs]
    for i, xi in enumerate(x):
        npz[xkey("x", i)] = xi.astype("float32")
    npz["y"] = np.asarray(model.predict(x if multi else x[0], verbose=0))
    if is_app:  # the same model in float64: how far Keras' own float32 result is from (nearly) exact
        npz["y64"] = np.asarray(float64_twin(model).predict(x[0].astype("float64"), verbose=0))
    for k, v in all_weights(model):
        npz["init__" + k] = np.asarray(v.numpy())
    losses = []
    for k in range(0 if is_app else STEPS):
        xb = [sample_x(rng, t, BATCH, is_app) for t in model.inputs]
        yb = sample_y(rng, (BATCH,) + tuple(model.outputs[0].shape[1:]), loss)
        for i, xi in enumerate(xb):
            npz[xkey("train_x__%d" % k, i)] = xi.astype("float32")
        npz["train_y__%d" % k] = yb
        losses.append(float(model.train_on_batch(xb if multi else xb[0], yb, return_dict=True)["loss"]))
        for key, v in all_weights(model):
            npz["after__%d__%s" % (k, key)] = np.asarray(v.numpy())
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {
        "case": name, "keras_version": keras.__version__, "application": is_app,
        "inputs": [{"name": n, "npz_key": xkey("x", i)} for i, n in enumerate(in_names)],
        "training": {"steps": STEPS, "losses": losses, "learning_rate": 0.05},
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--apps", default="")
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    keras.utils.set_random_seed(a.seed)
    names = ["merges", "ops_arith", "custom_scale", "unit_norm", "act_dense", "act_conv", "act_nd", "transformer", "sep_one_channel"] + DEFAULT_APPS
    if a.apps:
        names += [n for n in APPS if n not in DEFAULT_APPS] if a.apps == "all" else a.apps.split(",")
    if a.only:
        names = a.only.split(",")
    done = [build(n, a.out, rng) for n in names]
    print(json.dumps({"cases": done}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""REAL-Keras cases for the normalization, 3-D padding/cropping and resizing layers (NormLayersKerasTest).

Usage:  python norm_layer_cases.py OUT_DIR [--seed N]

Each case is a small model  x -> pre (1x1 convolution or Dense, so the layer under test gets a gradient and its
input is not the raw x) -> LAYER -> Flatten -> Dense(units) with random weights, compiled with mse and SGD(0.02),
written as OUT_DIR/<case>/{model.keras, model.h5 (where Keras 3.15 writes it), case.json, reference.npz} in
app_layer_cases.py's layout (x, y, train_x__k, train_y__k, after__k__<layer>__<weight>). The configurations of each
class are drawn at random (seeded): input rank and shape, groups, epsilon, center/scale, regularizers, axes, crops,
pads, target sizes, interpolation. Everything here is computed by Keras; nothing by Kerasport.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers, regularizers  # noqa: E402

STEPS = 3
BATCH = 6


def reg(rng):
    k = rng.integers(0, 4)
    return [None, regularizers.L2(float(rng.choice([0.01, 0.1]))), regularizers.L1(0.01),
            regularizers.L1L2(l1=0.01, l2=0.05)][k]


def pre(x, rank, ch, name="pre"):
    if rank == 2:
        return layers.Dense(ch, name=name)(x)
    conv = {3: layers.Conv1D, 4: layers.Conv2D, 5: layers.Conv3D}[rank]
    return conv(ch, 1, name=name)(x)


def model_around(shape, ch, layer, units=3):
    x = keras.Input(shape, name="x")
    h = pre(x, len(shape) + 1, ch)
    h = layer(h)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(units, name="out")(h)
    return keras.Model(x, out)


def perturb(model, rng):
    for v in model.weights:
        v.assign(rng.normal(0, 0.5, size=v.shape).astype("float32") + (1.0 if v.name in ("gamma", "scale") else 0.0))


def group_norm(rng, i):
    rank = [3, 4, 3, 4][i % 4]
    ch = int(rng.choice([4, 6, 8]))
    groups = int(rng.choice([g for g in (1, 2, ch // 2, ch, -1) if ch % abs(g) == 0 or g == -1]))
    # every group holds at least 4 values (spatial cells x channels per group): over 2 values a normalization's input
    # gradient is 0 in exact arithmetic ((x - mean)/sd = +-1 whatever x is), so both frameworks return rounding noise
    # there, which no relative bound can compare
    shape = tuple(int(rng.integers(4, 7) if rank == 3 else rng.integers(2, 6)) for _ in range(rank - 2)) + (3,)
    kw = dict(groups=groups, epsilon=float(rng.choice([1e-3, 1e-5, 0.1])), center=bool(rng.integers(0, 2)) or i == 0,
              scale=bool(rng.integers(0, 2)) or i == 0, gamma_regularizer=reg(rng), beta_regularizer=reg(rng))
    if i == 0:
        kw["gamma_regularizer"], kw["beta_regularizer"] = regularizers.L2(0.1), regularizers.L1(0.01)
    return model_around(shape, ch, layers.GroupNormalization(name="layer", **kw)), kw


def rms_norm(rng, i):
    rank = [2, 3, 4][i % 3]
    ch = int(rng.choice([3, 5, 8]))
    shape = tuple(int(rng.integers(2, 5)) for _ in range(rank - 2)) + (4,)
    kw = dict(epsilon=float(rng.choice([1e-6, 1e-3, 0.5])))
    return model_around(shape, ch, layers.RMSNormalization(name="layer", **kw)), kw


def unit_norm(rng, i):
    rank = [3, 4, 4, 5][i % 4]
    ch = int(rng.choice([3, 5]))
    shape = tuple(int(rng.integers(2, 5)) for _ in range(rank - 2)) + (2,)
    axis = [-1, -1, [1, 2], 1][i % 4]
    return model_around(shape, ch, layers.UnitNormalization(axis=axis, name="layer")), {"axis": axis}


def pad3d(rng, i):
    forms = [int(rng.integers(1, 3)), tuple(int(v) for v in rng.integers(0, 3, size=3)),
             tuple(tuple(int(v) for v in rng.integers(0, 3, size=2)) for _ in range(3))]
    p = forms[i % 3]
    shape = tuple(int(rng.integers(2, 5)) for _ in range(3)) + (2,)
    return model_around(shape, 2, layers.ZeroPadding3D(p, name="layer")), {"padding": p}


def crop3d(rng, i):
    forms = [1, tuple(int(v) for v in rng.integers(0, 2, size=3)),
             tuple(tuple(int(v) for v in rng.integers(0, 2, size=2)) for _ in range(3))]
    c = forms[i % 3]
    shape = tuple(int(rng.integers(4, 6)) for _ in range(3)) + (2,)
    return model_around(shape, 2, layers.Cropping3D(c, name="layer")), {"cropping": c}


def resizing(rng, i):
    h, w = int(rng.integers(3, 9)), int(rng.integers(3, 9))
    oh, ow = int(rng.integers(2, 12)), int(rng.integers(2, 12))
    kw = dict(interpolation=["bilinear", "nearest", "bilinear", "nearest", "bilinear"][i % 5],
              crop_to_aspect_ratio=i % 5 == 4)
    return model_around((h, w, 2), 3, layers.Resizing(oh, ow, name="layer", **kw)), dict(kw, height=oh, width=ow, input=(h, w))


def center_crop(rng, i):
    h, w = int(rng.integers(4, 9)), int(rng.integers(4, 9))
    if i % 2 == 0:
        oh, ow = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
    else:  # a target larger than the input: Keras resizes (smart_resize) instead
        oh, ow = h + int(rng.integers(1, 4)), int(rng.integers(2, w + 3))
    return model_around((h, w, 2), 3, layers.CenterCrop(oh, ow, name="layer")), dict(height=oh, width=ow, input=(h, w))


def adaptive(kind):
    def make(rng, i):
        dims = [1, 2, 3][i % 3]
        shape = tuple(int(rng.integers(2, 8 if dims < 3 else 5)) for _ in range(dims)) + (2,)
        # output size 1 makes Keras 3.15's TF backend pool a window of L + 1 cells and fail: sizes from 2
        size = tuple(int(rng.integers(2, 7 if dims < 3 else 4)) for _ in range(dims))
        cls = getattr(layers, "Adaptive%sPooling%dD" % (kind, dims))
        return model_around(shape, 3, cls(size if i % 2 else (size[0] if dims == 1 else size), name="layer")), {"output_size": size}
    return make


def conv3d_transpose(rng, i):
    shape = tuple(int(rng.integers(2, 4)) for _ in range(3)) + (2,)
    kw = dict(kernel_size=tuple(int(v) for v in rng.integers(1, 4, size=3)), strides=[1, 2, (1, 2, 2)][i % 3],
              padding=["valid", "same", "same"][i % 3], activation=["linear", "relu", "tanh"][i % 3],
              kernel_regularizer=reg(rng), bias_regularizer=reg(rng))
    return model_around(shape, 3, layers.Conv3DTranspose(2, name="layer", **kw)), kw


CLASSES = {"group_norm": (group_norm, 4), "rms_norm": (rms_norm, 3), "unit_norm": (unit_norm, 4),
           "zero_padding3d": (pad3d, 3), "cropping3d": (crop3d, 3), "resizing": (resizing, 5),
           "center_crop": (center_crop, 2), "adaptive_avg": (adaptive("Average"), 6), "adaptive_max": (adaptive("Max"), 6),
           "conv3d_transpose": (conv3d_transpose, 3)}


def write(name, model, out_dir, rng, config):
    opt = lambda: keras.optimizers.SGD(0.02)  # noqa: E731
    try:
        d = kcases.save_case(model, out_dir, name, opt(), "mean_squared_error", h5=True)
        h5 = True
    except Exception:  # noqa: BLE001  the legacy .h5 writer cannot write every layer
        d = kcases.save_case(model, out_dir, name, opt(), "mean_squared_error", h5=False)
        h5 = False
    shape = tuple(model.inputs[0].shape[1:])
    npz = {"x": rng.normal(0, 1, size=(4,) + shape).astype("float32")}
    npz["y"] = np.asarray(model.predict(npz["x"], verbose=0))
    m2 = keras.models.load_model(os.path.join(d, "model.keras"), compile=False)
    m2.compile(optimizer=opt(), loss="mean_squared_error")
    losses = []
    units = m2.outputs[0].shape[-1]
    for k in range(STEPS):
        xb = rng.normal(0, 1, size=(BATCH,) + shape).astype("float32")
        yb = rng.normal(0, 1, size=(BATCH, units)).astype("float32")
        npz["train_x__%d" % k], npz["train_y__%d" % k] = xb, yb
        losses.append(float(m2.train_on_batch(xb, yb, return_dict=True)["loss"]))
        for layer in m2.layers:
            for v in layer.weights:
                npz["after__%d__%s__%s" % (k, layer.name, v.name)] = np.asarray(v.numpy())
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {
        "case": name, "keras_version": keras.__version__, "class": model.get_layer("layer").__class__.__name__,
        "config": json.loads(json.dumps(model.get_layer("layer").get_config(), default=str)), "h5": h5,
        "inputs": [{"name": "x", "npz_key": "x"}], "outputs": [{"name": "out", "npz_key": "y"}],
        "training": {"steps": STEPS, "losses": losses},
        "weights": len(model.weights),
        # derivation in NormLayersKerasTest: KerasMatch's float32 bounds, no extra floor
        "tolerance": {"predict_abs": 0, "loss_abs": 0, "train_abs": 0},
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return name


REFUSED = {  # configurations Kerasport refuses by name (field): model.keras and case.json only
    "resizing_antialias": (lambda: layers.Resizing(4, 5, antialias=True, name="layer"), (6, 7, 2), "antialias"),
    "resizing_bicubic": (lambda: layers.Resizing(4, 5, interpolation="bicubic", name="layer"), (6, 7, 2), "interpolation"),
    "resizing_pad": (lambda: layers.Resizing(4, 5, pad_to_aspect_ratio=True, name="layer"), (6, 7, 2), "pad_to_aspect_ratio"),
    "group_norm_axis1": (lambda: layers.GroupNormalization(groups=2, axis=1, name="layer"), (4, 3, 2), "axis"),
    "rms_norm_axis1": (lambda: layers.RMSNormalization(axis=1, name="layer"), (4, 3), "axis"),
}


def write_refused(name, make, shape, field, out_dir):
    x = keras.Input(shape, name="x")
    out = layers.Flatten(name="flat")(make()(x))
    d = kcases.save_case(keras.Model(x, out), out_dir, "refused_" + name, keras.optimizers.SGD(0.02),
                         "mean_squared_error", h5=False)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"case": "refused_" + name, "class": "", "refused_class": make().__class__.__name__,
                   "refused_field": field}, f, indent=1)
    return "refused_" + name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--only", default=None, help="comma-separated class keys")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    keras.utils.set_random_seed(a.seed)
    names = []
    for key, (make, n) in CLASSES.items():
        if a.only and key not in a.only.split(","):
            continue
        for i in range(n):
            m, cfg = make(rng, i)
            perturb(m, rng)
            names.append(write("%s_%d" % (key, i), m, a.out, rng, cfg))
    if not a.only:
        for key, (make, shape, field) in REFUSED.items():
            names.append(write_refused(key, make, shape, field, a.out))
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

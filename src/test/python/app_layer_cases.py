#!/usr/bin/env python3
"""REAL-Keras cases for the layers keras.applications and the transfer-learning guide bring (AppLayersKerasTest).

Usage:  python app_layer_cases.py OUT_DIR [--seed N]

Writes OUT_DIR/<case>/{model.keras, model.h5 (where Keras can write it), case.json, reference.npz} in the layout of
attention_cases.py (keys x, y, train_x__k, train_y__k, after__k__<layer>__<weight>, nested layers' weights named
<sublayer>.<weight>). Cases:

  layer_scale     a ConvNeXt block: Conv2D(groups=channels, 3x3) -> LayerNormalization -> 1x1 Conv2D -> gelu ->
                  1x1 Conv2D -> LayerScale (keras.applications.convnext) -> Add(input) -> GAP -> Dense(3, softmax);
                  categorical_crossentropy, Adam(0.01), 3 train_on_batch steps (no random layer: trajectories compared).
  stochastic_depth the same block with StochasticDepth(0.5) (keras.applications.convnext) before the Add;
                  predictions only (training draws random numbers), plus 'branch' (the LayerScale output) for x.
  guide           the Keras transfer-learning guide's recipe: RandomFlip -> RandomRotation -> RandomContrast ->
                  RandomBrightness -> Rescaling(1/255) -> base(x, training=False) (a frozen Functional: Conv2D, BN,
                  ReLU) -> GlobalAveragePooling2D -> Dropout(0.2) -> Dense(1) logits, BinaryCrossentropy(from_logits)
                  with Adam; predictions only (.keras: Keras 3.15's legacy .h5 writer cannot pickle these layers).
  nested_norm     Functional 'outer' holding a Sequential 'inner' holding a Functional 'core' (Rescaling,
                  Normalization(mean, variance) given as constants, Conv2D, BN) -> GAP -> Dense(2); mse, SGD(0.1),
                  3 steps; .keras and .h5 (nested weights found by Keras' naming rules at every depth).
  effv2b0         keras.applications.EfficientNetV2B0(weights=None, include_top=False, 32x32) nested as 'base' in a
                  Functional with GAP -> Dense(3, softmax); written as .keras and .h5; facts.json lists Keras' weight
                  count (no predictions: its squeeze-and-excitation Multiply broadcasts,
                  which is another change's work).

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.applications.convnext import LayerScale, StochasticDepth  # noqa: E402

STEPS = 3
BATCH = 8


def perturb(model, rng):
    for v in model.weights:
        if "moving_variance" in v.path or v.path.endswith("variance"):
            v.assign(rng.uniform(0.5, 1.5, size=v.shape).astype("float32"))
        elif v.dtype == "float32":
            v.assign(rng.normal(0, 0.5, size=v.shape).astype("float32"))


def convnext_block(drop):
    x = keras.Input((6, 6, 4), name="x")
    h = layers.Conv2D(4, 3, padding="same", groups=4, name="dw")(x)
    h = layers.LayerNormalization(epsilon=1e-6, name="ln")(h)
    h = layers.Conv2D(8, 1, name="pw1")(h)
    h = layers.Activation("gelu", name="gelu")(h)
    h = layers.Conv2D(4, 1, name="pw2")(h)
    h = LayerScale(1e-6, 4, name="scale")(h)
    if drop:
        h = StochasticDepth(0.5, name="drop_path")(h)
    h = layers.Add(name="res")([x, h])
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    out = layers.Dense(3, activation="softmax", name="out")(h)
    return keras.Model(x, out, name="convnext_block")


def guide():
    x = keras.Input((12, 12, 3), name="x")
    h = layers.RandomFlip("horizontal", name="flip")(x)
    h = layers.RandomRotation(0.1, name="rotate")(h)
    h = layers.RandomContrast(0.2, name="contrast")(h)
    h = layers.RandomBrightness(0.2, name="brightness")(h)
    h = layers.Rescaling(1.0 / 255, name="rescale")(h)
    bi = keras.Input((12, 12, 3))
    b = layers.Conv2D(5, 3, strides=2, name="conv")(bi)
    b = layers.BatchNormalization(name="bn")(b)
    b = layers.ReLU(name="relu")(b)
    base = keras.Model(bi, b, name="base")
    base.trainable = False
    h = base(h, training=False)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    h = layers.Dropout(0.2, name="dropout")(h)
    out = layers.Dense(1, name="logit")(h)
    return keras.Model(x, out, name="guide")


def nested_norm():
    ci = keras.Input((6, 6, 3))
    c = layers.Rescaling(1.0 / 255, name="rescale")(ci)
    c = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2], name="norm")(c)
    c = layers.Conv2D(4, 3, name="conv")(c)
    c = layers.BatchNormalization(name="bn")(c)
    core = keras.Model(ci, c, name="core")
    inner = keras.Sequential([keras.Input((6, 6, 3)), core, layers.ReLU(name="relu")], name="inner")
    x = keras.Input((6, 6, 3), name="x")
    h = inner(x)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="outer")


def weight_keys(model):
    """<top layer>__<name below it>: a nested model's variables as <sublayer>[.<subsublayer>].<variable>."""
    out = {}

    def walk(layer, prefix):
        if isinstance(layer, keras.Model):
            for sub in layer.layers:
                walk(sub, prefix + sub.name + ".")
        else:
            for v in layer.weights:
                out[prefix + var_name(layer, v)] = v

    for top in model.layers:
        if isinstance(top, keras.Model):
            for sub in top.layers:
                walk(sub, top.name + "__" + sub.name + ".")
        else:
            for v in top.weights:
                out[top.name + "__" + var_name(top, v)] = v
    return out


def var_name(layer, v):
    """LayerScale creates its variable without a name (Keras calls it variable_<n>); its attribute is gamma."""
    return "gamma" if isinstance(layer, LayerScale) else v.name


def write(name, model, out_dir, rng, loss, opt, steps, h5=True, x_scale=1.0, extra=None, predict=True):
    d = kcases.save_case(model, out_dir, name, opt(), loss, h5=h5)
    npz = {}
    shape = tuple(model.inputs[0].shape[1:])
    x = (rng.uniform(0, 1, size=(4,) + shape) * x_scale).astype("float32")
    npz["x"] = x
    if predict:
        npz["y"] = np.asarray(model.predict(x, verbose=0))
    if extra:
        npz.update(extra(model, x))
    losses, logs = [], []
    if steps:
        m2 = keras.models.load_model(os.path.join(d, "model.keras"), compile=False)
        m2.compile(optimizer=opt(), loss=loss)
        units = m2.outputs[0].shape[-1]
        for k in range(steps):
            xb = (rng.uniform(0, 1, size=(BATCH,) + shape) * x_scale).astype("float32")
            yb = rng.normal(0, 1, size=(BATCH, units)).astype("float32") if loss == "mean_squared_error" else \
                np.eye(units, dtype="float32")[rng.integers(0, units, size=BATCH)]
            npz["train_x__%d" % k] = xb
            npz["train_y__%d" % k] = yb
            log = m2.train_on_batch(xb, yb, return_dict=True)
            logs.append({kk: float(vv) for kk, vv in log.items()})
            losses.append(float(log["loss"]))
            for key, v in weight_keys(m2).items():
                npz["after__%d__%s" % (k, key)] = np.asarray(v.numpy())
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {
        "case": name, "keras_version": keras.__version__,
        "inputs": [{"name": model.inputs[0].name.split(":")[0], "npz_key": "x"}],
        "outputs": [{"name": model.layers[-1].name, "npz_key": "y"}],
        "training": {"steps": steps, "losses": losses, "train_on_batch_logs": logs},
        "weights": len(model.weights),
        # float32 forward passes of a few dozen operations on O(1) values (derivation in AppLayersKerasTest)
        "tolerance": {"predict_abs": 1e-5, "loss_abs": 3e-5, "train_abs": 1e-4},
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--skip-effv2", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    keras.utils.set_random_seed(a.seed)
    names = []
    m = convnext_block(False)
    perturb(m, rng)
    names.append(write("layer_scale", m, a.out, rng, "categorical_crossentropy", lambda: keras.optimizers.Adam(0.01), STEPS))
    m = convnext_block(True)
    perturb(m, rng)

    def branch(model, x):
        probe = keras.Model(model.inputs, model.get_layer("scale").output)
        return {"branch": np.asarray(probe.predict(x, verbose=0))}

    names.append(write("stochastic_depth", m, a.out, rng, "categorical_crossentropy",
                       lambda: keras.optimizers.Adam(0.01), 0, extra=branch))
    m = guide()
    perturb(m, rng)
    names.append(write("guide", m, a.out, rng, keras.losses.BinaryCrossentropy(from_logits=True),
                       lambda: keras.optimizers.Adam(1e-3), 0, h5=False, x_scale=255.0))
    m = nested_norm()
    perturb(m, rng)
    names.append(write("nested_norm", m, a.out, rng, "mean_squared_error", lambda: keras.optimizers.SGD(0.1), STEPS,
                       x_scale=255.0))
    if not a.skip_effv2:
        base = keras.applications.EfficientNetV2B0(weights=None, include_top=False, input_shape=(32, 32, 3))
        x = keras.Input((32, 32, 3), name="x")
        h = base(x, training=False)
        h = layers.GlobalAveragePooling2D(name="gap")(h)
        out = layers.Dense(3, activation="softmax", name="head")(h)
        m = keras.Model(x, out, name="effv2b0_head")
        names.append(write("effv2b0", m, a.out, rng, "categorical_crossentropy", lambda: keras.optimizers.Adam(1e-3),
                           0, x_scale=255.0, predict=False))
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

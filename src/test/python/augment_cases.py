#!/usr/bin/env python3
"""REAL-Keras cases for the training transforms of RandomRotation, RandomZoom, RandomTranslation and RandomCrop
(AugmentationKerasTest).

Usage:  python augment_cases.py OUT_DIR [--seed N]

Writes:
  OUT_DIR/deterministic/  model.keras: one input x (7, 9, 2) and one output per augmentation layer, each applied to x:
                          the affine layers with degenerate factor ranges (lower == upper, so the transform is
                          deterministic) for every fill_mode x interpolation, and RandomCrop targets for which Keras'
                          training path has no random draw (input not larger than the target in both axes).
                          reference.npz: x and y__<layer> = Keras' layer(x, training=True).
                          case.json: the layer names, and per affine layer the margin check below.
  OUT_DIR/window/         RandomCrop(5, 6) on (7, 9, 2) (a random window in training): model.keras, x and
                          keras_y = Keras' layer(x, training=True) (some window of x, one for the batch).
  OUT_DIR/random/         model.keras: one output per layer with random factors; reference.npz: x and Keras' own draws
                          keras__<layer>__<parameter> (layer.get_random_transformation(x, training=True), many calls).
  OUT_DIR/recipe/           the guide's two phases without its random layers (so Keras' and Kerasport's runs are
                          comparable step by step): Rescaling -> base(x, training=False) (a frozen Functional: Conv2D,
                          BatchNormalization, ReLU, Conv2D) -> GlobalAveragePooling2D -> Dense(1) logits,
                          BinaryCrossentropy(from_logits=True), Adam(1e-3). model.keras, train.npz (x, y in {0, 1});
                          reference.npz: x_eval and Keras' predictions after phase 1 (fit, 1 epoch, batch 8, no
                          shuffle: y1) and after phase 2 (base.trainable = True, recompiled with Adam(1e-4), the same
                          epoch: y2), plus y0 before training, and phase 2 with only the base's top layer unfrozen
                          (base.trainable = True, its other sublayers frozen again: y2_top).
  OUT_DIR/finetune/       the guide's augmentation in front of a small conv model: model.keras (compiled, Adam) and
                          train.npz (x, one-hot y: the class is whether the red channel outweighs the green one).

Margin check (deterministic affine cases): a float32 coordinate computed by another implementation may differ from
TensorFlow's by a few ulps. Nearest interpolation rounds coordinates and the wrap/reflect maps jump, so the chosen
parameters must keep every coordinate away from such a step: the script applies keras.ops.image.affine_transform with
the layer's transform offsets moved by +-1e-3 pixel and requires nearest outputs unchanged and bilinear outputs within
the bilinear slope bound 2 * 1e-3 * 2 * max|value| (else it fails: pick other parameters).

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers, ops  # noqa: E402

H, W, C = 7, 9, 2
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")
FILL_VALUE = -0.75
DELTA = 1e-3


def affine_layers():
    """(name, layer) for every deterministic affine case."""
    out = []
    for fm in FILL_MODES:
        for ip in INTERPOLATIONS:
            kw = dict(fill_mode=fm, interpolation=ip, fill_value=FILL_VALUE)
            s = "%s_%s" % (fm, ip)
            out.append(("rot_a_" + s, layers.RandomRotation((0.1, 0.1), name="rot_a_" + s, **kw)))
            out.append(("rot_b_" + s, layers.RandomRotation((-0.37, -0.37), name="rot_b_" + s, **kw)))
            out.append(("zoom_a_" + s, layers.RandomZoom((-0.2, -0.2), name="zoom_a_" + s, **kw)))
            out.append(("zoom_b_" + s, layers.RandomZoom((0.3, 0.3), (-0.45, -0.45), name="zoom_b_" + s, **kw)))
            out.append(("shift_a_" + s, layers.RandomTranslation((0.1, 0.1), (-0.2, -0.2), name="shift_a_" + s, **kw)))
            out.append(("shift_b_" + s, layers.RandomTranslation((-0.93, -0.93), (0.87, 0.87), name="shift_b_" + s,
                                                                 **kw)))
    return out


def crop_layers():
    # (7, 9) in: the same size (identity), taller and narrower (centred slice cut at the edge, resized),
    # narrower (centred slice), lower (centred slice)
    return [(n, layers.RandomCrop(h, w, name=n)) for n, h, w in
            (("crop_same", 7, 9), ("crop_resize", 10, 6), ("crop_narrow", 7, 5), ("crop_low", 4, 9))]


def multi_output(named, name):
    x = keras.Input((H, W, C), name="x")
    outs = []
    for _, layer in named:
        outs.append(layer(x))
    return keras.Model(x, outs, name=name)


def transform_of(layer, x):
    t = layer.get_random_transformation(x, training=True)
    if isinstance(layer, layers.RandomRotation):
        return np.asarray(t["rotation_matrix"])
    if isinstance(layer, layers.RandomZoom):
        zooms = ops.concatenate([t["width_zoom"], t["height_zoom"]], axis=1)
        return np.asarray(layer._get_zoom_matrix(ops.cast(zooms, "float32"), H, W))
    return np.asarray(layer._get_translation_matrix(t["translations"]))


def margin(layer, x, y):
    """The margin check of the module doc; returns the worst perturbation effect seen (for case.json)."""
    t = transform_of(layer, x).astype("float32")
    worst = 0.0
    bound = 2 * DELTA * 2 * max(float(np.abs(x).max()), abs(FILL_VALUE))
    for dx, dy in ((DELTA, 0), (-DELTA, 0), (0, DELTA), (0, -DELTA)):
        tp = t.copy()
        tp[:, 2] += dx
        tp[:, 5] += dy
        yp = np.asarray(ops.image.affine_transform(x, tp, interpolation=layer.interpolation, fill_mode=layer.fill_mode,
                                                   fill_value=layer.fill_value))
        d = float(np.abs(yp - y).max())
        worst = max(worst, d)
        if (layer.interpolation == "nearest" and d != 0) or d > bound:
            raise SystemExit("%s: a coordinate lies within %g pixel of a rounding or fill-mode step (change %g, "
                             "bound %g): choose other parameters" % (layer.name, DELTA, d, bound))
    return worst


def deterministic(out, rng):
    aff = affine_layers()
    crops = crop_layers()
    model = multi_output(aff + crops, "deterministic")
    d = kcases.save_case(model, out, "deterministic", keras.optimizers.SGD(0.1), "mean_squared_error", h5=False)
    x = rng.uniform(0, 1, size=(4, H, W, C)).astype("float32")
    ys = model(x, training=True)
    npz = {"x": x}
    margins = {}
    for (n, layer), y in zip(aff + crops, ys):
        y = np.asarray(y)
        npz["y__" + n] = y
        if n.startswith(("rot", "zoom", "shift")):
            margins[n] = margin(layer, x, y)
    np.savez(os.path.join(d, "reference.npz"), **npz)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"case": "deterministic", "keras_version": keras.__version__, "layers": [n for n, _ in aff + crops],
                   "fill_value": FILL_VALUE, "margins": margins}, f, indent=1)


def window(out, rng):
    layer = layers.RandomCrop(5, 6, name="crop_window")
    model = multi_output([("crop_window", layer)], "window")
    d = kcases.save_case(model, out, "window", keras.optimizers.SGD(0.1), "mean_squared_error", h5=False)
    x = rng.uniform(0, 1, size=(4, H, W, C)).astype("float32")
    np.savez(os.path.join(d, "reference.npz"), x=x, keras_y=np.asarray(model(x, training=True)))
    case_json(d, "window")


RANDOM = [
    ("rot_range", lambda n: layers.RandomRotation((-0.2, 0.3), name=n)),
    ("rot_number", lambda n: layers.RandomRotation(0.15, name=n)),
    ("zoom_same", lambda n: layers.RandomZoom(0.25, name=n)),
    ("zoom_both", lambda n: layers.RandomZoom((-0.3, 0.1), (0.2, 0.5), name=n)),
    ("shift", lambda n: layers.RandomTranslation((-0.1, 0.3), (-0.25, 0.05), name=n)),
    ("crop", lambda n: layers.RandomCrop(4, 5, name=n)),
]
DRAWS = 2000


def random_case(out):
    named_layers = [(n, f(n)) for n, f in RANDOM]
    model = multi_output(named_layers, "random")
    d = kcases.save_case(model, out, "random", keras.optimizers.SGD(0.1), "mean_squared_error", h5=False)
    npz = {}
    big = np.zeros((DRAWS, H, W, C), dtype="float32")
    for n, layer in named_layers:
        if n.startswith("rot"):
            npz["keras__%s__angle" % n] = np.asarray(layer.get_random_transformation(big, training=True)["angle"])
        elif n.startswith("zoom"):
            t = layer.get_random_transformation(big, training=True)
            npz["keras__%s__zx" % n] = np.asarray(t["width_zoom"]).ravel()
            npz["keras__%s__zy" % n] = np.asarray(t["height_zoom"]).ravel()
        elif n.startswith("shift"):
            t = np.asarray(layer.get_random_transformation(big, training=True)["translations"])
            npz["keras__%s__dx" % n] = t[:, 0]
            npz["keras__%s__dy" % n] = t[:, 1]
        else:  # one window per batch: one draw per call
            small = big[:1]
            starts = np.array([[int(v) for v in layer.get_random_transformation(small, training=True)]
                               for _ in range(400)])
            npz["keras__%s__top" % n] = starts[:, 0]
            npz["keras__%s__left" % n] = starts[:, 1]
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case_json(d, "random")


def case_json(d, name):
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"case": name, "keras_version": keras.__version__}, f, indent=1)


def finetune(out, rng):
    x = keras.Input((12, 12, 3), name="image")
    h = layers.RandomRotation(0.1, name="rotate")(x)
    h = layers.RandomZoom(0.2, name="zoom")(h)
    h = layers.RandomTranslation(0.1, 0.1, name="translate")(h)
    h = layers.RandomCrop(10, 10, name="crop")(h)
    h = layers.Conv2D(4, 3, name="conv")(h)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    y = layers.Dense(2, activation="softmax", name="out")(h)
    model = keras.Model(x, y, name="augmented")
    d = kcases.save_case(model, out, "finetune", keras.optimizers.Adam(0.01), "categorical_crossentropy", h5=False)
    xs = rng.uniform(0, 1, size=(256, 12, 12, 3)).astype("float32")
    xs[:, :, :, 0] += rng.choice([-0.3, 0.3], size=(256, 1, 1)).astype("float32")
    label = (xs[:, :, :, 0].mean(axis=(1, 2)) > xs[:, :, :, 1].mean(axis=(1, 2))).astype(int)
    np.savez(os.path.join(d, "train.npz"), x=xs, y=np.eye(2, dtype="float32")[label])


def recipe(out, rng):
    x = keras.Input((12, 12, 3), name="image")
    h = layers.Rescaling(1.0 / 255, name="rescale")(x)
    bi = keras.Input((12, 12, 3))
    b = layers.Conv2D(5, 3, strides=2, name="conv")(bi)
    b = layers.BatchNormalization(name="bn")(b)
    b = layers.ReLU(name="relu")(b)
    b = layers.Conv2D(4, 3, name="conv2")(b)
    base = keras.Model(bi, b, name="base")
    for v in base.weights:
        v.assign(rng.uniform(0.5, 1.5, size=v.shape).astype("float32") if "variance" in v.path
                 else rng.normal(0, 0.5, size=v.shape).astype("float32"))
    base.trainable = False
    h = base(h, training=False)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    y = layers.Dense(1, name="logit")(h)
    model = keras.Model(x, y, name="recipe")
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    d = kcases.save_case(model, out, "recipe", keras.optimizers.Adam(1e-3), loss, h5=False)
    xs = rng.uniform(0, 255, size=(64, 12, 12, 3)).astype("float32")
    ys = (rng.uniform(size=(64, 1)) > 0.5).astype("float32")
    np.savez(os.path.join(d, "train.npz"), x=xs, y=ys)
    x_eval = rng.uniform(0, 255, size=(8, 12, 12, 3)).astype("float32")
    m = keras.models.load_model(os.path.join(d, "model.keras"))
    ref = {"x_eval": x_eval, "y0": np.asarray(m.predict(x_eval, verbose=0))}
    m.fit(xs, ys, batch_size=8, epochs=1, shuffle=False, verbose=0)
    ref["y1"] = np.asarray(m.predict(x_eval, verbose=0))
    m.save(os.path.join(d, "keras_phase1.keras"))
    # phase 2, top layer only: the base trainable, every sublayer but its last frozen again
    mt = keras.models.load_model(os.path.join(d, "keras_phase1.keras"))
    b = mt.get_layer("base")
    b.trainable = True
    for sub in b.layers[:-1]:
        sub.trainable = False
    mt.compile(optimizer=keras.optimizers.Adam(1e-4), loss=loss)
    mt.fit(xs, ys, batch_size=8, epochs=1, shuffle=False, verbose=0)
    ref["y2_top"] = np.asarray(mt.predict(x_eval, verbose=0))
    m.get_layer("base").trainable = True  # phase 2 as the guide: unfreeze the base, recompile with a small rate
    m.compile(optimizer=keras.optimizers.Adam(1e-4), loss=loss)
    m.fit(xs, ys, batch_size=8, epochs=1, shuffle=False, verbose=0)
    ref["y2"] = np.asarray(m.predict(x_eval, verbose=0))
    np.savez(os.path.join(d, "reference.npz"), **ref)
    case_json(d, "recipe")


def main():
    a, rng = kcases.cli(5)
    deterministic(a.out, rng)
    window(a.out, rng)
    random_case(a.out)
    finetune(a.out, rng)
    recipe(a.out, rng)
    print(json.dumps({"cases": ["deterministic", "window", "random", "finetune", "recipe"]}))


if __name__ == "__main__":
    main()

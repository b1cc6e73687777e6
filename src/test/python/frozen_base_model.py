"""A transfer-learning model as the Keras guide builds one, for the frozen-base tests and bench.

Usage: python frozen_base_model.py OUT.keras TRAIN.npz VAL.npz [--size S] [--rows N] [--val-rows M] [--classes C]
       [--base mobilenetv2|resnet50|efficientnetb0] [--mode frozen|trainable|inference] [--middle]

keras.applications.MobileNetV2(alpha=0.35, weights=None, include_top=False) (or --base: ResNet50, EfficientNetB0)
on an SxSx3 input, then GlobalAveragePooling2D and a Dense softmax head with an l2 kernel regularizer; compiled with
Adam, categorical cross-entropy and accuracy, saved unfitted. --mode frozen (the default): every base layer
trainable=False (so its BatchNormalization runs in inference mode); trainable: the whole base trains, its
BatchNormalization in training mode; inference: the whole base trains but is called with training=False (the Keras
guide's second phase: BatchNormalization keeps its moving statistics).
With --middle instead: a frozen layer between trainable ones, Input(8) -> Dense(16, relu) -> Dense(16, relu,
trainable=False) -> Dense(C, softmax, l2), rows of 8 features.
Random images (seeded) and one-hot labels go to TRAIN.npz and VAL.npz as x and y.
"""
import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("train")
    ap.add_argument("val")
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--rows", type=int, default=48)
    ap.add_argument("--val-rows", type=int, default=16)
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--middle", action="store_true")
    ap.add_argument("--base", default="mobilenetv2", choices=("mobilenetv2", "resnet50", "efficientnetb0"))
    ap.add_argument("--mode", default="frozen", choices=("frozen", "trainable", "inference"))
    a = ap.parse_args()
    keras.utils.set_random_seed(7)
    if a.middle:
        return middle(a)
    inputs = keras.Input((a.size, a.size, 3))
    nested = a.mode == "inference" or a.base != "mobilenetv2"
    # MobileNetV2 frozen or trainable: the base's layers in the outer graph, as the frozen-base tests have always
    # built it; otherwise the base is one nested model, as the Keras guide builds it
    kw = dict(input_shape=(a.size, a.size, 3)) if nested else dict(input_tensor=inputs)
    if a.base == "mobilenetv2":
        base = keras.applications.MobileNetV2(alpha=0.35, weights=None, include_top=False, **kw)
    elif a.base == "resnet50":
        base = keras.applications.ResNet50(weights=None, include_top=False, **kw)
    else:
        base = keras.applications.EfficientNetB0(weights=None, include_top=False, **kw)
    if a.mode == "frozen":
        for layer in base.layers:
            layer.trainable = False
    if not nested:
        x = base.output
    else:
        x = base(inputs, training=False) if a.mode == "inference" else base(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    out = keras.layers.Dense(a.classes, activation="softmax", kernel_regularizer=keras.regularizers.l2(1e-3), name="head")(x)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    model.save(a.out)
    rng = np.random.default_rng(11)
    for path, n in ((a.train, a.rows), (a.val, a.val_rows)):
        x = rng.uniform(-1, 1, (n, a.size, a.size, 3)).astype("float32")
        y = np.eye(a.classes, dtype="float32")[rng.integers(0, a.classes, n)]
        np.savez(path, x=x, y=y)
    return 0


def middle(a):
    inputs = keras.Input((8,))
    x = keras.layers.Dense(16, activation="relu", name="d1")(inputs)
    frozen = keras.layers.Dense(16, activation="relu", name="d2")
    x = frozen(x)
    frozen.trainable = False
    out = keras.layers.Dense(a.classes, activation="softmax", kernel_regularizer=keras.regularizers.l2(1e-3), name="head")(x)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="categorical_crossentropy", metrics=["accuracy"])
    model.save(a.out)
    rng = np.random.default_rng(11)
    for path, n in ((a.train, a.rows), (a.val, a.val_rows)):
        x = rng.standard_normal((n, 8)).astype("float32")
        y = np.eye(a.classes, dtype="float32")[rng.integers(0, a.classes, n)]
        np.savez(path, x=x, y=y)
    return 0


if __name__ == "__main__":
    sys.exit(main())

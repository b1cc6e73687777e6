#!/usr/bin/env python3
"""Real-Keras models for the Spark fine-tuning tests (SparkFinetuneTest), compiled and saved before any training.

Usage:  python spark_models.py OUT_DIR

  OUT_DIR/mlp/model.keras      Input(6) -> Dense(16, tanh, kernel L1L2, bias L2) -> Dense(8, relu, kernel L2,
                               activity-free) -> Dense(3, softmax, kernel L2); AdamW(learning_rate 0.01,
                               weight_decay 0.05, clipnorm 1.0): every regularizer kind and the decoupled decay;
                               categorical crossentropy, accuracy
  OUT_DIR/mlp/train.npz        x (90x6 normal), y (one-hot of 3 classes)
  OUT_DIR/cnn/model.keras      Input(8,8,2) -> Conv2D(4, 3, relu, kernel L2) -> MaxPooling2D(2) -> Conv2D(3, 2, tanh,
                               bias L1) -> Flatten -> Dense(2, softmax, kernel L2); SGD(0.05, momentum 0.9, nesterov),
                               categorical crossentropy, accuracy
  OUT_DIR/cnn/train.npz        x (40x8x8x2 normal), y (one-hot of 2 classes)
  OUT_DIR/dropout/model.keras  Input(4, 'inp') -> Dense(4) -> Dropout(0.5) -> Dense(1); SGD, mse (refused on Spark)
  OUT_DIR/dropout/train.npz    x (8x4), y (8x1)
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402


def save(out, name, model, x, y):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    model.save(os.path.join(d, "model.keras"))
    np.savez(os.path.join(d, "train.npz"), x=x.astype(np.float32), y=y.astype(np.float32))


def main():
    out = sys.argv[1]
    keras.utils.set_random_seed(20)
    rng = np.random.default_rng(20)

    i = keras.Input((6,), name="features")
    x = layers.Dense(16, activation="tanh", name="h1", kernel_regularizer=regularizers.L1L2(0.001, 0.01),
                     bias_regularizer=regularizers.L2(0.01))(i)
    x = layers.Dense(8, activation="relu", name="h2", kernel_regularizer=regularizers.L2(0.005))(x)
    o = layers.Dense(3, activation="softmax", name="out", kernel_regularizer=regularizers.L2(0.01))(x)
    m = keras.Model(i, o)
    m.compile(optimizer=keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.05, clipnorm=1.0),
              loss="categorical_crossentropy", metrics=["accuracy"])
    xs = rng.normal(size=(90, 6))
    save(out, "mlp", m, xs, np.eye(3)[rng.integers(0, 3, 90)])

    i = keras.Input((8, 8, 2), name="image")
    x = layers.Conv2D(4, 3, activation="relu", name="c1", kernel_regularizer=regularizers.L2(0.01))(i)
    x = layers.MaxPooling2D(2, name="p1")(x)
    x = layers.Conv2D(3, 2, activation="tanh", name="c2", bias_regularizer=regularizers.L1(0.01))(x)
    x = layers.Flatten(name="flat")(x)
    o = layers.Dense(2, activation="softmax", name="out", kernel_regularizer=regularizers.L2(0.01))(x)
    m = keras.Model(i, o)
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
              loss="categorical_crossentropy", metrics=["accuracy"])
    save(out, "cnn", m, rng.normal(size=(40, 8, 8, 2)), np.eye(2)[rng.integers(0, 2, 40)])

    i = keras.Input((4,), name="inp")
    x = layers.Dense(4, name="d1")(i)
    x = layers.Dropout(0.5, name="drop")(x)
    o = layers.Dense(1, name="out")(x)
    m = keras.Model(i, o)
    m.compile(optimizer="sgd", loss="mse")
    save(out, "dropout", m, rng.normal(size=(8, 4)), rng.normal(size=(8, 1)))


if __name__ == "__main__":
    main()

"""Step 1 (Python): train a small Keras model with L2 weight decay on its kernels and save it.

Usage: python train_keras.py OUT_DIR
Writes OUT_DIR/model.keras (with its Adam state) and OUT_DIR/train.npz, OUT_DIR/val.npz (x, y): a noisy
two-class spiral, so that the next steps have something to learn.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402


def spiral(rng, n):
    t = rng.uniform(0.5, 3 * np.pi, n)
    c = rng.integers(0, 2, n)
    r = t / (3 * np.pi)
    x = np.stack([r * np.cos(t + np.pi * c), r * np.sin(t + np.pi * c)], 1) + rng.normal(0, 0.05, (n, 2))
    return x.astype("float32"), c.reshape(-1, 1).astype("float32")


def main(out):
    os.makedirs(out, exist_ok=True)
    keras.utils.set_random_seed(42)
    rng = np.random.default_rng(42)
    x, y = spiral(rng, 800)
    xv, yv = spiral(rng, 200)
    model = keras.Sequential([
        keras.Input((2,), name="point"),
        layers.Dense(32, activation="relu", kernel_regularizer=regularizers.l2(1e-3), name="hidden1"),
        layers.Dense(32, activation="relu", kernel_regularizer=regularizers.l2(1e-3), name="hidden2"),
        layers.Dense(1, activation="sigmoid", kernel_regularizer=regularizers.l2(1e-3), name="label"),
    ], name="spiral")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=5, batch_size=32, validation_data=(xv, yv), verbose=0)
    print(f"Keras: 5 epochs, val_accuracy {h.history['val_accuracy'][-1]:.3f}")
    model.save(os.path.join(out, "model.keras"))
    np.savez(os.path.join(out, "train.npz"), x=x, y=y)
    np.savez(os.path.join(out, "val.npz"), x=xv, y=yv)


if __name__ == "__main__":
    main(sys.argv[1])

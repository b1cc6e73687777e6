"""Fine-tuning benchmark: the models and data, written by real Keras (bench/finetune.sh runs this once).

Usage: python bench/make_models.py OUTDIR

Writes OUTDIR/{seed,mlp,cnn,lstm}.keras and OUTDIR/{seed,mlp,cnn,lstm}.npz (x, y float32; synthetic, fixed seeds):
  seed  models/seed_mlp.keras as shipped (Dense 2-10-1, l2(0.001), Adam(0.01) with its stored state, MSE);
        x ~ N(0,1) (16384, 2), y in {0,1} (16384, 1)
  mlp   784-512(relu)-512(relu)-10(softmax), l2(1e-4) on every kernel, Adam(1e-3), categorical crossentropy;
        x ~ U[0,1) (8192, 784), y one-hot of 10 random classes
  cnn   28x28x1 Conv2D(32,3,relu)-MaxPool(2)-Conv2D(64,3,relu)-MaxPool(2)-Flatten-Dense(128,relu)-Dense(10,softmax),
        l2(1e-4) on every kernel, Adam(1e-3), categorical crossentropy; x ~ U[0,1) (1536, 28, 28, 1), y one-hot
  lstm  sequences of 20 steps x 8 features -> LSTM(64) -> Dense(10, softmax), l2(1e-4) on the kernels (input and
        recurrent), Adam(1e-3), categorical crossentropy; x ~ N(0,1) (4096, 20, 8), y one-hot
All compiled with metrics=["accuracy"] (as the seed model is) and saved untrained (mlp, cnn: no optimizer state).
"""
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402


def onehot(rng, n, k=10):
    return np.eye(k, dtype="float32")[rng.integers(0, k, n)]


def main(out):
    os.makedirs(out, exist_ok=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shutil.copyfile(os.path.join(root, "models", "seed_mlp.keras"), os.path.join(out, "seed.keras"))
    rng = np.random.default_rng(1)
    np.savez(os.path.join(out, "seed.npz"), x=rng.standard_normal((16384, 2)).astype("float32"),
             y=(rng.random((16384, 1)) < 0.5).astype("float32"))

    keras.utils.set_random_seed(0)
    l2 = regularizers.l2(1e-4)
    mlp = keras.Sequential([keras.Input((784,)),
                            layers.Dense(512, activation="relu", kernel_regularizer=l2),
                            layers.Dense(512, activation="relu", kernel_regularizer=l2),
                            layers.Dense(10, activation="softmax", kernel_regularizer=l2)])
    mlp.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    mlp.save(os.path.join(out, "mlp.keras"))
    rng = np.random.default_rng(2)
    np.savez(os.path.join(out, "mlp.npz"), x=rng.random((8192, 784), dtype="float32"), y=onehot(rng, 8192))

    cnn = keras.Sequential([keras.Input((28, 28, 1)),
                            layers.Conv2D(32, 3, activation="relu", kernel_regularizer=l2),
                            layers.MaxPooling2D(2),
                            layers.Conv2D(64, 3, activation="relu", kernel_regularizer=l2),
                            layers.MaxPooling2D(2),
                            layers.Flatten(),
                            layers.Dense(128, activation="relu", kernel_regularizer=l2),
                            layers.Dense(10, activation="softmax", kernel_regularizer=l2)])
    cnn.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    cnn.save(os.path.join(out, "cnn.keras"))
    rng = np.random.default_rng(3)
    np.savez(os.path.join(out, "cnn.npz"), x=rng.random((1536, 28, 28, 1), dtype="float32"), y=onehot(rng, 1536))

    lstm = keras.Sequential([keras.Input((20, 8)),
                             layers.LSTM(64, kernel_regularizer=l2, recurrent_regularizer=l2),
                             layers.Dense(10, activation="softmax", kernel_regularizer=l2)])
    lstm.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    lstm.save(os.path.join(out, "lstm.keras"))
    rng = np.random.default_rng(4)
    np.savez(os.path.join(out, "lstm.npz"), x=rng.standard_normal((4096, 20, 8)).astype("float32"), y=onehot(rng, 4096))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

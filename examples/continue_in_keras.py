"""Step 3 (Python): load what Kerasport fine-tuned and keep training it in Keras.

Usage: python continue_in_keras.py TUNED.keras DATA_DIR
The .keras file written by `kerasport finetune -o tuned.keras` carries the L2 regularizers, the Adam settings and
the Adam state, so Keras' fit simply goes on.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def main(tuned, data):
    model = keras.models.load_model(tuned)
    print(f"Keras loaded {tuned}: optimizer {type(model.optimizer).__name__}, "
          f"{int(model.optimizer.iterations.numpy())} iterations so far, "
          f"regularization loss {float(sum(model.losses)):.5f}")
    tr, va = np.load(os.path.join(data, "train.npz")), np.load(os.path.join(data, "val.npz"))
    h = model.fit(tr["x"], tr["y"], epochs=2, batch_size=32, validation_data=(va["x"], va["y"]), verbose=0)
    print(f"Keras: 2 more epochs, loss {h.history['loss'][0]:.4f} -> {h.history['loss'][-1]:.4f}, "
          f"val_accuracy {h.history['val_accuracy'][-1]:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

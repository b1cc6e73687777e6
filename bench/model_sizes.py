"""What the memory bound of issue 16 is made of, from Keras itself: prints "PARAM_BYTES ACT_BYTES" for MODEL at batch
BATCH, where ACT_BYTES is the float32 size of every layer's output for one batch (nested models walked; an input layer
counted once), i.e. one batch's activations.

Usage: python bench/model_sizes.py MODEL.keras BATCH
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def outputs(model):
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += outputs(layer)
            continue
        for t in keras.tree.flatten(layer.output):
            total += int(np.prod([d for d in t.shape if d is not None]))
    return total


def main():
    model = keras.saving.load_model(sys.argv[1], compile=False)
    batch = int(sys.argv[2])
    print(model.count_params() * 4, outputs(model) * 4 * batch)


if __name__ == "__main__":
    sys.exit(main())

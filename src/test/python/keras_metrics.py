"""Keras' own metric values for a batch, for the Java metrics test.

Usage: python keras_metrics.py IN.npz OUT.json
IN.npz holds <fn>__pred and <fn>__true per metric function name (binary_accuracy, categorical_accuracy,
sparse_categorical_accuracy, mean_absolute_error, mean_squared_error). OUT.json maps each name to the mean of
keras.metrics.<fn>(y_true, y_pred) over everything it returns: what Keras' metric object reports for the batch.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def main():
    data = np.load(sys.argv[1])
    out = {}
    for key in data.files:
        if not key.endswith("__pred"):
            continue
        fn = key[: -len("__pred")]
        per_sample = getattr(keras.metrics, fn)(data[fn + "__true"], data[key])
        out[fn] = float(np.mean(keras.ops.convert_to_numpy(per_sample).astype("float64")))
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Lists the layer class names Keras itself ships, one per line, sorted (the resource
src/main/resources/org/kerasport/format/keras-builtin-layers.txt is this script's output).

Usage:  python list_builtin_layers.py [OUT_FILE]

Three sources:
  1. every class exported by keras.layers that subclasses keras.layers.Layer (Keras 3, from the venv's Keras);
  2. every Layer subclass defined in a keras.applications module (ConvNeXt's LayerScale, StochasticDepth);
  3. layer classes of Keras 1.x/2.x and tf.keras that Keras 3 no longer exports (LEGACY below: class names from
     the Keras 1.2/2.x and tf.keras 2.x layer reference pages; they cannot be imported from Keras 3).
A class_name outside this list is a custom (user-written Python) class; inside it, a built-in one.
"""
import importlib
import inspect
import os
import pkgutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import keras.src.applications as apps  # noqa: E402

LEGACY = [
    # Keras 1.x
    "Convolution1D", "Convolution2D", "Convolution3D", "AtrousConvolution1D", "AtrousConvolution2D",
    "Deconvolution2D", "Deconvolution3D", "SeparableConvolution2D", "Merge", "MaxoutDense", "Highway",
    "TimeDistributedDense", "LocallyConnected1D", "LocallyConnected2D", "SReLU", "ThresholdedReLU",
    # Keras 2.x / tf.keras 2.x
    "CuDNNLSTM", "CuDNNGRU", "ConvRNN2D", "AbstractRNNCell", "DenseFeatures", "SimpleRNNCell", "PeepholeLSTMCell",
    "RandomHeight", "RandomWidth", "PreprocessingLayer", "SyncBatchNormalization", "EinsumDense",
    "MultiHeadAttention", "Attention", "AdditiveAttention", "TFOpLambda", "SlicingOpLambda", "InstanceProperty",
    "InstanceMethod", "ClassMethod", "KerasTensor", "DepthwiseConv1D", "RandomFourierFeatures",
    "Functional", "Sequential", "Model",
]


def main():
    names = set()
    for n in dir(keras.layers):
        c = getattr(keras.layers, n)
        if inspect.isclass(c) and issubclass(c, keras.layers.Layer):
            names.add(n)
    for info in pkgutil.iter_modules(apps.__path__):
        if info.name.endswith("_test"):
            continue
        mod = importlib.import_module(apps.__name__ + "." + info.name)
        for n, c in vars(mod).items():
            if inspect.isclass(c) and issubclass(c, keras.layers.Layer) and c.__module__ == mod.__name__:
                names.add(n)
    names.update(LEGACY)
    text = "".join(n + "\n" for n in sorted(names))
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

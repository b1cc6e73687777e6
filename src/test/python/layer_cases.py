"""Real-Keras cases for layers Kerasport maps that no other generator holds (LayerCasesKerasTest, the layer coverage
table): each is a small model written, predicted and (where Keras' training is deterministic) trained by Keras.

Usage:  python layer_cases.py OUT_DIR [--seed N]

Cases (OUT_DIR/<case>/{model.keras, model.h5, case.json, reference.npz}, layout of ../shared/keras-reference):
  act_reg_identity  Dense -> ActivityRegularization(l1, l2) -> Identity -> LeakyReLU -> ELU -> Dense -> Softmax
                    layer; categorical crossentropy, SGD(0.1), 3 steps.
  pool3d            Conv3D -> AveragePooling3D (valid, strides 2) -> GlobalMaxPooling3D -> Dense; mse, Adam, 3 steps.
  noise_inference   SpatialDropout1D, AlphaDropout, GaussianNoise, GaussianDropout on sequences, and SpatialDropout3D
                    on volumes: the identity at inference (predictions only: their training draws are random).
  augment_inference RandomZoom, RandomTranslation, RandomCrop (target = input size) on images: the identity at
                    inference (predictions only).
  tensor_ops        Conv2D -> GlobalMaxPooling2D -> Dense -> RepeatVector(3) -> Permute((2, 1)) -> TimeDistributed(
                    Dense(tanh, kernel L2, bias L1)) -> Flatten -> Dense; mse, Adam(0.01), 3 steps.

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers, regularizers  # noqa: E402


def act_reg_identity():
    x = keras.Input((6,), name="x")
    h = layers.Dense(5, name="d1")(x)
    h = layers.ActivityRegularization(l1=0.01, l2=0.02, name="actreg")(h)
    h = layers.Identity(name="ident")(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="leaky")(h)
    h = layers.ELU(alpha=0.7, name="elu")(h)
    h = layers.Dense(3, name="d2")(h)
    out = layers.Softmax(name="softmax")(h)
    return keras.Model(x, out, name="act_reg_identity"), "categorical_crossentropy", lambda: keras.optimizers.SGD(0.1)


def pool3d():
    x = keras.Input((6, 6, 6, 2), name="x")
    h = layers.Conv3D(3, 2, kernel_regularizer=regularizers.L2(0.01), name="conv")(x)
    h = layers.AveragePooling3D(pool_size=2, strides=2, name="avg")(h)
    h = layers.GlobalMaxPooling3D(name="gmax")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="pool3d"), "mean_squared_error", lambda: keras.optimizers.Adam(0.01)


def noise_inference():
    x = keras.Input((5, 4), name="x")
    h = layers.SpatialDropout1D(0.3, name="sdrop1")(x)
    h = layers.AlphaDropout(0.2, name="adrop")(h)
    h = layers.GaussianNoise(0.5, name="gnoise")(h)
    h = layers.GaussianDropout(0.3, name="gdrop")(h)
    h = layers.Flatten(name="flat")(h)
    h = layers.Dense(4 * 4 * 4 * 2, name="d")(h)
    h = layers.Reshape((4, 4, 4, 2), name="vol")(h)
    h = layers.SpatialDropout3D(0.3, name="sdrop3")(h)
    h = layers.Flatten(name="flat3")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="noise_inference"), "mean_squared_error", lambda: keras.optimizers.SGD(0.1)


def augment_inference():
    x = keras.Input((8, 8, 3), name="x")
    h = layers.RandomZoom(0.2, name="zoom")(x)
    h = layers.RandomTranslation(0.1, 0.1, name="translate")(h)
    h = layers.RandomCrop(8, 8, name="crop")(h)
    h = layers.Conv2D(2, 3, name="conv")(h)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="augment_inference"), "mean_squared_error", lambda: keras.optimizers.SGD(0.1)


def tensor_ops():
    x = keras.Input((5, 5, 3), name="x")
    h = layers.Conv2D(4, 2, name="conv")(x)
    h = layers.GlobalMaxPooling2D(name="gmax2d")(h)
    h = layers.Dense(6, name="d")(h)
    h = layers.RepeatVector(3, name="repeat")(h)
    h = layers.Permute((2, 1), name="permute")(h)
    h = layers.TimeDistributed(layers.Dense(4, activation="tanh", kernel_regularizer=regularizers.L2(0.01),
                                            bias_regularizer=regularizers.L1(0.01), name="inner"), name="td")(h)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="tensor_ops"), "mean_squared_error", lambda: keras.optimizers.Adam(0.01)


CASES = (("act_reg_identity", act_reg_identity, 3), ("pool3d", pool3d, 3),
         ("noise_inference", noise_inference, 0), ("augment_inference", augment_inference, 0), ("tensor_ops", tensor_ops, 3))


def main():
    a, rng = kcases.cli(5)
    names = []
    for name, fn, steps in CASES:
        model, loss, opt = fn()
        names.append(kcases.build_case(model, loss, opt, a.out, name, rng, steps=steps, original_keys=True))
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

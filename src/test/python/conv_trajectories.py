#!/usr/bin/env python3
"""Real-Keras references for the convolution, pooling and normalization family, beyond shared/keras-reference.

Usage:  python conv_trajectories.py OUT_DIR [--seed N]

Writes one folder per case, in the layout of shared/keras-reference (so the same Java checks read it):

  OUT_DIR/<case>/model.keras    saved BEFORE any training (compiled: SGD + the case's loss)
  OUT_DIR/<case>/model.h5       the same model through Keras' legacy HDF5 writer
  OUT_DIR/<case>/reference.npz  x, y (inference-mode prediction), w__<layer>__<weight>, train_x__<k>,
                                train_y__<k>, loss__<k>, after__<k>__<layer>__<weight> (every variable after step k)
  OUT_DIR/<case>/case.json      case, description, inputs/outputs (npz keys), training {steps, losses}, tolerance

OUT_DIR/channels_first/model.keras: a channels_first model, saved only (for the unsupported-feature report).

Training: model.train_on_batch on batch k = 0 .. steps-1 with SGD (learning rate per case) (no shuffling, no dropout layers).
<weight> is the variable path below its top-level layer with '/' replaced by '.', as in keras-reference.
Every number comes from Keras itself; nothing here is computed by Kerasport.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402

STEPS = 3
BATCH = 4


def conv1d_stack():
    """Conv1D causal+dilated, BatchNormalization on 3-D, 1-D pooling (same), UpSampling1D, ZeroPadding1D,
    Cropping1D, strided Conv1D with an even kernel, SeparableConv1D (depth multiplier 2), strided DepthwiseConv1D,
    Conv1DTranspose, GlobalMaxPooling1D."""
    i = keras.Input((12, 3), name="input")
    x = layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu", name="causal",
                      kernel_regularizer=regularizers.L2(0.01), bias_regularizer=regularizers.L1(0.02))(i)
    x = layers.BatchNormalization(momentum=0.8, epsilon=1e-3, name="bn3d",
                                  gamma_regularizer=regularizers.L2(0.03))(x)
    x = layers.MaxPooling1D(3, strides=2, padding="same", name="maxpool")(x)
    x = layers.Conv1D(5, 2, strides=2, padding="same", activation="tanh", name="strided")(x)
    x = layers.UpSampling1D(3, name="up")(x)
    x = layers.ZeroPadding1D((1, 2), name="pad")(x)
    x = layers.Cropping1D((2, 1), name="crop")(x)
    x = layers.AveragePooling1D(2, strides=1, padding="same", name="avgpool")(x)
    x = layers.SeparableConv1D(4, 3, depth_multiplier=2, padding="same", activation="relu", name="sep",
                               depthwise_regularizer=regularizers.L1(0.01),
                               pointwise_regularizer=regularizers.L2(0.02))(x)
    x = layers.DepthwiseConv1D(3, strides=2, depth_multiplier=2, padding="valid", name="dw1d",
                               depthwise_regularizer=regularizers.L2(0.02))(x)
    x = layers.Conv1DTranspose(3, 3, strides=2, padding="same", activation="relu", name="deconv1d",
                               kernel_regularizer=regularizers.L1(0.01))(x)
    x = layers.GlobalMaxPooling1D(name="gmax")(x)
    o = layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(i, o), (12, 3), "categorical_crossentropy"


def conv2d_stack():
    """Rescaling, Conv2D (stride, even kernel, same), PReLU with shared axes, Conv2DTranspose (valid and same),
    pooling with same padding, DepthwiseConv2D (depth multiplier 2), bilinear and nearest UpSampling2D,
    ZeroPadding2D, Cropping2D, BatchNormalization(center=False), Flatten."""
    i = keras.Input((7, 6, 2), name="input")
    x = layers.Rescaling(0.5, offset=0.1, name="rescale")(i)
    x = layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", name="conv",
                      bias_regularizer=regularizers.L1(0.01))(x)
    x = layers.PReLU(shared_axes=[1, 2], name="prelu", alpha_initializer=keras.initializers.Constant(0.2),
                     alpha_regularizer=regularizers.L2(0.05))(x)
    x = layers.Conv2DTranspose(3, 3, strides=2, padding="valid", activation="relu", name="deconv_valid")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="maxpool")(x)
    x = layers.Conv2DTranspose(3, (2, 3), strides=(2, 1), padding="same", name="deconv_same",
                               kernel_regularizer=regularizers.L2(0.01))(x)
    x = layers.AveragePooling2D(3, strides=2, padding="same", name="avgpool")(x)
    x = layers.DepthwiseConv2D(2, depth_multiplier=2, padding="same", name="dw", activation="tanh",
                               depthwise_regularizer=regularizers.L1(0.02), bias_regularizer=regularizers.L2(0.1))(x)
    x = layers.UpSampling2D((2, 3), interpolation="bilinear", name="bilinear")(x)
    x = layers.ZeroPadding2D(((1, 0), (2, 1)), name="pad")(x)
    x = layers.Cropping2D(((0, 1), (1, 3)), name="crop")(x)
    x = layers.UpSampling2D((1, 2), name="nearest")(x)
    x = layers.Conv2D(2, 3, dilation_rate=2, padding="same", name="dilated")(x)
    x = layers.BatchNormalization(center=False, momentum=0.7, name="bn_nocenter")(x)
    x = layers.Flatten(name="flat")(x)
    o = layers.Dense(2, name="out", kernel_regularizer=regularizers.L2(0.01))(x)
    return keras.Model(i, o), (7, 6, 2), "mean_squared_error"


def conv3d_stack():
    """Conv3D (same), BatchNormalization on 5-D (scale=False), MaxPooling3D, UpSampling3D, GlobalAveragePooling3D.

    tanh, not relu, before the pooling: ReLU's zeros become equal values after the batch normalization, and for
    tied maxima TensorFlow's MaxPool3DGrad differs between its builds (its Eigen kernel, which runs where oneDNN is
    off, sends the gradient to every element within 1e-5 of the maximum; its oneDNN kernel, JAX and PyTorch to one
    of them), so a tie would test which TensorFlow build made the reference, not Kerasport."""
    i = keras.Input((4, 5, 5, 2), name="input")
    x = layers.Conv3D(3, (2, 3, 3), strides=(1, 2, 1), padding="same", activation="tanh", name="conv3d",
                      kernel_regularizer=regularizers.L2(0.01))(i)
    x = layers.BatchNormalization(scale=False, momentum=0.9, name="bn5d")(x)
    x = layers.MaxPooling3D(2, name="pool3d")(x)
    x = layers.UpSampling3D((1, 2, 2), name="up3d")(x)
    x = layers.GlobalAveragePooling3D(name="gap3d")(x)
    o = layers.Dense(2, name="out")(x)
    return keras.Model(i, o), (4, 5, 5, 2), "mean_squared_error"


def frozen_middle():
    """A frozen BatchNormalization BETWEEN trainable layers (inference mode, so its error is gamma/sqrt(var+eps)),
    a Normalization layer with adapted statistics, and a trainable BatchNormalization(scale=False, center=False)."""
    i = keras.Input((6,), name="input")
    x = layers.Normalization(name="norm")(i)
    x = layers.Dense(8, activation="relu", name="d1")(x)
    bn = layers.BatchNormalization(name="frozen_bn", momentum=0.5)
    x = bn(x)
    x = layers.Dense(5, activation="tanh", name="d2")(x)
    x = layers.BatchNormalization(scale=False, center=False, name="bn_plain")(x)
    o = layers.Dense(2, name="out")(x)
    m = keras.Model(i, o)
    return m, (6,), "mean_squared_error"


def cnn_fast_path():
    """The layers that run channels-first with oneDNN in Kerasport (FastPaths): Conv2D (valid, relu, kernel and bias
    L2) -> MaxPooling2D(2) -> Conv2D(same, no bias) -> MaxPooling2D(3, stride 2, same) -> Conv2D(2x2,
    kernel L1) -> AveragePooling2D(2) -> Conv2D(1x1, tanh) -> AveragePooling2D(2, stride 1, same) -> Flatten ->
    Dense(4, softmax, kernel L2), categorical crossentropy."""
    i = keras.Input((22, 22, 2), name="input")
    x = layers.Conv2D(6, 3, activation="relu", name="c1", kernel_regularizer=regularizers.l2(0.01),
                      bias_regularizer=regularizers.l2(0.02))(i)
    x = layers.MaxPooling2D(2, name="p1")(x)
    x = layers.Conv2D(5, 3, padding="same", use_bias=False, activation="relu", name="c2")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="p2")(x)
    x = layers.Conv2D(4, 2, name="c3", kernel_regularizer=regularizers.l1(0.01))(x)
    x = layers.AveragePooling2D(2, name="p3")(x)
    x = layers.Conv2D(3, 1, activation="tanh", name="c4")(x)
    x = layers.AveragePooling2D(2, strides=1, padding="same", name="p4")(x)
    x = layers.Flatten(name="flat")(x)
    o = layers.Dense(4, activation="softmax", name="out", kernel_regularizer=regularizers.l2(0.01))(x)
    return keras.Model(i, o), (22, 22, 2), "categorical_crossentropy"


def cnn_first_same():
    """A one-channel image into a 'same' Conv2D with a 5x3 kernel (Kerasport computes only the weight gradient of a
    convolution that reads the network input) -> MaxPooling2D(2) -> Flatten -> Dense(3, softmax)."""
    i = keras.Input((10, 9, 1), name="input")
    x = layers.Conv2D(4, (5, 3), padding="same", activation="relu", name="c1", kernel_regularizer=regularizers.l2(0.01),
                      bias_regularizer=regularizers.l2(0.02))(i)
    x = layers.MaxPooling2D(2, name="p1")(x)
    x = layers.Flatten(name="flat")(x)
    o = layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(i, o), (10, 9, 1), "categorical_crossentropy"


def maxpool_ties():
    """Max pooling where windows hold equal maxima: integer-valued images (0, 1, 2 in two channels) into a 1x1
    Conv2D whose kernel is all ones (equal sums from different pixels, e.g. (0, 2) and (1, 1)) -> MaxPooling2D(2),
    MaxPooling2D(3, stride 2, same) and MaxPooling2D((2, 3), stride 1) side by side -> Dense(3, softmax). Which
    of the equal cells gets the gradient changes the convolution's weight gradient: Keras (TensorFlow) gives it to
    the first in row-major order within the window; overlapping windows add up."""
    i = keras.Input((7, 8, 2), name="input")
    x = layers.Conv2D(3, 1, kernel_initializer="ones", activation="relu", name="c1")(i)
    a = layers.Flatten(name="fa")(layers.MaxPooling2D(2, name="pa")(x))
    b = layers.Flatten(name="fb")(layers.MaxPooling2D(3, strides=2, padding="same", name="pb")(x))
    c = layers.Flatten(name="fc")(layers.MaxPooling2D((2, 3), strides=1, name="pc")(x))
    o = layers.Dense(3, activation="softmax", name="out")(layers.Concatenate(name="cat")([a, b, c]))
    return keras.Model(i, o), (7, 8, 2), "categorical_crossentropy"


def relu_pool_ties():
    """A ReLU convolution whose only reader is a max pooling (Kerasport then pools z and applies the ReLU after, on
    fewer elements): integer-valued images into a 1x1 Conv2D with kernel [[1, -1, 1], [-1, 1, 1]] (differences of
    the channels: ties and negative sums in every image) -> MaxPooling2D(3, stride 2, same) (overlapping windows,
    padding) -> Conv2D(2, 2, relu) -> MaxPooling2D(2) -> Flatten -> Dense(3, softmax). Windows whose maxima tie, and
    windows with no positive value, test that the gradient goes where Keras' ReLU-then-pool sends it."""
    i = keras.Input((9, 8, 2), name="input")
    c1 = layers.Conv2D(3, 1, activation="relu", name="c1")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="p1")(c1(i))
    c1.kernel.assign(np.array([[1, -1, 1], [-1, 1, 1]], dtype="float32").reshape(1, 1, 2, 3))
    x = layers.Conv2D(2, 2, activation="relu", name="c2")(x)
    x = layers.MaxPooling2D(2, name="p2")(x)
    o = layers.Dense(3, activation="softmax", name="out")(layers.Flatten(name="flat")(x))
    return keras.Model(i, o), (9, 8, 2), "categorical_crossentropy"


def lstm_stack():
    """Plain LSTMs that Kerasport runs as ND4J's fused lstmLayer op: Dense on every time step -> LSTM(5, sequences,
    kernel and recurrent L2) -> LSTM(4, last step) -> Dense(3, softmax); the second LSTM's input gradient trains the
    first, the first's trains the Dense."""
    i = keras.Input((6, 3), name="input")
    x = layers.Dense(4, activation="tanh", name="step")(i)
    x = layers.LSTM(5, return_sequences=True, name="lstm1", kernel_regularizer=regularizers.l2(0.01),
                    recurrent_regularizer=regularizers.l2(0.02), bias_regularizer=regularizers.l2(0.01))(x)
    x = layers.LSTM(4, name="lstm2")(x)
    o = layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(i, o), (6, 3), "categorical_crossentropy"


def bilstm_stack():
    """Bidirectional LSTMs returning sequences, which Kerasport runs as DL4J's Bidirectional wrapper of its fused LSTM:
    Bidirectional(LSTM(4), concat; kernel L2 and recurrent L1) -> Bidirectional(LSTM(3), ave) -> Bidirectional(LSTM(3),
    sum) -> Bidirectional(LSTM(2), mul) -> Flatten -> Dense(3), mean squared error (no squashing head, so that an
    error in any direction or merge shows in the outputs)."""
    i = keras.Input((5, 3), name="input")
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True, kernel_regularizer=regularizers.l2(0.01),
                                         recurrent_regularizer=regularizers.l1(0.01)), merge_mode="concat", name="bi1")(i)
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="ave", name="bi2")(x)
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="sum", name="bi3")(x)
    x = layers.Bidirectional(layers.LSTM(2, return_sequences=True), merge_mode="mul", name="bi4")(x)
    x = layers.Flatten(name="flat")(x)
    o = layers.Dense(3, name="out")(x)
    return keras.Model(i, o), (5, 3), "mean_squared_error"


def pinned_base():
    """The transfer-learning guide's second phase: a trainable nested base (Conv2D, BatchNormalization, Dropout(0))
    called with training=False under a new head. Keras 3.15's fit does NOT keep such a base in inference mode: a
    Functional model passes its own call's training flag to every layer and nested model it calls, replacing the
    training=False written in the call (keras/src/models/functional.py, operation_fn), so the batch normalization
    normalizes with the batch's statistics and updates its moving ones. This case pins that, as real Keras computes
    it. (The Dropout's rate is 0: with a positive rate it would drop units in fit, at random.)"""
    bi = keras.Input((6, 6, 2), name="base_input")
    y = layers.Conv2D(4, 3, padding="same", name="conv", kernel_regularizer=regularizers.L2(0.01))(bi)
    y = layers.BatchNormalization(name="bn", momentum=0.5)(y)
    y = layers.Activation("relu", name="act")(y)
    y = layers.Dropout(0.0, name="drop")(y)
    base = keras.Model(bi, y, name="base")
    i = keras.Input((6, 6, 2), name="input")
    x = base(i, training=False)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    o = layers.Dense(3, name="out", kernel_regularizer=regularizers.L2(0.01))(x)
    return keras.Model(i, o), (6, 6, 2), "mean_squared_error"


# name, builder, SGD learning rate
CASES = [("conv1d_stack", conv1d_stack, 0.05), ("conv2d_stack", conv2d_stack, 0.002),
         ("conv3d_stack", conv3d_stack, 0.05), ("frozen_middle", frozen_middle, 0.05),
         ("cnn_fast_path", cnn_fast_path, 0.1), ("cnn_first_same", cnn_first_same, 0.1),
         ("maxpool_ties", maxpool_ties, 0.1), ("relu_pool_ties", relu_pool_ties, 0.1), ("lstm_stack", lstm_stack, 0.5), ("bilstm_stack", bilstm_stack, 0.2),
         ("pinned_base", pinned_base, 0.1)]
# cases whose inputs are small integers (ties in max pooling), not normal draws
INTEGER_INPUTS = {"maxpool_ties", "relu_pool_ties"}
# cases compiled with metrics (FinetuneConvInteropTest fits them as Keras' fit does)
METRICS = {"cnn_fast_path": ["accuracy"]}


def weight_key(layer, var):
    path = var.path
    prefix = layer.name + "/"
    rel = path[len(prefix):] if path.startswith(prefix) else path
    return layer.name + "__" + rel.replace("/", ".")


def perturb(model, rng):
    """Non-trivial values everywhere (biases, BN statistics, gammas), still well-conditioned."""
    for layer in model.layers:
        for v in layer.weights:
            name = v.path.split("/")[-1]
            shape = tuple(v.shape)
            if name == "moving_variance":
                v.assign(rng.uniform(0.5, 2.0, shape).astype("float32"))
            elif name in ("moving_mean", "bias", "beta"):
                v.assign(rng.normal(0, 0.2, shape).astype("float32"))
            elif name == "gamma":
                v.assign(rng.uniform(0.7, 1.3, shape).astype("float32"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20260)
    args = ap.parse_args()
    for case, build, lr in CASES:
        rng = np.random.default_rng(args.seed)
        keras.utils.set_random_seed(args.seed)
        model, in_shape, loss = build()
        if case == "frozen_middle":
            model.get_layer("norm").adapt(rng.normal(1.0, 2.0, (32,) + in_shape).astype("float32"))
        perturb(model, rng)
        if case == "frozen_middle":
            model.get_layer("frozen_bn").trainable = False
        model.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=METRICS.get(case, []))
        d = os.path.join(args.out, case)
        os.makedirs(d, exist_ok=True)
        model.save(os.path.join(d, "model.keras"))
        model.save(os.path.join(d, "model.h5"))
        npz = {}
        draw = (lambda n: rng.integers(0, 3, (n,) + in_shape).astype("float32")) if case in INTEGER_INPUTS \
            else (lambda n: rng.normal(0, 1, (n,) + in_shape).astype("float32"))
        x = draw(3)
        npz["x"] = x
        npz["y"] = np.asarray(model(x, training=False))
        for layer in model.layers:
            for v in layer.weights:
                npz["w__" + weight_key(layer, v)] = np.asarray(v.numpy())
        out_dim = model.outputs[0].shape[-1]
        losses = []
        for k in range(STEPS):
            tx = draw(BATCH)
            if loss == "categorical_crossentropy":
                ty = np.eye(out_dim, dtype="float32")[rng.integers(0, out_dim, BATCH)]
            else:
                ty = rng.normal(0, 1, (BATCH, out_dim)).astype("float32")
            lv = model.train_on_batch(tx, ty)
            lv = float(lv[0] if isinstance(lv, (list, tuple)) else lv)
            npz["train_x__%d" % k] = tx
            npz["train_y__%d" % k] = ty
            npz["loss__%d" % k] = np.float32(lv)
            losses.append(lv)
            for layer in model.layers:
                for v in layer.weights:
                    npz["after__%d__%s" % (k, weight_key(layer, v))] = np.asarray(v.numpy())
        np.savez(os.path.join(d, "reference.npz"), **npz)
        meta = {
            "case": case,
            "description": build.__doc__,
            "keras_version": keras.__version__,
            "inputs": [{"name": "input", "npz_key": "x"}],
            "outputs": [{"name": model.output_names[0] if hasattr(model, "output_names") else "out", "npz_key": "y"}],
            "training": {"optimizer": "SGD(%g)" % lr, "loss": loss, "steps": STEPS, "batch_size": BATCH, "losses": losses},
            "tolerance": {"predict_abs": 2e-5, "loss_abs": 2e-5, "train_abs": 2e-5},
        }
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(meta, f, indent=1)
        print(case, "losses", losses)
    channels_first(args.out)


def channels_first(out):
    """A channels_first Conv2D -> MaxPooling2D -> BatchNormalization(axis=1) -> Flatten model (saved only: Kerasport
    reports channels_first as unsupported, every layer at once)."""
    i = keras.Input((2, 6, 5), name="input")
    x = layers.Conv2D(3, 3, data_format="channels_first", name="conv_cf")(i)
    x = layers.MaxPooling2D(2, data_format="channels_first", name="pool_cf")(x)
    x = layers.BatchNormalization(axis=1, name="bn_cf")(x)
    x = layers.Flatten(data_format="channels_first", name="flat_cf")(x)
    o = layers.Dense(2, name="out")(x)
    d = os.path.join(out, "channels_first")
    os.makedirs(d, exist_ok=True)
    keras.Model(i, o).save(os.path.join(d, "model.keras"))


if __name__ == "__main__":
    main()

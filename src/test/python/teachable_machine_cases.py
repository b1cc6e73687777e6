"""Real-Keras references for TeachableMachineTest (the Teachable Machine form: a Sequential holding a Sequential
[Functional MobileNetV2 backbone, GlobalAveragePooling2D] and a Sequential head).

Usage: python teachable_machine_cases.py TM_KERAS_MODEL.h5 OUTDIR

1. The Teachable Machine file (tf.keras 2.4 legacy .h5, made by Teachable Machine; Keras 3 cannot load it:
   DepthwiseConv2D refuses `groups`). Its components are rebuilt from keras.applications: MobileNetV2(alpha=0.35,
   include_top=False, weights=None) at 224x224x3 gets the file's backbone weights layer by layer (read with h5py from
   model_weights/sequential_1, in the file's own weight order), then GlobalAveragePooling2D and the file's Dense head.
   tf.keras 2.4's MobileNetV2 pads Conv1 with ZeroPadding2D((0,1),(0,1)) then a valid stride-2 conv; Keras 3's uses
   padding='same', which on an even input pads the same (0 before, 1 after), so the rebuild computes the same thing.
   Writes tm_x.npz (x: 2 rows uniform in [-1, 1], the file's input range) and tm_keras.npz (features: the backbone +
   pooling output, y: the softmax) as real Keras computes them from the file's weights.
2. A small model of the same form made by Keras 3.15 itself: MobileNetV2(alpha=0.35, weights=None,
   include_top=False, input_shape=(64, 64, 3)) with random BatchNormalization statistics, in a Sequential with
   GlobalAveragePooling2D, then a Sequential head Dense(16, relu) + Dense(4, softmax); saved as form.keras and
   form.h5 (uncompiled, as Teachable Machine saves). Writes form_x.npz (x: 4 rows) and form_keras.npz (y: Keras'
   predictions).
3. Training data for --replace-head 3: tm_train.npz (2 rows, 224) and form_train.npz (4 rows, 64), one-hot y.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402


def teachable_machine(path, out):
    rng = np.random.default_rng(15)
    x = rng.uniform(-1, 1, (2, 224, 224, 3)).astype(np.float32)
    np.savez(os.path.join(out, "tm_x.npz"), x=x)
    base = keras.applications.MobileNetV2(alpha=0.35, include_top=False, weights=None, input_shape=(224, 224, 3))
    assert base.get_layer("Conv1").padding == "same" and base.get_layer("Conv1").strides == (2, 2)
    with h5py.File(path, "r") as f:
        g = f["model_weights/sequential_1"]
        names = [n.decode() for n in g.attrs["weight_names"]]
        loaded = 0
        for layer in base.layers:
            if not layer.weights:
                continue
            own = [n for n in names if n.split("/")[0] == layer.name]
            assert len(own) == len(layer.weights), (layer.name, own, [w.path for w in layer.weights])
            layer.set_weights([np.asarray(g[n]) for n in own])
            loaded += len(own)
        assert loaded == len(names), (loaded, len(names))
        h = f["model_weights/sequential_3"]
        head_names = [n.decode() for n in h.attrs["weight_names"]]
        assert head_names == ["dense_Dense1/kernel:0", "dense_Dense1/bias:0", "dense_Dense2/kernel:0"], head_names
        k1, b1, k2 = (np.asarray(h[n]) for n in head_names)
    features = keras.Sequential([base, keras.layers.GlobalAveragePooling2D()])
    head = keras.Sequential([keras.Input((1280,)), keras.layers.Dense(100, activation="relu"),
                             keras.layers.Dense(4, activation="softmax", use_bias=False)])
    head.layers[0].set_weights([k1, b1])
    head.layers[1].set_weights([k2])
    feats = features.predict(x, verbose=0)
    np.savez(os.path.join(out, "tm_keras.npz"), features=feats, y=head.predict(feats, verbose=0))
    np.savez(os.path.join(out, "tm_train.npz"), x=rng.uniform(-1, 1, (2, 224, 224, 3)).astype(np.float32),
             y=np.eye(3, dtype=np.float32)[[0, 2]])


def small_form(out):
    keras.utils.set_random_seed(15)
    rng = np.random.default_rng(16)
    base = keras.applications.MobileNetV2(alpha=0.35, weights=None, include_top=False, input_shape=(64, 64, 3))
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([gamma, beta, rng.normal(0, 0.1, mean.shape).astype(np.float32),
                               rng.uniform(0.5, 1.5, var.shape).astype(np.float32)])
    model = keras.Sequential([
        keras.Input((64, 64, 3)),
        keras.Sequential([base, keras.layers.GlobalAveragePooling2D()]),
        keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(4, activation="softmax")]),
    ])
    model.save(os.path.join(out, "form.keras"))
    model.save(os.path.join(out, "form.h5"))
    x = rng.uniform(-1, 1, (4, 64, 64, 3)).astype(np.float32)
    np.savez(os.path.join(out, "form_x.npz"), x=x)
    np.savez(os.path.join(out, "form_keras.npz"), y=model.predict(x, verbose=0))
    np.savez(os.path.join(out, "form_train.npz"), x=rng.uniform(-1, 1, (4, 64, 64, 3)).astype(np.float32),
             y=np.eye(3, dtype=np.float32)[[0, 1, 2, 1]])


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: teachable_machine_cases.py TM_KERAS_MODEL.h5 OUTDIR")
    teachable_machine(sys.argv[1], sys.argv[2])
    small_form(sys.argv[2])


if __name__ == "__main__":
    main()

"""What the interop-tier generators share: a case folder with the model compiled and saved by Keras in both file
forms, and the reference.npz keys of a model's inputs. Imported by the scripts beside it (their folder is on
sys.path when Python runs them)."""
import argparse
import os


def save_case(model, out_dir, name, optimizer, loss, h5=True):
    """Compiles the model and saves it as OUT_DIR/NAME/model.keras (and model.h5); returns the case folder."""
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    model.compile(optimizer=optimizer, loss=loss)
    model.save(os.path.join(d, "model.keras"))
    if h5:
        model.save(os.path.join(d, "model.h5"))
    return d


def input_keys(model):
    """The model's input names, and key(prefix, i): the npz key of input i ('x', or 'x__<name>' for several inputs)."""
    names = [t.name.split(":")[0] for t in model.inputs]
    multi = len(model.inputs) > 1

    def key(prefix, i):
        return prefix + ("__" + names[i] if multi else "")

    return names, key


def _sample(rng, shape, loss):
    import numpy as np
    if loss == "categorical_crossentropy":
        return np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], size=shape[0])]
    return rng.normal(0, 1, size=shape).astype("float32")


def _weight_key(layer, v):
    rel = v.path[len(layer.name) + 1:] if v.path.startswith(layer.name + "/") else v.name
    return layer.name + "__" + rel.replace("/", ".")


def build_case(model, loss, optimizer, out_dir, name, rng, steps=3, batch=8, rows=4, tolerance=None, perturb=True,
               original_keys=False):
    """A reference case in the layout of ../shared/keras-reference, every number computed by Keras: the model (its
    variables drawn from N(0, 0.5²) when perturb, so gamma/beta/biases are not trivial) saved in both file forms, Keras'
    predictions for random inputs, and, when steps > 0, Keras' train_on_batch trajectory from the saved file (losses and
    every variable after each step). optimizer is a function returning a fresh optimizer. original_keys: name the
    variables after those of the model as built (the saved names), not after the reloaded model's (whose RNN cells
    Keras builds outside their layer and renames)."""
    import json
    import numpy as np
    import keras
    if perturb:
        for v in model.weights:
            v.assign(rng.normal(0, 0.5, size=v.shape).astype("float32"))
    d = save_case(model, out_dir, name, optimizer(), loss)
    npz = {}
    in_names, xkey = input_keys(model)
    multi_in = len(model.inputs) > 1
    x = [rng.normal(0, 1, size=(rows,) + tuple(t.shape[1:])).astype("float32") for t in model.inputs]
    for i, xi in enumerate(x):
        npz[xkey("x", i)] = xi
    npz["y"] = np.asarray(model.predict(x if multi_in else x[0], verbose=0))
    training = None
    if steps:
        m2 = keras.models.load_model(os.path.join(d, "model.keras"), compile=False)
        m2.compile(optimizer=optimizer(), loss=loss)
        losses = []
        out_shape = (batch,) + tuple(m2.outputs[0].shape[1:])
        for k in range(steps):
            xb = [rng.normal(0, 1, size=(batch,) + tuple(t.shape[1:])).astype("float32") for t in m2.inputs]
            yb = _sample(rng, out_shape, loss)
            for i, xi in enumerate(xb):
                npz[xkey("train_x__%d" % k, i)] = xi
            npz["train_y__%d" % k] = yb
            losses.append(float(m2.train_on_batch(xb if multi_in else xb[0], yb, return_dict=True)["loss"]))
            for i, layer in enumerate(m2.layers):
                for j, v in enumerate(layer.weights):
                    key = _weight_key(model.layers[i], model.layers[i].weights[j]) if original_keys else _weight_key(layer, v)
                    npz["after__%d__%s" % (k, key)] = np.asarray(v.numpy())
        training = {"steps": steps, "losses": losses}
    np.savez(os.path.join(d, "reference.npz"), **npz)
    case = {"case": name, "keras_version": keras.__version__,
            "inputs": [{"name": n, "npz_key": xkey("x", i)} for i, n in enumerate(in_names)],
            "outputs": [{"name": model.layers[-1].name, "npz_key": "y"}],
            "training": training,
            "tolerance": tolerance or {"predict_abs": 1e-5, "loss_abs": 3e-5, "train_abs": 1e-4}}
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    return name


def cli(seed):
    """The generators' command line, OUT and --seed (default SEED): seeds Keras and returns (args, a generator)."""
    import keras
    import numpy as np
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=seed)
    a = ap.parse_args()
    keras.utils.set_random_seed(a.seed)
    return a, np.random.default_rng(a.seed)

"""Loads Kerasport exports with real Keras and dumps what Keras sees, for the Java export tests.

Usage: python keras_load_exports.py JOBS.json RESULTS.json

JOBS.json is a list of jobs; many files per call because TensorFlow takes seconds to start. Each job:

  id        a name for the result
  path      the exported file (.keras, .h5 or .weights.h5)
  form      keras | h5 | weights
  arch      for form=weights: a JSON architecture (config.json of a .keras or model.to_json()); the model is built
            with keras.models.model_from_json and the weights are loaded with load_weights (as the docs say)
  x         optional: an .npz with the inputs (x, or x__<input name> per input), or one .npy; a string array
            (numpy unicode) is passed to the model as a string tensor (predict() does not take one)
  out       optional: an .npz to write: y__<i> per output (model order), w__<i> per model.weights entry
  unsafe    optional: load with safe_mode=False (models with Lambda layers)
  compile   optional (default false): load_model(compile=True) and report the optimizer Keras built
  eager     optional (default false): run predict/evaluate/fit eagerly (model.run_eagerly = True): no graph tracing or
            XLA compilation, which for a large convolutional model takes longer than the few rows the tests run
  fit       optional: {"data": npz with x/y (or x__<in>/y__<out>), "batch_size": n, "epochs": n}: load compiled,
            evaluate the first batch, then fit (shuffle off); reports the first loss and the history

RESULTS.json maps id -> {ok, error, weight_names, weight_shapes, trainable_weight_names, reg_loss (sum of model.losses, the weight
penalties of trainable variables), output_names, optimizer {class_name, config}, first_batch_loss, history}.
A job that fails is reported with ok=false and the error; the script itself only fails on bad arguments.
"""
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def input_names(model):
    return [t._keras_history[0].name for t in model.inputs]


def inputs_for(model, npz):
    if "x" in npz.files:
        return npz["x"]
    xs = [npz["x__" + n] for n in input_names(model)]
    return xs[0] if len(xs) == 1 else xs


def to_jsonable(v):
    if isinstance(v, dict):
        return {k: to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def load(job, compile_it):
    form = job["form"]
    if form == "weights":
        with open(job["arch"]) as f:
            text = f.read()
        if job.get("unsafe"):
            keras.config.enable_unsafe_deserialization()
        model = keras.models.model_from_json(text)
        model.load_weights(job["path"])
        return model
    return keras.models.load_model(job["path"], compile=compile_it, safe_mode=not job.get("unsafe", False))


def run(job):
    r = {"ok": False}
    fit = job.get("fit")
    model = load(job, bool(job.get("compile")) or fit is not None)
    if job.get("eager"):
        model.run_eagerly = True
    r["weight_names"] = [v.path for v in model.weights]
    r["weight_shapes"] = [list(v.shape) for v in model.weights]
    r["trainable_weight_names"] = [v.path for v in model.trainable_weights]
    r["reg_loss"] = float(sum(float(keras.ops.convert_to_numpy(l)) for l in model.losses)) if model.losses else 0.0
    r["output_names"] = list(getattr(model, "output_names", []))
    r["input_names"] = input_names(model)
    arrays = {}
    for i, v in enumerate(model.weights):
        arrays["w__%d" % i] = np.asarray(keras.ops.convert_to_numpy(v))
    if job.get("x"):
        npz = np.load(job["x"])
        x = npz if isinstance(npz, np.ndarray) else inputs_for(model, npz)
        if isinstance(x, np.ndarray) and x.dtype.kind in "US":
            import tensorflow as tf
            y = keras.ops.convert_to_numpy(model(tf.constant(x)))
        else:
            y = model.predict(x, verbose=0)
        ys = y if isinstance(y, (list, tuple)) else [y]
        if isinstance(y, dict):
            ys = [y[n] for n in r["output_names"]]
        for i, a in enumerate(ys):
            arrays["y__%d" % i] = np.asarray(a, dtype=np.float32)
    opt = getattr(model, "optimizer", None)
    if opt is not None and (job.get("compile") or fit is not None):
        cfg = opt.get_config()
        r["optimizer"] = {"class_name": type(opt).__name__, "config": to_jsonable(cfg)}
    if fit is not None:
        data = np.load(fit["data"])
        x = data["x"]
        y = data["y"]
        bs = int(fit.get("batch_size", 32))
        r["first_batch_loss"] = float(model.evaluate(x[:bs], y[:bs], batch_size=bs, verbose=0, return_dict=True)["loss"])
        h = model.fit(x, y, batch_size=bs, epochs=int(fit.get("epochs", 1)), shuffle=False, verbose=0)
        r["history"] = to_jsonable(h.history)
    if job.get("out"):
        np.savez(job["out"], **arrays)
    r["ok"] = True
    return r


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: keras_load_exports.py JOBS.json RESULTS.json")
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    results = {}
    for job in jobs:
        try:
            results[job["id"]] = run(job)
        except Exception as e:  # reported per job, the Java test decides
            results[job["id"]] = {"ok": False, "error": "%s: %s" % (type(e).__name__, str(e)[:2000]),
                                  "trace": traceback.format_exc()[-3000:]}
        keras.backend.clear_session()
    with open(sys.argv[2], "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

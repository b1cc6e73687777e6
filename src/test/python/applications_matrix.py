#!/usr/bin/env python3
"""Measures every keras.applications model of Keras 3.15 end to end through the kerasport command line, against
real Keras (scripts/applications.sh; the README's "keras.applications coverage" table is rendered from its TSV).

Usage:
  python applications_matrix.py measure VARIANT --work DIR --kerasport BIN --tsv TSV [--timeout S]
  python applications_matrix.py list [--set all|NAME,...]
  python applications_matrix.py render --tsv TSV --readme README.md

A VARIANT is an application name of APPS (include_top=False under a new head) or NAME+top (include_top=True,
classes=4). For one variant, `measure` does, each in its own step:

  1. Keras builds the model with weights=None at the smallest input size Keras allows for it (32x32; 71x71 for
     Xception, 75x75 for the Inception models). include_top=False: Input -> base(x, training=False) ->
     GlobalAveragePooling2D -> Dense(4, softmax, l2(1e-3)), the base trainable (Keras 3's fit runs such a base in
     training mode, README). Its BatchNormalization moving statistics are set once from a batch of 32 images
     (momentum 0 for one call with training=True), so that the random network neither vanishes nor explodes. Every
     Dropout layer of the model gets rate 0 (EfficientNet's drop-connect, the top's dropout): fit is then
     deterministic and Keras' own fit is a reference to compare with (with a rate, Keras' random draws cannot be
     reproduced). Compiled with SGD(1e-4), categorical cross-entropy; saved as model.keras and model.h5.
  2. Keras predicts 4 test images (y0); Keras' own load_model(model.keras) + fit(train, batch_size=4, epochs=1,
     shuffle=False) on 8 images, then predicts the test images (y1).
  3. `kerasport predict` of model.keras and of model.h5: the error against y0.
  4. `kerasport finetune model.keras --epochs 1 --batch-size 4 --shuffle false -o tuned.keras` (the export of the
     fine-tuned model); real Keras loads tuned.keras and predicts: the error against y1.
  5. `kerasport export` of model.keras and of model.h5 to .keras and .h5; real Keras loads each and predicts: the
     error against y0.

An error is max over every output element of |Keras - Kerasport| / max(1, |Keras|). A step that fails or runs out of
time is recorded as such (its message's first line), never as a number. The TSV keeps one row per variant; a new
measurement replaces the variant's row.
"""
import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

A = "keras.applications."
# name: (constructor, input size, preprocessing inside (inputs 0..255, else -1..1), extra kwargs)
APPS = {}
for n in ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"]:
    APPS[n] = (n, 32, True, {})
for n in ["DenseNet121", "DenseNet169", "DenseNet201"]:
    APPS[n] = (n, 32, False, {})
for n in ["EfficientNetB%d" % i for i in range(8)]:
    APPS[n] = (n, 32, True, {})
for n in ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S",
          "EfficientNetV2M", "EfficientNetV2L"]:
    APPS[n] = (n, 32, True, {})
APPS["InceptionV3"] = ("InceptionV3", 75, False, {})
APPS["InceptionResNetV2"] = ("InceptionResNetV2", 75, False, {})
APPS["MobileNet"] = ("MobileNet", 32, False, {})
APPS["MobileNetV2"] = ("MobileNetV2", 32, False, {})
for n in ["MobileNetV3Small", "MobileNetV3Large"]:
    APPS[n] = (n, 32, True, {"include_preprocessing": True})
    APPS[n + "-nopre"] = (n, 32, False, {"include_preprocessing": False})
APPS["NASNetMobile"] = ("NASNetMobile", 32, False, {})
APPS["NASNetLarge"] = ("NASNetLarge", 32, False, {})
for n in ["ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2"]:
    APPS[n] = (n, 32, False, {})
APPS["VGG16"] = ("VGG16", 32, False, {})
APPS["VGG19"] = ("VGG19", 32, False, {})
APPS["Xception"] = ("Xception", 71, False, {})

# include_top=True for the smallest of each family
TOPS = ["MobileNet", "MobileNetV2", "MobileNetV3Small", "EfficientNetB0", "EfficientNetV2B0", "DenseNet121",
        "NASNetMobile", "ResNet50", "ResNet50V2", "VGG16", "Xception", "InceptionV3", "InceptionResNetV2", "ConvNeXtTiny"]

# the order of a full run: cheapest first, so that a run cut short has measured the most
ORDER = ["MobileNetV3Small", "MobileNetV3Small-nopre", "MobileNet", "MobileNetV2", "MobileNetV3Large",
         "MobileNetV3Large-nopre", "EfficientNetB0", "EfficientNetV2B0", "NASNetMobile", "DenseNet121", "ResNet50",
         "ResNet50V2", "VGG16", "VGG19", "Xception", "InceptionV3", "InceptionResNetV2", "ConvNeXtTiny"] \
    + [t + "+top" for t in TOPS] \
    + ["EfficientNetB1", "EfficientNetB2", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetB3",
       "EfficientNetV2B3", "DenseNet169", "DenseNet201", "ResNet101", "ResNet101V2", "EfficientNetV2S",
       "ConvNeXtSmall", "EfficientNetB4", "ResNet152", "ResNet152V2", "EfficientNetB5", "ConvNeXtBase",
       "EfficientNetV2M", "EfficientNetB6", "NASNetLarge", "EfficientNetB7", "EfficientNetV2L", "ConvNeXtLarge",
       "ConvNeXtXLarge"]
assert sorted(set(ORDER) - {t + "+top" for t in TOPS}) == sorted(APPS), set(APPS) ^ set(ORDER)

COLUMNS = ["variant", "input", "params", "predict_keras", "predict_h5", "finetune", "fit_change", "export_keras", "export_h5",
           "note", "seconds", "keras_f32", "kerasport_f64",
           "fit_keras_f32", "fit_kerasport_f64", "fit_w_keras", "fit_w_kerasport"]
CLASSES = 4
TRAIN_ROWS, TEST_ROWS, BATCH = 8, 4, 4
# small enough that one epoch moves the predictions by about 1e-2 and no softmax saturates (0.01 turned
# MobileNetV3Small's outputs one-hot: a comparison of saturated outputs proves nothing); the change is in the TSV
LR = 1e-4


def rel_error(want, got):
    import numpy as np
    want = np.asarray(want, dtype="float64")
    got = np.asarray(got, dtype="float64")
    if want.shape != got.shape:
        raise ValueError("shape %s, Keras %s" % (got.shape, want.shape))
    return float(np.max(np.abs(want - got) / np.maximum(1.0, np.abs(want))))


def build(variant, rng):
    import keras
    from keras import layers, regularizers
    top = variant.endswith("+top")
    name = variant[:-4] if top else variant
    ctor, size, pre, extra = APPS[name]
    shape = (size, size, 3)
    make = getattr(keras.applications, ctor)
    if top:
        model = make(weights=None, include_top=True, input_shape=shape, classes=CLASSES, **extra)
        base = model
    else:
        base = make(weights=None, include_top=False, input_shape=shape, **extra)
    inner = list(base._flatten_layers())
    bns = [l for l in inner if isinstance(l, layers.BatchNormalization)]
    momenta = [l.momentum for l in bns]
    for l in bns:
        l.momentum = 0.0
    base(sample_x(rng, shape, 32, pre), training=True)
    for l, m in zip(bns, momenta):
        l.momentum = m
    dropouts = [l for l in inner if isinstance(l, layers.Dropout) and l.rate > 0]
    for l in dropouts:
        l.rate = 0.0
    if not top:
        inp = keras.Input(shape, name="image")
        h = base(inp, training=False)
        h = layers.GlobalAveragePooling2D(name="head_pool")(h)
        out = layers.Dense(CLASSES, activation="softmax", kernel_regularizer=regularizers.L2(1e-3), name="head")(h)
        model = keras.Model(inp, out, name=name.replace("-", "_").lower() + "_head")
    model.compile(optimizer=keras.optimizers.SGD(LR), loss="categorical_crossentropy", jit_compile=False)
    note = "dropout rate 0 (%d layers)" % len(dropouts) if dropouts else ""
    return model, shape, pre, note


def float64_twin(model):
    """The same model and weights computing in float64 (every float32 of the config made float64): a reference
    closer to the exact value than any float32 evaluation, to tell rounding from a wrong mapping."""
    import numpy as np
    import keras
    m64 = keras.models.model_from_json(model.to_json().replace('"float32"', '"float64"'))
    m64.set_weights([np.asarray(w, dtype="float64") for w in model.get_weights()])
    return m64


def weight_distance(w, w64, w0):
    """max over the weight tensors that the float64 fit changed, of max |w - w64| / max |w64 - w0|: how far a fit's
    weights are from the float64 fit's, as a fraction of the change the fit made."""
    import numpy as np
    worst = 0.0
    for p, b in w64.items():
        change = float(np.max(np.abs(b - w0[p]))) if b.size else 0.0
        if change > 1e-6 * max(1.0, float(np.max(np.abs(b)))):
            worst = max(worst, float(np.max(np.abs(w[p] - b))) / change)
    return worst


def sample_x(rng, shape, n, pre):
    if pre:
        return rng.uniform(0, 255, size=(n,) + shape).astype("float32")
    return rng.uniform(-1, 1, size=(n,) + shape).astype("float32")


def kerasport(binary, args, timeout, log):
    t0 = time.time()
    try:
        p = subprocess.run([binary] + args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout after %d s" % timeout
    with open(log, "a") as f:
        f.write("$ kerasport %s\n(exit %d, %.0f s)\n%s\n%s\n" % (" ".join(args), p.returncode, time.time() - t0, p.stdout, p.stderr))
    if p.returncode != 0:
        lines = [l for l in p.stderr.splitlines() if l.strip() and not l.startswith("WARNING")]
        return "exit %d: %s" % (p.returncode, lines[-1][:160] if lines else "")
    return None


def measure(a):
    import numpy as np
    import keras
    t0 = time.time()
    variant = a.variant
    d = os.path.join(a.work, variant.replace("+", "_"))
    os.makedirs(d, exist_ok=True)
    log = os.path.join(d, "log.txt")
    open(log, "w").close()
    rng = np.random.default_rng(5)
    keras.utils.set_random_seed(5)
    row = {c: "" for c in COLUMNS}
    row["variant"] = variant
    model, shape, pre, note = build(variant, rng)
    row["input"] = "%dx%d" % shape[:2]
    row["params"] = str(model.count_params())
    row["note"] = note
    model.save(os.path.join(d, "model.keras"))
    model.save(os.path.join(d, "model.h5"))
    x_test = sample_x(rng, shape, TEST_ROWS, pre)
    x_train = sample_x(rng, shape, TRAIN_ROWS, pre)
    y_train = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, TRAIN_ROWS)]
    np.savez(os.path.join(d, "test.npz"), x=x_test)
    np.savez(os.path.join(d, "train.npz"), x=x_train, y=y_train)
    y0 = np.asarray(model.predict(x_test, verbose=0))
    y64 = np.asarray(float64_twin(model).predict(x_test.astype("float64"), verbose=0))
    row["keras_f32"] = "%.2e" % rel_error(y64, y0)
    if float(y0.max() - y0.min()) <= 1e-3:
        row["note"] = (row["note"] + "; " if row["note"] else "") + "Keras' outputs are flat"
    del model
    keras.backend.clear_session()
    fitted = keras.models.load_model(os.path.join(d, "model.keras"))
    w0 = {v.path: np.array(v) for v in fitted.weights}
    fitted.fit(x_train, y_train, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    y1 = np.asarray(fitted.predict(x_test, verbose=0))
    w32 = {v.path: np.array(v) for v in fitted.weights}
    del fitted
    keras.backend.clear_session()
    row["fit_change"] = "%.2e" % rel_error(y0, y1)
    # the same fit in float64 (Keras, the same weights and batches): how far float32 rounding alone moves the result
    keras.config.set_floatx("float64")
    try:
        m64 = float64_twin(keras.models.load_model(os.path.join(d, "model.keras")))
        m64.compile(optimizer=keras.optimizers.SGD(LR), loss="categorical_crossentropy", jit_compile=False)
        m64.fit(x_train.astype("float64"), y_train.astype("float64"), batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        y1_64 = np.asarray(m64.predict(x_test.astype("float64"), verbose=0))
        w64 = {p: np.array(v) for p, v in zip(w32, m64.weights)}
        del m64
    finally:
        keras.config.set_floatx("float32")
        keras.backend.clear_session()
    row["fit_keras_f32"] = "%.2e" % rel_error(y1_64, y1)
    try:
        keras.models.load_model(os.path.join(d, "model.h5"))
        keras.backend.clear_session()
        own_h5 = None
    except Exception as e:
        own_h5 = "n/a: Keras 3.15 cannot load its own .h5 of this model (%s)" % str(e).splitlines()[0][:100]
    print("%s: Keras done (%.0f s)" % (variant, time.time() - t0), file=sys.stderr, flush=True)

    def keras_predict(path):
        m = keras.models.load_model(path)
        y = np.asarray(m.predict(x_test, verbose=0))
        del m
        keras.backend.clear_session()
        return y

    def step(col, args, out, want, loads=True):
        for f in out if isinstance(out, list) else [out]:
            if os.path.exists(f):
                os.remove(f)
        err = kerasport(a.kerasport, args + ["--force"] if "--force" not in args else args, a.timeout, log)
        if err is not None:
            row[col] = err
        else:
            try:
                got = keras_predict(out) if loads else np.load(out)[np.load(out).files[0]]
                row[col] = "%.2e" % rel_error(want, got)
                if col == "predict_keras":
                    row["kerasport_f64"] = "%.2e" % rel_error(y64, got)
                if col == "finetune":
                    row["fit_kerasport_f64"] = "%.2e" % rel_error(y1_64, got)
                    m = keras.models.load_model(out)
                    wt = {v.path: np.array(v) for v in m.weights}
                    del m
                    row["fit_w_keras"] = "%.2e" % weight_distance(w32, w64, w0)
                    row["fit_w_kerasport"] = "%.2e" % weight_distance(wt, w64, w0)
            except Exception as e:  # Keras refuses Kerasport's file: recorded as such
                row[col] = "Keras: %s" % str(e).splitlines()[0][:160]
        print("%s: %s %s (%.0f s)" % (variant, col, row[col], time.time() - t0), file=sys.stderr, flush=True)
        write_row(a.tsv, row)

    test = os.path.join(d, "test.npz")
    for form, col in (("keras", "predict_keras"), ("h5", "predict_h5")):
        out = os.path.join(d, "pred_%s.npz" % form)
        step(col, ["predict", os.path.join(d, "model." + form), "--input", test, "-o", out], out, y0, loads=False)
    tuned = os.path.join(d, "tuned.keras")
    step("finetune", ["finetune", os.path.join(d, "model.keras"), "--data", os.path.join(d, "train.npz"), "--epochs", "1",
                      "--batch-size", str(BATCH), "--shuffle", "false", "--two-threads", "false", "--quiet", "-o", tuned],
         tuned, y1)
    for form, col in (("keras", "export_keras"), ("h5", "export_h5")):
        out = os.path.join(d, "export.%s" % form)
        if form == "h5" and own_h5:
            row[col] = own_h5
            continue
        step(col, ["export", os.path.join(d, "model." + form), "-o", out, "--quiet"], out, y0)
    row["seconds"] = "%.0f" % (time.time() - t0)
    write_row(a.tsv, row)
    if not a.keep:
        for f in os.listdir(d):
            if f.endswith((".keras", ".h5")):
                os.remove(os.path.join(d, f))
    return 0


def read_rows(tsv):
    rows = {}
    if os.path.exists(tsv):
        with open(tsv) as f:
            lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
        for l in lines[1:]:
            cells = l.split("\t") + [""] * len(COLUMNS)
            rows[cells[0]] = dict(zip(COLUMNS, cells))
    return rows


def write_row(tsv, row):
    rows = read_rows(tsv)
    rows[row["variant"]] = row
    order = {v: i for i, v in enumerate(ORDER)}
    tmp = tsv + ".tmp"
    with open(tmp, "w") as f:
        f.write("# measured by scripts/applications.sh (src/test/python/applications_matrix.py); errors are max |Keras - Kerasport| / max(1, |Keras|)\n")
        f.write("\t".join(COLUMNS) + "\n")
        for v in sorted(rows, key=lambda v: order.get(v, 1 << 20)):
            f.write("\t".join(rows[v].get(c, "").replace("\t", " ") for c in COLUMNS) + "\n")
    os.replace(tmp, tsv)


PREDICT_BOUND, FINETUNE_BOUND = 1e-5, 1e-4


def verdict(cell, bound, row=None, keys=("keras_f32", "kerasport_f64")):
    """✓ within the bound; ≈ beyond it, but Kerasport is as close to the float64 evaluation as Keras' own float32
    evaluation is (within 3 times its error: two float32 evaluations summing in different orders), i.e. the
    difference is the network's float32 rounding, not a mapping error."""
    if not cell:
        return "not measured"
    if cell.startswith("n/a"):
        return "n/a¹"
    try:
        v = float(cell)
    except ValueError:
        return "✗ " + cell.replace("|", "\\|")
    if v <= bound:
        return "✓ " + cell
    if row and row.get(keys[0]) and row.get(keys[1]) and float(row[keys[1]]) <= 3 * float(row[keys[0]]):
        return "≈ " + cell
    return "✗ " + cell


def cell_verdict(r, c):
    bound = FINETUNE_BOUND if c == "finetune" else PREDICT_BOUND
    if c == "finetune":
        # rounding parity judged on the weights when measured (outputs of an ill-conditioned fit amplify either
        # float32 result's rounding by chance), else on the outputs
        keys = ("fit_w_keras", "fit_w_kerasport") if r.get("fit_w_kerasport") else ("fit_keras_f32", "fit_kerasport_f64")
        return verdict(r[c], bound, r, keys)
    return verdict(r[c], bound, r if c.startswith("predict") else None)


def render(a):
    rows = read_rows(a.tsv)
    order = ORDER
    lines = []
    measured = [v for v in order if v in rows and rows[v]["seconds"]]
    ok = [v for v in measured if all(cell_verdict(rows[v], c).startswith(("✓", "≈", "n/a"))
                                     for c in ("predict_keras", "predict_h5", "finetune", "export_keras", "export_h5"))]
    lines.append("%d variants of Keras 3.15's keras.applications (%d models; include_top=False under a new head, and "
                 "include_top=True for the smallest of each family): %d measured, %d pass every column, %d not "
                 "measured yet." % (len(order), len(APPS), len(measured), len(ok), len(order) - len(measured)))
    lines.append("")
    lines.append("| model | input | parameters | predict .keras | predict .h5 | finetune → export | export .keras | export .h5 | notes |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    footer = ["", "Errors are max over the outputs of \\|Keras − Kerasport\\| / max(1, \\|Keras\\|); ✓ within 1e-5 (predict, "
              "export: real Keras 3.15 loads Kerasport's file and predicts) or 1e-4 (finetune → export: one epoch of "
              "`finetune --shuffle false`, the result loaded in Keras, against Keras' own `load_model` + `fit` on the same "
              "batches; the notes give how far that fit moved Keras' outputs). ¹ Keras 3.15 cannot load the `.h5` it "
              "writes of this model itself (operation layers with a number argument), so there is no `.h5` to compare. "
              "≈: beyond the bound, but Kerasport is as close to the same model evaluated in float64 by Keras as Keras' own "
              "float32 result is (within 3 times Keras' error; the notes give both; for finetune judged on the weights, as "
              "a fraction of the change the fit made, where measured): the network's float32 rounding, amplified by "
              "random weights, not a mapping error."]
    for v in order:
        r = rows.get(v)
        if r is None or not r["seconds"]:
            partial = r is not None
            cells = [cell_verdict(r, c) if partial else "not measured"
                     for c in ("predict_keras", "predict_h5", "finetune", "export_keras", "export_h5")]
            note = ((r["note"] + "; ") if partial and r["note"] else "") + ("run cut short" if partial else "")
            lines.append("| %s | %s | %s | %s | %s |" % (v, r["input"] if partial else "", r["params"] if partial else "",
                                                       " | ".join(cells), note))
            continue
        cells = [cell_verdict(r, c) for c in ("predict_keras", "predict_h5", "finetune", "export_keras", "export_h5")]
        f64 = ("predictions against float64: Keras %s, Kerasport %s" % (r["keras_f32"], r["kerasport_f64"])) if r.get("kerasport_f64") else ""
        if r.get("fit_kerasport_f64"):
            f64 += "; fit against float64: Keras %s, Kerasport %s" % (r["fit_keras_f32"], r["fit_kerasport_f64"])
        if r.get("fit_w_kerasport"):
            f64 += " (weights: %s, %s of the change)" % (r["fit_w_keras"], r["fit_w_kerasport"])
        note = "; ".join(n for n in ["fit moved outputs by " + r["fit_change"] if r["fit_change"] else "", f64, r["note"]] if n)
        lines.append("| %s | %s | %s | %s | %s |" % (v, r["input"], "{:,}".format(int(r["params"])), " | ".join(cells), note))
    lines += footer
    begin = "<!-- applications:begin (generated by scripts/applications.sh from bench/applications.tsv) -->"
    end = "<!-- applications:end -->"
    with open(a.readme) as f:
        text = f.read()
    i, j = text.find("<!-- applications:begin"), text.find(end)
    if i < 0 or j < 0:
        raise SystemExit("render: %s has no applications markers" % a.readme)
    text = text[:i] + begin + "\n\n" + "\n".join(lines) + "\n\n" + text[j:]
    with open(a.readme, "w") as f:
        f.write(text)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["measure", "list", "render"])
    ap.add_argument("variant", nargs="?")
    ap.add_argument("--work")
    ap.add_argument("--kerasport")
    ap.add_argument("--tsv")
    ap.add_argument("--readme")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--set", default="all")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if a.command == "list":
        names = ORDER if a.set == "all" else a.set.split(",")
        bad = [n for n in names if n not in ORDER]
        if bad:
            raise SystemExit("unknown application variant(s) %s; known: %s" % (bad, ", ".join(ORDER)))
        print("\n".join(names))
        return 0
    if a.command == "render":
        return render(a)
    return measure(a)


if __name__ == "__main__":
    sys.exit(main())

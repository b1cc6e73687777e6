#!/usr/bin/env python3
"""REAL-Keras cases for the stateful preprocessing layers (PreprocessingKerasTest).

Usage:  python preprocessing_cases.py OUT_DIR [--seed N]

Writes OUT_DIR/<case>/{model.keras, [model.h5], x.npy, y.npy, case.json}. x.npy is the raw input (int64 ids,
float32 values, or a numpy unicode array '<U..' of strings); y.npy is what Keras computes on it with the model
loaded back from model.keras (the file's meaning: a vocabulary comes back from its assets), as float32. model.h5 is
written when Keras loads it back and predicts the same (a vocabulary given in the config; an adapted one lives in
the .keras assets only). Cases (configurations drawn from the seeded generator; case.json "config" says which):

  ce_<k>          CategoryEncoding one_hot / multi_hot / count, inputs (1,) and (n,)
  disc_<k>        Discretization int / one_hot / multi_hot / count, values on and between the boundaries
  intlookup_<k>   IntegerLookup: vocabulary in the config or adapted (assets), num_oov_indices 0/1/3 (floormod and
                  farmhash, with and without salt), mask_token, invert, output modes; OOV and mask ids in the input
  hash_<k>        Hashing of ids: num_bins, salt (int or pair), mask_value, output modes; negative and large ids
  strlookup_<k>   StringLookup: adapted or given vocabulary, num_oov_indices 0/1/2, mask_token, output modes; unicode,
                  empty strings, OOV strings
  strhash_<k>     Hashing of strings (FarmHash and salted SipHash), mask_value, unicode, empty, long strings
  tv_<k>          TextVectorization: standardize None/lower/strip_punctuation/lower_and_strip_punctuation, split
                  whitespace/character/None, ngrams, output int (output_sequence_length) / multi_hot / count,
                  max_tokens, adapted or given vocabulary
  pipe_ids        int ids -> CategoryEncoding(multi_hot) -> Dense
  pipe_text       strings -> TextVectorization(int) -> Embedding -> GlobalAveragePooling1D -> Dense
  x.csv           tv_0, tv_4, strlookup_7 and pipe_text's strings also as a CSV column (Python's csv module)
  refused_*       forms Kerasport refuses (case.json "refused_class", "refused_field", "file"): a custom
                  standardize function, an adapted vocabulary in an .h5, tf_idf, StringLookup(invert=True),
                  TextVectorization(int) without output_sequence_length

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

WORDS = ["the", "cat", "sat", "on", "mat", "Dog", "ÉCOLE", "école", "naïve", "日本", "a.b", "x", "hello!", "it's"]


def run(model, x):
    t = tf.constant(x)
    return np.asarray(keras.ops.convert_to_numpy(model(t)))


def save(out, name, model, x, cfg, cls, h5=True):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, "model.keras")
    model.save(p)
    loaded = keras.saving.load_model(p)
    y = run(loaded, x)
    case = {"class": cls, "config": cfg, "h5": False}
    if h5:
        try:
            ph = os.path.join(d, "model.h5")
            model.save(ph)
            yh = run(keras.saving.load_model(ph), x)
            if yh.shape == y.shape and np.array_equal(yh, y):
                case["h5"] = True
            else:
                os.remove(ph)
        except Exception as e:  # noqa: BLE001  (Keras cannot write or reload it: no .h5 case)
            case["h5_error"] = str(e)[:200]
            if os.path.exists(os.path.join(d, "model.h5")):
                os.remove(os.path.join(d, "model.h5"))
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "y.npy"), y.astype("float32"))
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=1, default=str)


def refused(out, name, model, cls, field, form="keras"):
    d = os.path.join(out, "refused_" + name)
    os.makedirs(d, exist_ok=True)
    model.save(os.path.join(d, "model." + form))
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"refused_class": cls, "refused_field": field, "file": "model." + form}, f)


def one_layer(layer, shape, dtype):
    x = keras.Input(shape, dtype=dtype, name="x")
    return keras.Model(x, layer(x))


def texts(rng, n, words=WORDS):
    out = []
    for i in range(n):
        k = int(rng.integers(0, 6))
        seps = [" ", "  ", "\t", ", ", " - "]
        s = ""
        for j in range(k):
            s += str(rng.choice(words)) + (str(rng.choice(seps)) if j < k - 1 else "")
        if rng.random() < 0.3:
            s = " " + s + "  "
        out.append(s)
    out[0] = ""
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    out = a.out

    # CategoryEncoding
    for k, (mode, shape) in enumerate([("one_hot", (1,)), ("one_hot", (3,)), ("multi_hot", (4,)), ("count", (5,)),
                                       ("multi_hot", (1,)), ("count", (2,))]):
        n = int(rng.integers(4, 10))
        lay = layers.CategoryEncoding(num_tokens=n, output_mode=mode, name="layer")
        x = rng.integers(0, n, size=(7,) + shape).astype("int64")
        save(out, "ce_%d" % k, one_layer(lay, shape, "int64"), x, {"num_tokens": n, "output_mode": mode, "shape": shape},
             "CategoryEncoding")

    # Discretization
    for k, (mode, shape) in enumerate([("int", (3,)), ("one_hot", (1,)), ("one_hot", (2,)), ("multi_hot", (4,)),
                                       ("count", (5,)), ("int", (2, 3))]):
        b = sorted(set(np.round(rng.normal(0, 1, size=int(rng.integers(1, 6))), 2).tolist()))
        lay = layers.Discretization(bin_boundaries=b, output_mode=mode, name="layer")
        x = rng.normal(0, 1.2, size=(8,) + shape).astype("float32")
        flat = x.reshape(-1)
        flat[: len(b)] = np.asarray(b, dtype="float32")  # values exactly on the boundaries
        save(out, "disc_%d" % k, one_layer(lay, shape, "float32"), x, {"bin_boundaries": b, "output_mode": mode,
                                                                        "shape": shape}, "Discretization")

    # IntegerLookup
    vocab = [3, 7, 11, 20, 42, 100]
    il_cfgs = [
        dict(num_oov_indices=1, mask_token=None, output_mode="int"),
        dict(num_oov_indices=3, mask_token=0, output_mode="int"),
        dict(num_oov_indices=3, mask_token=None, output_mode="int", oov_method="farmhash"),
        dict(num_oov_indices=2, mask_token=None, output_mode="int", oov_method="farmhash", salt=[7, 99]),
        dict(num_oov_indices=0, mask_token=None, output_mode="int", inputs="in_vocab"),
        dict(num_oov_indices=1, mask_token=0, output_mode="one_hot", shape=(1,)),
        dict(num_oov_indices=2, mask_token=0, output_mode="multi_hot"),
        dict(num_oov_indices=1, mask_token=None, output_mode="count"),
        dict(num_oov_indices=1, mask_token=0, output_mode="int", invert=True),
        dict(num_oov_indices=1, mask_token=None, output_mode="int", adapt=True),
        dict(num_oov_indices=2, mask_token=0, output_mode="count", adapt=True, max_tokens=12, pad_to_max_tokens=True),
    ]
    for k, c in enumerate(il_cfgs):
        c = dict(c)
        shape = c.pop("shape", (4,))
        inputs = c.pop("inputs", "mixed")
        adapt = c.pop("adapt", False)
        if adapt:
            lay = layers.IntegerLookup(name="layer", **c)
            lay.adapt(np.asarray(rng.choice(vocab, size=40), dtype="int64"))
        else:
            lay = layers.IntegerLookup(vocabulary=vocab, name="layer", **c)
        if c.get("invert"):
            x = rng.integers(0, len(vocab) + 4, size=(6,) + shape).astype("int64")
        elif inputs == "in_vocab":
            x = rng.choice(vocab, size=(6,) + shape).astype("int64")
        else:
            pool = vocab + [0, -5, 1, 999, 123456, 8]
            x = rng.choice(pool, size=(6,) + shape).astype("int64")
        save(out, "intlookup_%d" % k, one_layer(lay, shape, "int64"), x, dict(c, adapt=adapt, shape=shape), "IntegerLookup")

    # Hashing of ids
    hcfgs = [dict(num_bins=5), dict(num_bins=7, salt=133), dict(num_bins=4, salt=[3, 17]), dict(num_bins=6, mask_value=0),
             dict(num_bins=5, output_mode="one_hot", shape=(1,)), dict(num_bins=8, output_mode="multi_hot"),
             dict(num_bins=3, output_mode="count", mask_value=0), dict(num_bins=1000003)]
    for k, c in enumerate(hcfgs):
        c = dict(c)
        shape = c.pop("shape", (4,))
        lay = layers.Hashing(name="layer", **c)
        x = rng.integers(-50000, 16_000_000, size=(6,) + shape).astype("int64")
        x.reshape(-1)[:3] = [0, -1, 1]
        save(out, "hash_%d" % k, one_layer(lay, shape, "int64"), x, dict(c, shape=shape), "Hashing")

    # StringLookup
    svocab = ["the", "cat", "école", "日本", "", "naïve"]
    sl_cfgs = [
        dict(num_oov_indices=1, mask_token=None, output_mode="int", adapt=True),
        dict(num_oov_indices=2, mask_token=None, output_mode="int"),
        dict(num_oov_indices=2, mask_token=None, output_mode="int", salt=[5, 6]),
        dict(num_oov_indices=0, mask_token=None, output_mode="int", inputs="in_vocab"),
        dict(num_oov_indices=1, mask_token="[MASK]", output_mode="int"),
        dict(num_oov_indices=1, mask_token="[MASK]", output_mode="multi_hot"),
        dict(num_oov_indices=1, mask_token=None, output_mode="count"),
        dict(num_oov_indices=1, mask_token=None, output_mode="one_hot", shape=(1,), adapt=True),
        dict(num_oov_indices=1, mask_token=None, output_mode="int", oov_token="<oov>", adapt=True, max_tokens=4),
    ]
    for k, c in enumerate(sl_cfgs):
        c = dict(c)
        shape = c.pop("shape", (4,))
        inputs = c.pop("inputs", "mixed")
        adapt = c.pop("adapt", False)
        if adapt:
            lay = layers.StringLookup(name="layer", **c)
            # an adapted "" would be the vocabulary file's last line when rare, which Keras' load_assets drops
            # (and then refuses to reload in non-int modes): kept in the int case only
            adapt_pool = svocab if c["output_mode"] == "int" else [t for t in svocab if t]
            lay.adapt(np.asarray(rng.choice(adapt_pool + ["cat", "the", "the"], size=30)))
        else:
            v = [t for t in svocab if t != ""]
            lay = layers.StringLookup(vocabulary=v, name="layer", **c)
        pool = svocab if inputs == "in_vocab" and adapt else [t for t in svocab if t != ""] if inputs == "in_vocab" else \
            svocab + ["THE", "dog", "[MASK]", "ecole", "ünïcödé 😀", "[UNK]"]
        x = np.asarray(rng.choice(pool, size=(6,) + shape)).astype(str)
        save(out, "strlookup_%d" % k, one_layer(lay, shape, "string"), x, dict(c, adapt=adapt, shape=shape), "StringLookup")

    # the same strings as a numpy object array (pickled Python objects: refused, with what to do instead)
    d = os.path.join(out, "strlookup_0")
    np.save(os.path.join(d, "x_object.npy"), np.load(os.path.join(d, "x.npy")).astype(object), allow_pickle=True)

    # Hashing of strings
    shcfgs = [dict(num_bins=5), dict(num_bins=9, salt=[1, 2]), dict(num_bins=4, mask_value=""),
              dict(num_bins=6, output_mode="multi_hot"), dict(num_bins=2 ** 31 - 1)]
    long_strings = ["x" * n for n in (15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300)]
    for k, c in enumerate(shcfgs):
        lay = layers.Hashing(name="layer", **c)
        pool = svocab + ["ünïcödé 😀", "日本語のテキスト", "a b c"] + long_strings
        x = np.asarray(rng.choice(pool, size=(8, 3))).astype(str)
        save(out, "strhash_%d" % k, one_layer(lay, (3,), "string"), x, dict(c), "Hashing")

    # TextVectorization
    corpus = texts(rng, 40)
    tv_cfgs = [
        dict(output_sequence_length=6),
        dict(standardize="lower", output_sequence_length=5),
        dict(standardize="strip_punctuation", output_sequence_length=7),
        dict(standardize=None, output_sequence_length=4),
        dict(split="character", output_sequence_length=12),
        dict(split=None, output_sequence_length=1),
        dict(ngrams=2, output_sequence_length=8),
        dict(ngrams=(1, 3), output_mode="multi_hot"),
        dict(output_mode="count"),
        dict(output_mode="multi_hot", max_tokens=6),
        dict(output_sequence_length=6, vocabulary=["the", "cat", "sat", "école", "日本"]),
        dict(output_mode="count", max_tokens=9, pad_to_max_tokens=True),
    ]
    for k, c in enumerate(tv_cfgs):
        lay = layers.TextVectorization(name="layer", **c)
        if "vocabulary" not in c:
            lay.adapt(np.asarray(corpus))
        x = np.asarray(texts(rng, 9) + ["  The CAT, sat... on the MAT!!  ", "ÉCOLE école\tÉcole", "it's a.b",
                                         'a "quoted" cat\non two lines']).reshape(-1, 1)
        save(out, "tv_%d" % k, one_layer(lay, (1,), "string"), x.astype(str), {kk: (list(v) if isinstance(v, tuple) else v)
                                                                                for kk, v in c.items()}, "TextVectorization")

    # pipelines: the preprocessing prefix feeding trainable layers
    keras.utils.set_random_seed(a.seed)
    xi = keras.Input((4,), dtype="int64", name="ids")
    h = layers.CategoryEncoding(num_tokens=7, output_mode="multi_hot", name="encode")(xi)
    m = keras.Model(xi, layers.Dense(3, name="dense")(h))
    save(out, "pipe_ids", m, rng.integers(0, 7, size=(5, 4)).astype("int64"), {}, "CategoryEncoding")
    tv = layers.TextVectorization(output_sequence_length=6, name="vectorize")
    tv.adapt(np.asarray(corpus))
    xs = keras.Input((1,), dtype="string", name="text")
    h = layers.Embedding(tv.vocabulary_size(), 8, name="embed")(tv(xs))
    h = layers.GlobalAveragePooling1D(name="pool")(h)
    m = keras.Model(xs, layers.Dense(2, name="dense")(h))
    m.compile(optimizer="sgd", loss="mse")  # a training config, so finetune gets as far as the string input
    save(out, "pipe_text", m, np.asarray(texts(rng, 6)).reshape(-1, 1).astype(str), {}, "TextVectorization")

    # the string cases' inputs as a CSV column too (Python's csv module: quotes, commas and line breaks in fields)
    import csv
    for name in ["tv_0", "tv_4", "strlookup_7", "pipe_text"]:
        d = os.path.join(out, name)
        x = np.load(os.path.join(d, "x.npy"))
        col = "text" if name == "pipe_text" else "x"
        with open(os.path.join(d, "x.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([col])
            for v in x.reshape(-1):
                w.writerow([str(v)])

    # refused forms
    @keras.saving.register_keras_serializable(package="kp")
    def my_standardize(s):
        return tf.strings.lower(s)

    lay = layers.TextVectorization(standardize=my_standardize, output_sequence_length=4, name="layer")
    lay.adapt(np.asarray(corpus))
    refused(out, "tv_custom_standardize", one_layer(lay, (1,), "string"), "TextVectorization", "standardize")
    lay = layers.TextVectorization(output_mode="tf_idf", name="layer")
    lay.adapt(np.asarray(corpus))
    refused(out, "tv_tf_idf", one_layer(lay, (1,), "string"), "TextVectorization", "output_mode")
    lay = layers.TextVectorization(name="layer")
    lay.adapt(np.asarray(corpus))
    refused(out, "tv_free_length", one_layer(lay, (1,), "string"), "TextVectorization", "output_sequence_length")
    xi = keras.Input((2,), dtype="int64", name="x")
    lay = layers.StringLookup(vocabulary=["a", "b"], invert=True, name="layer")
    refused(out, "strlookup_invert", keras.Model(xi, lay(xi)), "StringLookup", "invert")
    lay = layers.StringLookup(name="layer")  # an adapted vocabulary: .h5 files do not hold it (Keras cannot reload it)
    lay.adapt(np.asarray(["a", "b", "b"]))
    refused(out, "strlookup_adapted_h5", one_layer(lay, (2,), "string"), "StringLookup", "vocabulary", form="h5")


if __name__ == "__main__":
    main()

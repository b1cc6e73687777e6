"""Real-Keras cases for keras.layers.RNN of LSTMCell, GRUCell, SimpleRNNCell and StackedRNNCells of them
(RnnCellKerasTest, the layer coverage table): each a small model written, predicted and (without dropout) trained by
Keras, its variables drawn from N(0, 0.5²).

Usage:  python rnn_cell_cases.py OUT_DIR [--seed N]

Cases (OUT_DIR/<case>/{model.keras, model.h5, case.json, reference.npz}, layout of ../shared/keras-reference):
  rnn_cells        RNN(LSTMCell(4), return_sequences; kernel L2, recurrent L1, bias L1L2) -> RNN(GRUCell(3); every
                   regularizer) -> Dense(2); mse, Adam(0.01), 3 steps.
  rnn_stacked      RNN(StackedRNNCells([LSTMCell(4, hard_sigmoid), GRUCell(3, reset_after=False, kernel L2),
                   SimpleRNNCell(2, relu, recurrent L2)]), go_backwards, return_sequences) -> Flatten -> Dense(2); mse,
                   SGD(0.1), 3 steps.
  rnn_back         RNN(SimpleRNNCell(4, bias L2), go_backwards) beside RNN(StackedRNNCells([LSTMCell(3), LSTMCell(2,
                   use_bias=False, kernel L1)])) on the same input, concatenated -> Dense(2); mse, SGD(0.1, momentum
                   0.9), 3 steps.
  rnn_dropout_inference  RNN(StackedRNNCells([GRUCell(3, dropout, recurrent_dropout), LSTMCell(2, dropout)])) ->
                   Dense(2): dropout is the identity at inference (predictions only: Keras' training draws masks).

case.json also holds reg_loss: the sum of the weight penalties Keras computes for the saved variables.

Everything is computed by Keras; nothing here is computed by Kerasport.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import kcases  # noqa: E402
from keras import layers, regularizers  # noqa: E402


def rnn_cells():
    x = keras.Input((6, 3), name="x")
    h = layers.RNN(layers.LSTMCell(4, kernel_regularizer=regularizers.L2(0.01), recurrent_regularizer=regularizers.L1(0.005),
                                   bias_regularizer=regularizers.L1L2(0.002, 0.003)), return_sequences=True, name="rnn_lstm")(x)
    h = layers.RNN(layers.GRUCell(3, kernel_regularizer=regularizers.L1L2(0.001, 0.01), recurrent_regularizer=regularizers.L2(0.02),
                                  bias_regularizer=regularizers.L2(0.01)), name="rnn_gru")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="rnn_cells"), "mean_squared_error", lambda: keras.optimizers.Adam(0.01)


def rnn_stacked():
    x = keras.Input((5, 3), name="x")
    cells = [layers.LSTMCell(4, recurrent_activation="hard_sigmoid"),
             layers.GRUCell(3, reset_after=False, kernel_regularizer=regularizers.L2(0.01)),
             layers.SimpleRNNCell(2, activation="relu", recurrent_regularizer=regularizers.L2(0.02))]
    h = layers.RNN(layers.StackedRNNCells(cells), go_backwards=True, return_sequences=True, name="stack")(x)
    h = layers.Flatten(name="flat")(h)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="rnn_stacked"), "mean_squared_error", lambda: keras.optimizers.SGD(0.1)


def rnn_back():
    x = keras.Input((5, 3), name="x")
    a = layers.RNN(layers.SimpleRNNCell(4, bias_regularizer=regularizers.L2(0.01)), go_backwards=True, name="back")(x)
    b = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(3), layers.LSTMCell(2, use_bias=False,
                                                                                 kernel_regularizer=regularizers.L1(0.01))]),
                   name="two_lstm")(x)
    h = layers.Concatenate(name="cat")([a, b])
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="rnn_back"), "mean_squared_error", lambda: keras.optimizers.SGD(0.1, momentum=0.9)


def rnn_dropout_inference():
    x = keras.Input((4, 3), name="x")
    h = layers.RNN(layers.StackedRNNCells([layers.GRUCell(3, dropout=0.3, recurrent_dropout=0.2),
                                           layers.LSTMCell(2, dropout=0.4)]), name="drop_stack")(x)
    out = layers.Dense(2, name="out")(h)
    return keras.Model(x, out, name="rnn_dropout_inference"), "mean_squared_error", lambda: keras.optimizers.SGD(0.1)


CASES = (("rnn_cells", rnn_cells, 3), ("rnn_stacked", rnn_stacked, 3), ("rnn_back", rnn_back, 3),
         ("rnn_dropout_inference", rnn_dropout_inference, 0))


def main():
    a, rng = kcases.cli(5)
    names = []
    for name, fn, steps in CASES:
        model, loss, opt = fn()
        names.append(kcases.build_case(model, loss, opt, a.out, name, rng, steps=steps, original_keys=True))
        # the weight penalties Keras adds for the saved variables, for the export test's check of the written
        # regularizers
        path = os.path.join(a.out, name, "case.json")
        with open(path) as f:
            case = json.load(f)
        case["reg_loss"] = float(sum(float(keras.ops.convert_to_numpy(v)) for v in model.losses))
        with open(path, "w") as f:
            json.dump(case, f, indent=1)
    print(json.dumps({"cases": names}))


if __name__ == "__main__":
    main()

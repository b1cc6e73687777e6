#!/usr/bin/env python3
"""Step-by-step trajectories of REAL Keras optimizers, for the Java updaters to reproduce exactly.

Usage:  python optimizer_trajectories.py OUT.json [--seed N] [--steps K]

For every case (one optimizer configuration, optionally with a learning-rate schedule and/or a
decoupled weight decay) the script creates three float32 Keras variables of shapes (3, 4), (4,)
and (2, 1, 3) with seeded values, then applies K steps (default 6) of seeded float32 gradients
with `optimizer.apply_gradients`, recording everything the Java side needs:

  {
    "keras_version", "backend", "seed", "steps",
    "cases": [{
        "name":          "adam_amsgrad",
        "class_name":    "Adam",                        optimizer.__class__.__name__
        "config":        optimizer.get_config()         (learning_rate is a float or the serialized
                                                         schedule {module, class_name, config, ...})
        "variables":     [{"name", "shape", "initial": [C-order flat values]}],
        "steps": [{
            "iteration":     optimizer.iterations before the step (= DL4J's `iteration`),
            "learning_rate": float(optimizer.learning_rate) before the step (the value Keras uses
                             for this step and for its weight decay),
            "gradients":     [C-order flat gradient per variable],
            "after":         [C-order flat value per variable after the step],
            "u_product":     Nadam only: its scalar variable u_product after the step
        }]
    }],
    "schedules": [{
        "name", "serialized": keras.optimizers.schedules.serialize(schedule),
        "values": [learning rate an optimizer using it reports at iterations = 0..50]
    }]
  }

Gradients: element 0 of every variable is exactly 0 at every step (its optimizer slots stay 0:
exercises 0/(sqrt(0)+eps)), element 1 is always tiny (~1e-6: epsilon dominates), and the other
elements are N(0,1) with ~15% zeros, ~10% large (x40) and ~10% tiny (x1e-5) entries.
All numbers are float32 values widened exactly to double (JSON keeps every bit).
Nothing here is computed by Kerasport: every expectation comes from Keras itself.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import optimizers  # noqa: E402
from keras.optimizers import schedules  # noqa: E402

SHAPES = [("kernel", (3, 4)), ("bias", (4,)), ("cube", (2, 1, 3))]


def sched(class_name, **config):
    return (class_name, config)


# Half of the optimizer cases use non-default hyper-parameters.
CASES = [
    # name, optimizer class, kwargs (a ("Schedule", config) tuple as learning_rate builds that schedule)
    ("sgd_default", "SGD", {}),
    ("sgd", "SGD", {"learning_rate": 0.05}),
    ("sgd_momentum", "SGD", {"learning_rate": 0.03, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.02, "momentum": 0.85, "nesterov": True}),
    ("adam_default", "Adam", {}),
    ("adam", "Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.02, "amsgrad": True}),
    ("adamw", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("adam_weight_decay", "Adam", {"learning_rate": 0.005, "weight_decay": 0.3, "beta_2": 0.95}),
    ("rmsprop_default", "RMSprop", {}),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "epsilon": 1e-5}),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.005, "centered": True}),
    ("rmsprop_centered_momentum", "RMSprop", {"learning_rate": 0.002, "rho": 0.7, "momentum": 0.9,
                                              "centered": True, "epsilon": 1e-6}),
    ("adagrad_default", "Adagrad", {}),
    ("adagrad", "Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.01, "epsilon": 1e-5}),
    ("adadelta_default", "Adadelta", {}),
    ("adadelta", "Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-3}),
    ("adamax_default", "Adamax", {}),
    ("adamax", "Adamax", {"learning_rate": 0.02, "beta_1": 0.85, "beta_2": 0.95, "epsilon": 1e-5}),
    ("nadam_default", "Nadam", {}),
    ("nadam", "Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-6}),
    ("lion_default", "Lion", {}),
    ("lion", "Lion", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}),
    # SGD + each schedule (evaluated by Keras at `iterations`, before the increment)
    ("sgd_exponential", "SGD", {"learning_rate": sched("ExponentialDecay", initial_learning_rate=0.1,
                                                      decay_steps=3, decay_rate=0.5)}),
    ("sgd_exponential_staircase", "SGD", {"learning_rate": sched("ExponentialDecay", initial_learning_rate=0.1,
                                                                decay_steps=2, decay_rate=0.7, staircase=True)}),
    ("sgd_inverse_time", "SGD", {"learning_rate": sched("InverseTimeDecay", initial_learning_rate=0.1,
                                                       decay_steps=3, decay_rate=0.5)}),
    ("sgd_inverse_time_staircase", "SGD", {"learning_rate": sched("InverseTimeDecay", initial_learning_rate=0.1,
                                                                 decay_steps=2, decay_rate=0.7, staircase=True)}),
    # Keras 1/2 `decay=d` is lr/(1 + d*iterations) == InverseTimeDecay(lr, decay_steps=1, decay_rate=d)
    ("sgd_legacy_decay", "SGD", {"learning_rate": sched("InverseTimeDecay", initial_learning_rate=0.1,
                                                       decay_steps=1, decay_rate=0.3)}),
    ("sgd_piecewise", "SGD", {"learning_rate": sched("PiecewiseConstantDecay", boundaries=[1, 3],
                                                    values=[0.1, 0.05, 0.01])}),
    ("sgd_polynomial", "SGD", {"learning_rate": sched("PolynomialDecay", initial_learning_rate=0.1,
                                                     decay_steps=4, end_learning_rate=0.01, power=2.0)}),
    ("sgd_polynomial_cycle", "SGD", {"learning_rate": sched("PolynomialDecay", initial_learning_rate=0.1,
                                                           decay_steps=2, end_learning_rate=0.02, power=0.5,
                                                           cycle=True)}),
    ("sgd_cosine", "SGD", {"learning_rate": sched("CosineDecay", initial_learning_rate=0.1, decay_steps=4,
                                                 alpha=0.1)}),
    ("sgd_cosine_warmup", "SGD", {"learning_rate": sched("CosineDecay", initial_learning_rate=0.01, decay_steps=3,
                                                        alpha=0.05, warmup_target=0.2, warmup_steps=2)}),
    ("sgd_cosine_restarts", "SGD", {"learning_rate": sched("CosineDecayRestarts", initial_learning_rate=0.1,
                                                          first_decay_steps=2, t_mul=2.0, m_mul=0.8,
                                                          alpha=0.05)}),
    ("sgd_cosine_restarts_tmul1", "SGD", {"learning_rate": sched("CosineDecayRestarts", initial_learning_rate=0.1,
                                                                first_decay_steps=2, t_mul=1.0, m_mul=0.5)}),
    # schedules and weight decay through the adaptive/momentum updaters
    ("sgd_momentum_piecewise_wd", "SGD", {"learning_rate": sched("PiecewiseConstantDecay", boundaries=[2],
                                                                values=[0.05, 0.02]),
                                          "momentum": 0.9, "weight_decay": 0.2}),
    ("adamw_exponential", "AdamW", {"learning_rate": sched("ExponentialDecay", initial_learning_rate=0.01,
                                                          decay_steps=2, decay_rate=0.5),
                                    "weight_decay": 0.05}),
    ("nadam_cosine", "Nadam", {"learning_rate": sched("CosineDecay", initial_learning_rate=0.02, decay_steps=5)}),
]

# Schedules whose values at iterations 0..50 are recorded (every class, both branches of each option).
SCHEDULES = [
    ("exponential", sched("ExponentialDecay", initial_learning_rate=0.1, decay_steps=7, decay_rate=0.8)),
    ("exponential_staircase", sched("ExponentialDecay", initial_learning_rate=0.3, decay_steps=5,
                                    decay_rate=0.5, staircase=True)),
    ("inverse_time", sched("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=4, decay_rate=0.6)),
    ("inverse_time_staircase", sched("InverseTimeDecay", initial_learning_rate=0.05, decay_steps=3,
                                     decay_rate=1.5, staircase=True)),
    ("legacy_decay", sched("InverseTimeDecay", initial_learning_rate=0.01, decay_steps=1, decay_rate=1e-2)),
    ("piecewise", sched("PiecewiseConstantDecay", boundaries=[5, 12, 30], values=[1.0, 0.5, 0.1, 0.01])),
    ("polynomial", sched("PolynomialDecay", initial_learning_rate=0.1, decay_steps=20)),
    ("polynomial_power", sched("PolynomialDecay", initial_learning_rate=0.2, decay_steps=15,
                               end_learning_rate=0.01, power=3.0)),
    ("polynomial_cycle", sched("PolynomialDecay", initial_learning_rate=0.1, decay_steps=7,
                               end_learning_rate=0.001, power=0.5, cycle=True)),
    ("cosine", sched("CosineDecay", initial_learning_rate=0.1, decay_steps=30)),
    ("cosine_alpha", sched("CosineDecay", initial_learning_rate=0.05, decay_steps=17, alpha=0.2)),
    ("cosine_warmup", sched("CosineDecay", initial_learning_rate=0.0, decay_steps=25, alpha=0.1,
                            warmup_target=0.1, warmup_steps=10)),
    ("cosine_warmup_down", sched("CosineDecay", initial_learning_rate=0.3, decay_steps=9,
                                 warmup_target=0.05, warmup_steps=6)),
    ("cosine_restarts", sched("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=5)),
    ("cosine_restarts_custom", sched("CosineDecayRestarts", initial_learning_rate=0.2, first_decay_steps=3,
                                     t_mul=1.5, m_mul=0.7, alpha=0.1)),
    ("cosine_restarts_tmul1", sched("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=4,
                                    t_mul=1.0, m_mul=0.9, alpha=0.05)),
]


def build_lr(value):
    if isinstance(value, tuple):
        class_name, config = value
        return getattr(schedules, class_name)(**config)
    return value


def make_optimizer(class_name, kwargs):
    kwargs = {k: build_lr(v) for k, v in kwargs.items()}
    return getattr(optimizers, class_name)(**kwargs)


def flat(x):
    """float32 values as exact Python floats, C order."""
    a = np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float32)
    return [float(v) for v in a.reshape(-1)]


def gradient(rng, shape):
    g = rng.standard_normal(shape).astype(np.float32).reshape(-1)
    u = rng.random(g.size)
    g[u < 0.15] = 0.0
    g[(u >= 0.15) & (u < 0.25)] *= np.float32(40.0)
    g[(u >= 0.25) & (u < 0.35)] *= np.float32(1e-5)
    g[0] = 0.0
    g[1] = np.float32(1e-6) * (np.float32(1.0) + np.float32(rng.random()))
    return g.reshape(shape).astype(np.float32)


def jsonable(obj):
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    return obj


def run_case(index, name, class_name, kwargs, seed, steps):
    rng = np.random.default_rng([seed, index])
    variables = []
    for vname, shape in SHAPES:
        init = (rng.standard_normal(shape) * 0.5).astype(np.float32)
        variables.append(keras.Variable(init, dtype="float32", name=vname))
    initial = [flat(v) for v in variables]
    opt = make_optimizer(class_name, kwargs)
    records = []
    for _ in range(steps):
        iteration = int(keras.ops.convert_to_numpy(opt.iterations))
        lr = float(np.float32(keras.ops.convert_to_numpy(opt.learning_rate)))
        grads = [gradient(rng, shape) for _, shape in SHAPES]
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], variables))
        record = {
            "iteration": iteration,
            "learning_rate": lr,
            "gradients": [[float(x) for x in g.reshape(-1)] for g in grads],
            "after": [flat(v) for v in variables],
        }
        if hasattr(opt, "_u_product"):  # Nadam's scalar momentum-schedule product after this step
            record["u_product"] = flat(opt._u_product)[0]
        records.append(record)
        assert int(keras.ops.convert_to_numpy(opt.iterations)) == iteration + 1
    return {
        "name": name,
        "class_name": opt.__class__.__name__,
        "config": jsonable(opt.get_config()),
        "variables": [{"name": vname, "shape": list(shape), "initial": initial[i]}
                      for i, (vname, shape) in enumerate(SHAPES)],
        "steps": records,
    }


def schedule_values(class_name, config, count=51):
    schedule = getattr(schedules, class_name)(**config)
    # The value an optimizer reports (and uses) at iterations = i: the schedule called on the
    # optimizer's own int64 `iterations` variable.
    opt = optimizers.SGD(learning_rate=schedule)
    values = []
    for i in range(count):
        opt.iterations.assign(i)
        values.append(float(np.float32(keras.ops.convert_to_numpy(opt.learning_rate))))
    return jsonable(schedules.serialize(schedule)), values


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output JSON file, or a folder to write trajectories.json into")
    ap.add_argument("--seed", type=int, default=20250)
    ap.add_argument("--steps", type=int, default=6)
    args = ap.parse_args()
    keras.utils.set_random_seed(args.seed)

    cases = [run_case(i, name, cls, kw, args.seed, args.steps) for i, (name, cls, kw) in enumerate(CASES)]
    scheds = []
    for name, (cls, config) in SCHEDULES:
        serialized, values = schedule_values(cls, config)
        scheds.append({"name": name, "serialized": serialized, "values": values})
    out = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "seed": args.seed,
        "steps": args.steps,
        "cases": cases,
        "schedules": scheds,
    }
    if os.path.isdir(args.out):
        args.out = os.path.join(args.out, "trajectories.json")
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"{len(cases)} optimizer cases, {len(scheds)} schedules -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The PyTorch anchor for bench/finetune.sh: the same four architectures, data, batches, optimizer and L2 penalties
as the Keras models written by bench/make_models.py, trained in plain PyTorch (the second reference the issue asks
for: how fast a hand-written training loop on this CPU can be).

Usage: python bench/torch_train.py CASE DATA.npz --batch B --epochs E [--out OUT.pt] [--bench OUT.json]
CASE: seed | mlp | cnn | lstm. Runs in its own venv (~/.cache/kerasport/torch-venv: torch and numpy only).

Same work per step as Keras' fit: forward, loss + L2 penalties (lambda * sum(w^2) on the kernels Keras
regularizes), backward, Adam, and the accuracy metric of the batch. Weights start from PyTorch's own
initialization (speed is what is compared here, not the loss values). Shuffle off, as in the other engines.
With --bench it writes the same JSON fields as bench/train.py --bench.
"""
import sys
import time

import numpy as np
import torch
from torch import nn

from bench_common import parse_args, write_bench


class LastStep(nn.Module):
    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        out, _ = self.lstm(x)
        return out[:, -1, :]


def build(case):
    """The model, its L2 (lambda, [weights]), the loss on (output, target), the learning rate, whether outputs are
    probabilities of one class (binary accuracy) or logits over classes (categorical accuracy)."""
    if case == "seed":
        l1, l2 = nn.Linear(2, 10), nn.Linear(10, 1)
        m = nn.Sequential(l1, nn.ReLU(), l2, nn.Sigmoid())
        return m, (1e-3, [l1.weight, l2.weight]), nn.MSELoss(), 0.01, "binary"
    if case == "mlp":
        ls = [nn.Linear(784, 512), nn.Linear(512, 512), nn.Linear(512, 10)]
        m = nn.Sequential(ls[0], nn.ReLU(), ls[1], nn.ReLU(), ls[2])
        return m, (1e-4, [l.weight for l in ls]), nn.CrossEntropyLoss(), 1e-3, "categorical"
    if case == "cnn":
        c1, c2, d1, d2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3), nn.Linear(1600, 128), nn.Linear(128, 10)
        m = nn.Sequential(c1, nn.ReLU(), nn.MaxPool2d(2), c2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), d1, nn.ReLU(), d2)
        return m, (1e-4, [c1.weight, c2.weight, d1.weight, d2.weight]), nn.CrossEntropyLoss(), 1e-3, "categorical"
    if case == "lstm":
        lstm, d = nn.LSTM(8, 64, batch_first=True), nn.Linear(64, 10)
        m = nn.Sequential(LastStep(lstm), d)
        return m, (1e-4, [lstm.weight_ih_l0, lstm.weight_hh_l0, d.weight]), nn.CrossEntropyLoss(), 1e-3, "categorical"
    raise SystemExit("unknown case " + case)


def main():
    a = parse_args("case", "seed, mlp, cnn or lstm")
    t_start = time.perf_counter()
    torch.manual_seed(0)
    model, (lam, reg), loss_fn, lr, kind = build(a.case)
    d = np.load(a.data)
    x = torch.from_numpy(d["x"])
    if a.case == "cnn":
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC data as PyTorch's convolutions want it
    y = torch.from_numpy(d["y"])
    target = y if kind == "binary" else y.argmax(1)
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    rows, times, losses = len(x), [], []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        total, correct = 0.0, 0
        for s in range(0, rows, a.batch):
            xb, tb = x[s:s + a.batch], target[s:s + a.batch]
            out = model(xb)
            loss = loss_fn(out, tb) + lam * sum((w * w).sum() for w in reg)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                correct += int(((out > 0.5).float() == tb).sum()) if kind == "binary" else int((out.argmax(1) == tb).sum())
            total += loss.item() * len(xb)
        times.append(time.perf_counter() - t0)
        losses.append(total / rows)
    if a.out:
        torch.save(model.state_dict(), a.out)
    if a.bench:
        model.eval()

        def predict():
            with torch.no_grad():
                for s in range(0, rows, 256):
                    model(x[s:s + 256])
        write_bench(a.bench, "torch", rows, a.batch, times, {"loss": losses}, predict, t_start,
                    torch=torch.__version__, threads=torch.get_num_threads())
    return 0


if __name__ == "__main__":
    sys.exit(main())

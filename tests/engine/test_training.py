"""End to end: an MLP and a small CNN trained on the bundled digits reach target accuracy."""

from __future__ import annotations

from typing import Any

import vizflow_engine as vf
from vizflow_engine import data, nn, optim
from vizflow_engine.nn import functional as F


def _train(model: nn.Module, flatten: bool, epochs: int, lr: float) -> float:
    """Train with AdamW + cosine schedule on a fixed split; return test accuracy."""
    x, y = data.load_digits(flatten=flatten)
    xtr, xte, ytr, yte = data.train_test_split(x, y, test_fraction=0.25, seed=0)
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-2)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    loader = data.DataLoader(data.TensorDataset(xtr, ytr), batch_size=32, shuffle=True)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    with vf.no_grad():
        pred: Any = model(xte).argmax(1)
    return float((pred == yte).numpy().mean())


def test_mlp_reaches_97_percent_on_digits() -> None:
    vf.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    assert _train(model, True, 30, 3e-3) >= 0.97


def test_cnn_reaches_98_percent_on_digits() -> None:
    vf.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(32 * 4, 10),
    )
    assert _train(model, False, 6, 5e-3) >= 0.98

#!/usr/bin/env python3
"""Writes test/golden/amp/amp.safetensors: PyTorch 1.13's CPU automatic mixed
precision (torch.autocast("cpu", dtype=torch.bfloat16)) on a small
convolutional classifier, which test/unit/AutocastTest.cpp checks nnc's
AutocastGuard against, eagerly and compiled (the tests need no PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_amp_goldens.py

The model is the seeds' SmallCNN in miniature: Conv2d(1, 4, 3, padding=1),
ReLU, MaxPool2d(2), Flatten, Linear(64, 3), on x [4, 1, 8, 8] with class
targets [4]; the loss is CrossEntropyLoss. Forward passes and the loss run
under autocast, backward() and the optimizer outside it, as PyTorch's AMP
recipe. The file holds:
  "x", "target"                       the batch;
  "init.<name>"                       the float32 parameters before training
                                      (names as the model's state_dict);
  "logits"                            the first forward's BFloat16 logits;
  "features"                          the BFloat16 conv+relu+pool output;
  "loss"                              [3]: the float32 loss of each step;
  "grad.<name>", "grad.x"             the first step's float32 gradients;
  "after.<name>"                      the parameters after 3 Adam steps
                                      (lr 1e-2).
"""
import pathlib
import sys

import torch

sys.dont_write_bytecode = True
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/amp"
STEPS = 3


def main():
    torch.manual_seed(0)
    features = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten())
    classifier = torch.nn.Linear(64, 3)
    model = torch.nn.Sequential(features, classifier)
    x = torch.randn(4, 1, 8, 8)
    target = torch.tensor([0, 2, 1, 2])
    out = {"x": x, "target": target}
    for name, p in model.state_dict().items():
        out["init." + name] = p.clone()

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for step in range(STEPS):
        optimizer.zero_grad()
        xs = x.clone().requires_grad_(step == 0)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            pooled = features(xs)
            logits = classifier(pooled)
            loss = torch.nn.functional.cross_entropy(logits, target)
        assert logits.dtype == torch.bfloat16 and loss.dtype == torch.float32
        loss.backward()
        if step == 0:
            out["features"] = pooled.detach()
            out["logits"] = logits.detach()
            out["grad.x"] = xs.grad.clone()
            for name, p in model.named_parameters():
                assert p.grad.dtype == torch.float32
                out["grad." + name] = p.grad.clone()
        losses.append(loss.item())
        optimizer.step()
    out["loss"] = torch.tensor(losses, dtype=torch.float32)
    for name, p in model.state_dict().items():
        out["after." + name] = p.clone()

    OUT.mkdir(parents=True, exist_ok=True)
    save_safetensors(out, OUT / "amp.safetensors",
                     {"torch": torch.__version__})


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes test/golden/optim/scheduler_<kind>.safetensors: an LR scheduler's
state_dict after 7 steps as PyTorch saves it, and the lrs of the whole
12-step run, for test/unit/OptimParityTest.cpp (the tests need no PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_scheduler_goldens.py

Each file holds no tensors, only metadata, laid out as nnc::save writes a
scheduler: "lr_scheduler" is json.dumps(scheduler.state_dict()) after 7
epochs; "config" is {"kind", the scheduler's arguments, "lrs": the two
param groups' lrs when the optimizer was made}; "lrs" is get_last_lr()
after the constructor and after each of the 12 scheduler.step() calls
(Python floats: doubles, printed exactly).
"""
import json
import pathlib
import sys

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/optim"
SAVED_EPOCH, EPOCHS = 7, 12
GROUP_LRS = [0.1, 0.03]

CASES = {
    "steplr": {"kind": "StepLR", "step_size": 3, "gamma": 0.5},
    "cosine": {"kind": "CosineAnnealingLR", "T_max": 4, "eta_min": 0.01},
}


def make_scheduler(optimizer, config):
    if config["kind"] == "StepLR":
        return torch.optim.lr_scheduler.StepLR(
            optimizer, config["step_size"], config["gamma"])
    return torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, config["T_max"], config["eta_min"])


def main():
    for name, config in CASES.items():
        w = torch.zeros(1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD(
            [{"params": [w]}, {"params": [b], "lr": GROUP_LRS[1]}],
            lr=GROUP_LRS[0])
        scheduler = make_scheduler(optimizer, config)
        lrs = [scheduler.get_last_lr()]
        for epoch in range(1, EPOCHS + 1):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
            if epoch == SAVED_EPOCH:
                state = json.dumps(scheduler.state_dict())
        metadata = {"lr_scheduler": state,
                    "config": json.dumps(dict(config, lrs=GROUP_LRS)),
                    "lrs": json.dumps(lrs)}
        save_safetensors({}, OUT / f"scheduler_{name}.safetensors", metadata)


if __name__ == "__main__":
    main()

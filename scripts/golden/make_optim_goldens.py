#!/usr/bin/env python3
"""Writes test/golden/optim/optim.safetensors: PyTorch's optimizer steps and
learning-rate schedules that test/unit/OptimParityTest.cpp checks nnc's
against (the tests need no PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_optim_goldens.py

Every case optimizes the same two parameters, "param.w" [2, 3] and
"param.b" [3], for 5 steps with fixed gradients "grad.w" [5, 2, 3] and
"grad.b" [5, 3] (row k is step k's; they shrink from step to step, so
amsgrad's maximum matters). For case "<name>" the file holds, stacked over
the 5 steps (row k is after step k + 1):
  "<name>.w", "<name>.b"           the parameters;
  "<name>.state.<i>.<key>"         the optimizer's state in its state_dict
                                   layout (parameter i: 0 is w, 1 is b;
                                   RMSprop's int "step" as a float);
and "<name>.initial.<i>.<key>", the state before the first step, which only
Adagrad has (its constructor makes it). The metadata "<name>" is JSON:
{"optimizer": "AdamW", "param_groups": PyTorch's
state_dict()["param_groups"] before the first step (every hyper-parameter
of every group, and "params", the indices of its parameters)}. Cases
"*_groups" have two groups with different options. Cases "scheduled_*"
step an LR scheduler after each optimizer step; their metadata adds
"scheduler": {"kind": "StepLR", "step_size": 2, "gamma": 0.5} or
{"kind": "CosineAnnealingLR", "T_max": 3, "eta_min": 0.001}.

The metadata "schedulers" is a JSON list of {"kind": "StepLR" or
"CosineAnnealingLR", its arguments, "base_lrs", and "lrs": get_last_lr()
after the constructor and after each scheduler.step()} for an SGD with two
groups; the numbers are Python floats (doubles, printed exactly).
"""
import json
import pathlib
import sys

import torch

# The writer of the conv goldens, imported without leaving a __pycache__ in
# the source tree.
sys.dont_write_bytecode = True
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/optim"
STEPS = 5

CASES = {
    "sgd_groups": (torch.optim.SGD,
                   [{"params": ["w"], "momentum": 0.9, "dampening": 0.1,
                     "weight_decay": 0.05},
                    {"params": ["b"], "lr": 0.05, "momentum": 0.8,
                     "nesterov": True}],
                   {"lr": 0.1}),
    "adam_groups": (torch.optim.Adam,
                    [{"params": ["w"], "amsgrad": True, "weight_decay": 0.1},
                     {"params": ["b"], "lr": 0.01, "betas": (0.8, 0.99)}],
                    {"lr": 0.05}),
    "adamw_default": (torch.optim.AdamW, [{"params": ["w", "b"]}], {}),
    "adamw_amsgrad": (torch.optim.AdamW, [{"params": ["w", "b"]}],
                      {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6,
                       "weight_decay": 0.1, "amsgrad": True}),
    "adamw_no_decay": (torch.optim.AdamW, [{"params": ["w", "b"]}],
                       {"lr": 0.1, "weight_decay": 0.0}),
    "adamw_groups": (torch.optim.AdamW,
                     [{"params": ["w"], "amsgrad": True, "lr": 0.02},
                      {"params": ["b"], "weight_decay": 0.5}],
                     {"lr": 0.1}),
    "rmsprop_default": (torch.optim.RMSprop, [{"params": ["w", "b"]}], {}),
    "rmsprop_centered": (torch.optim.RMSprop, [{"params": ["w", "b"]}],
                         {"lr": 0.02, "centered": True}),
    "rmsprop_momentum": (torch.optim.RMSprop, [{"params": ["w", "b"]}],
                         {"lr": 0.02, "momentum": 0.9, "alpha": 0.9}),
    "rmsprop_all": (torch.optim.RMSprop, [{"params": ["w", "b"]}],
                    {"lr": 0.01, "alpha": 0.95, "eps": 1e-6,
                     "weight_decay": 0.1, "momentum": 0.5, "centered": True}),
    "rmsprop_groups": (torch.optim.RMSprop,
                       [{"params": ["w"], "centered": True},
                        {"params": ["b"], "lr": 0.05, "momentum": 0.7}],
                       {"lr": 0.01}),
    "adagrad_default": (torch.optim.Adagrad, [{"params": ["w", "b"]}], {}),
    "adagrad_all": (torch.optim.Adagrad, [{"params": ["w", "b"]}],
                    {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1,
                     "initial_accumulator_value": 0.5, "eps": 1e-8}),
    "adagrad_groups": (torch.optim.Adagrad,
                       [{"params": ["w"], "lr_decay": 0.2},
                        {"params": ["b"], "lr": 0.3,
                         "initial_accumulator_value": 1.0}],
                       {"lr": 0.1}),
}

# Cases whose learning rates a scheduler sets, stepped after each step.
SCHEDULED = {
    "scheduled_sgd_steplr": (
        torch.optim.SGD, [{"params": ["w", "b"]}],
        {"lr": 0.1, "momentum": 0.9},
        {"kind": "StepLR", "step_size": 2, "gamma": 0.5}),
    "scheduled_adamw_cosine": (
        torch.optim.AdamW,
        [{"params": ["w"], "amsgrad": True}, {"params": ["b"], "lr": 0.02}],
        {"lr": 0.1}, {"kind": "CosineAnnealingLR", "T_max": 3,
                      "eta_min": 0.001}),
    "scheduled_rmsprop_steplr": (
        torch.optim.RMSprop, [{"params": ["w", "b"]}],
        {"lr": 0.02, "centered": True},
        {"kind": "StepLR", "step_size": 1, "gamma": 0.7}),
    "scheduled_adagrad_cosine": (
        torch.optim.Adagrad, [{"params": ["w", "b"]}],
        {"lr": 0.2, "lr_decay": 0.1},
        {"kind": "CosineAnnealingLR", "T_max": 2, "eta_min": 0.0}),
}


def make_scheduler(opt, config):
    if config["kind"] == "StepLR":
        return torch.optim.lr_scheduler.StepLR(opt, config["step_size"],
                                               config["gamma"])
    return torch.optim.lr_scheduler.CosineAnnealingLR(opt, config["T_max"],
                                                      config["eta_min"])


def optimizer_case(tensors, metadata, name, cls, groups, defaults, params,
                   grads, scheduler_config=None):
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    opt = cls([dict(g, params=[leaves[p] for p in g["params"]])
               for g in groups], **defaults)
    initial = opt.state_dict()
    config = {"optimizer": cls.__name__,
              "param_groups": initial["param_groups"]}
    scheduler = None
    if scheduler_config:
        config["scheduler"] = scheduler_config
        scheduler = make_scheduler(opt, scheduler_config)
    metadata[name] = json.dumps(config)
    for index, state in initial["state"].items():
        for key, value in state.items():
            tensors[f"{name}.initial.{index}.{key}"] = value.clone()
    history = {}
    for k in range(STEPS):
        for p, leaf in leaves.items():
            leaf.grad = grads[p][k].clone()
        opt.step()
        if scheduler:
            scheduler.step()
        record = {f"{name}.{p}": leaf.detach().clone()
                  for p, leaf in leaves.items()}
        for index, state in opt.state_dict()["state"].items():
            for key, value in state.items():
                record[f"{name}.state.{index}.{key}"] = torch.as_tensor(
                    value, dtype=torch.float32).clone()
        for key, value in record.items():
            history.setdefault(key, []).append(value)
    for key, values in history.items():
        tensors[key] = torch.stack(values)


def schedules():
    def run(make, epochs):
        w = torch.zeros(1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.03}],
                              lr=0.1)
        scheduler = make(opt)
        lrs = [scheduler.get_last_lr()]
        for _ in range(epochs):
            opt.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return {"base_lrs": scheduler.base_lrs, "lrs": lrs}

    cases = []
    for step_size, gamma in [(2, 0.5), (3, 0.1)]:
        cases.append(dict(kind="StepLR", step_size=step_size, gamma=gamma,
                          **run(lambda o: torch.optim.lr_scheduler.StepLR(
                              o, step_size, gamma), 9)))
    for t_max, eta_min in [(4, 0.001), (3, 0.0)]:
        cases.append(dict(kind="CosineAnnealingLR", T_max=t_max,
                          eta_min=eta_min,
                          **run(lambda o: torch.optim.lr_scheduler
                                .CosineAnnealingLR(o, t_max, eta_min),
                                4 * t_max + 1)))
    return json.dumps(cases)


def main():
    torch.manual_seed(0)
    params = {"w": torch.randn(2, 3), "b": torch.randn(3)}
    scales = torch.tensor([2.0, 1.5, 1.0, 0.6, 0.3])
    grads = {p: torch.randn(STEPS, *v.shape) *
             scales.reshape(-1, *([1] * v.dim())) for p, v in params.items()}
    tensors = {"param.w": params["w"], "param.b": params["b"],
               "grad.w": grads["w"], "grad.b": grads["b"]}
    metadata = {"schedulers": schedules()}
    for name, (cls, groups, defaults) in CASES.items():
        optimizer_case(tensors, metadata, name, cls, groups, defaults, params,
                       grads)
    for name, (cls, groups, defaults, scheduler) in SCHEDULED.items():
        optimizer_case(tensors, metadata, name, cls, groups, defaults, params,
                       grads, scheduler)
    path = OUT / "optim.safetensors"
    save_safetensors(tensors, path, metadata)
    print(f"{path.relative_to(OUT.parents[2])}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()

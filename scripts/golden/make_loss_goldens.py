#!/usr/bin/env python3
"""Writes test/golden/loss/loss.safetensors: inputs, targets, weights,
outputs and gradients of PyTorch's losses for every option combination
that test/unit/LossTest.cpp checks nnc's losses against (the tests need no
PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_loss_goldens.py

Each case "<name>" has tensors "<name>.input", "<name>.target" (float32,
or int64 class indices), optionally "<name>.weight" and
"<name>.pos_weight", the loss "<name>.out" and the gradients
"<name>.ginput" (and "<name>.gtarget" for float targets) of
sum(out^2) / 2, so the output's gradient is the output itself. The file's
__metadata__ maps each case to its loss and options as JSON; "grad": false
marks cases whose gradients are not PyTorch's derivative of its forward
(binary_cross_entropy at inputs of exactly 0 or 1) and are not stored.
"""
import json
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/loss"

def class_targets(shape, classes, ignore=None):
    """Class indices; with `ignore`, a few entries become that index."""
    target = torch.randint(0, classes, shape)
    if ignore is not None:
        flat = target.view(-1)
        flat[1] = ignore
        flat[-1] = ignore
    return target


def run(loss, input, target, config):
    """Calls F.<loss> with the config's options (and weights)."""
    kwargs = {"reduction": config["reduction"]}
    for key in ("ignore_index", "label_smoothing", "beta"):
        if key in config:
            kwargs[key] = config[key]
    for key in ("weight", "pos_weight"):
        if key in config:
            kwargs[key] = config[key]
    return getattr(F, loss)(input, target, **kwargs)


def add_case(tensors, metadata, name, loss, input, target, options,
             grad=True):
    for reduction in ("none", "mean", "sum"):
        case = f"{name}_{reduction}"
        x = input.clone().requires_grad_(grad)
        float_target = target.is_floating_point()
        t = target.clone().requires_grad_(grad and float_target)
        config = dict(options, reduction=reduction)
        out = run(loss, x, t, config)
        tensors[f"{case}.input"] = x
        tensors[f"{case}.target"] = t
        for key in ("weight", "pos_weight"):
            if key in options:
                tensors[f"{case}.{key}"] = options[key]
        tensors[f"{case}.out"] = out
        if grad:
            (out * out).sum().mul(0.5).backward()
            tensors[f"{case}.ginput"] = x.grad
            if float_target:
                tensors[f"{case}.gtarget"] = t.grad
        meta = {k: v for k, v in config.items()
                if k not in ("weight", "pos_weight")}
        meta["loss"] = loss
        if not grad:
            meta["grad"] = False
        metadata[case] = json.dumps(meta, separators=(",", ":"))


def main():
    torch.manual_seed(0)
    tensors, metadata = {}, {}
    n, c = 6, 5
    logits = torch.randn(n, c) * 2
    logits_k = torch.randn(3, c, 4) * 2  # [N, C, d1]
    logits_1d = torch.randn(c) * 2
    weight = torch.rand(c) + 0.5
    probs = torch.softmax(torch.randn(n, c), 1)
    probs_k = torch.softmax(torch.randn(3, c, 4), 1)

    # Cross entropy against class indices.
    ce = "cross_entropy"
    add_case(tensors, metadata, "ce", ce, logits, class_targets([n], c), {})
    add_case(tensors, metadata, "ce_weight", ce, logits,
             class_targets([n], c), {"weight": weight})
    add_case(tensors, metadata, "ce_ignore_default", ce, logits,
             class_targets([n], c, -100), {})
    add_case(tensors, metadata, "ce_ignore_0", ce, logits,
             class_targets([n], c), {"ignore_index": 0})
    add_case(tensors, metadata, "ce_smoothing", ce, logits,
             class_targets([n], c), {"label_smoothing": 0.1})
    add_case(tensors, metadata, "ce_smoothing_ignore", ce, logits,
             class_targets([n], c, 2), {"label_smoothing": 0.2,
                                        "ignore_index": 2})
    add_case(tensors, metadata, "ce_weight_ignore_smoothing", ce, logits,
             class_targets([n], c, -100),
             {"weight": weight, "label_smoothing": 0.15})
    add_case(tensors, metadata, "ce_kdim_weight_ignore", ce, logits_k,
             class_targets([3, 4], c, 1),
             {"weight": weight, "ignore_index": 1})
    add_case(tensors, metadata, "ce_kdim_smoothing", ce, logits_k,
             class_targets([3, 4], c), {"label_smoothing": 0.1})
    add_case(tensors, metadata, "ce_1d", ce, logits_1d,
             torch.tensor(3), {"weight": weight})
    # Cross entropy against class probabilities.
    add_case(tensors, metadata, "ce_probs", ce, logits, probs, {})
    add_case(tensors, metadata, "ce_probs_weight", ce, logits, probs,
             {"weight": weight})
    add_case(tensors, metadata, "ce_probs_smoothing", ce, logits, probs,
             {"label_smoothing": 0.1})
    add_case(tensors, metadata, "ce_probs_weight_smoothing", ce, logits,
             probs, {"weight": weight, "label_smoothing": 0.3})
    add_case(tensors, metadata, "ce_probs_kdim", ce, logits_k, probs_k,
             {"weight": weight})

    # NLL of log-probabilities.
    log_probs = torch.log_softmax(logits, 1)
    nll = "nll_loss"
    add_case(tensors, metadata, "nll", nll, log_probs, class_targets([n], c),
             {})
    add_case(tensors, metadata, "nll_weight", nll, log_probs,
             class_targets([n], c), {"weight": weight})
    add_case(tensors, metadata, "nll_ignore", nll, log_probs,
             class_targets([n], c, 4), {"ignore_index": 4})
    add_case(tensors, metadata, "nll_weight_ignore", nll, log_probs,
             class_targets([n], c, -100), {"weight": weight})
    add_case(tensors, metadata, "nll_kdim", nll,
             torch.log_softmax(logits_k, 1), class_targets([3, 4], c, -100),
             {"weight": weight})

    # Regression losses.
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    add_case(tensors, metadata, "mse", "mse_loss", x, y, {})
    add_case(tensors, metadata, "l1", "l1_loss", x, y, {})
    add_case(tensors, metadata, "smooth_l1", "smooth_l1_loss", x, y, {})
    add_case(tensors, metadata, "smooth_l1_beta05", "smooth_l1_loss", x, y,
             {"beta": 0.5})
    add_case(tensors, metadata, "smooth_l1_beta0", "smooth_l1_loss", x, y,
             {"beta": 0.0})

    # Binary cross entropy of probabilities, and of logits.
    p = torch.rand(4, 3) * 0.98 + 0.01
    labels = torch.randint(0, 2, (4, 3)).float()
    soft_labels = torch.rand(4, 3)
    bce = "binary_cross_entropy"
    add_case(tensors, metadata, "bce", bce, p, labels, {})
    add_case(tensors, metadata, "bce_soft_weight", bce, p, soft_labels,
             {"weight": torch.rand(3) + 0.5})
    saturated = torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 1e-30]])
    add_case(tensors, metadata, "bce_saturated", bce, saturated,
             torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]), {}, grad=False)
    z = torch.randn(4, 3) * 3
    z[0, 0], z[1, 1] = 60.0, -60.0  # exp would overflow without the shift
    bcel = "binary_cross_entropy_with_logits"
    add_case(tensors, metadata, "bce_logits", bcel, z, labels, {})
    add_case(tensors, metadata, "bce_logits_weight", bcel, z, soft_labels,
             {"weight": torch.rand(4, 1) + 0.5})
    add_case(tensors, metadata, "bce_logits_pos_weight", bcel, z, labels,
             {"pos_weight": torch.rand(3) * 3})
    add_case(tensors, metadata, "bce_logits_weight_pos_weight", bcel, z,
             soft_labels, {"weight": torch.rand(3) + 0.5,
                           "pos_weight": torch.rand(3) * 3})

    OUT.mkdir(parents=True, exist_ok=True)
    save_safetensors(tensors, OUT / "loss.safetensors", metadata)


if __name__ == "__main__":
    main()

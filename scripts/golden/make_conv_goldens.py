#!/usr/bin/env python3
"""Writes test/golden/conv/{conv,pool}.safetensors: inputs, parameters,
outputs and gradients of PyTorch's conv2d and 2-D pooling for the configs
that test/unit/ConvTest.cpp checks the eager ops against (the tests need no
PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_conv_goldens.py

Each case "<name>" has tensors "<name>.x" (input), "<name>.w" and
"<name>.b" (conv weight and bias, when present), "<name>.out" and the
gradients "<name>.gx", "<name>.gw", "<name>.gb" of loss = sum(out^2) / 2
(so the output's gradient is the output itself and need not be stored).
The file's __metadata__ maps each case to its arguments as JSON. Cases
"<name>" whose config has "block": true are SmallCNN blocks, conv -> relu
-> max_pool2d(2), at the SmallCNN's shapes with batch 1 (the whole batch
would make MBs of files). Everything is float32.
"""
import json
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/conv"


def record(tensors, metadata, name, config, inputs, out):
    """Stores inputs (role -> leaf tensor), out and the inputs' gradients
    of sum(out^2) / 2."""
    (out * out).sum().mul(0.5).backward()
    for role, t in inputs.items():
        tensors[f"{name}.{role}"] = t
        tensors[f"{name}.g{role}"] = t.grad
    tensors[f"{name}.out"] = out
    metadata[name] = json.dumps(config, separators=(",", ":"))


def leaf(*shape, ties=False):
    if ties:  # small integers: windows with equal maxima
        return torch.randint(0, 3, shape).float().requires_grad_()
    return torch.randn(*shape).requires_grad_()


def conv_cases():
    tensors, metadata = {}, {}
    # name: (x shape, O, kernel, stride, padding, dilation, groups, bias)
    cases = {
        "basic": ((2, 3, 7, 6), 4, (3, 3), (1, 1), (0, 0), (1, 1), 1, True),
        "stride2_pad1": ((2, 3, 9, 8), 5, (3, 3), (2, 2), (1, 1), (1, 1), 1,
                         True),
        "dilation2": ((1, 2, 9, 9), 3, (3, 3), (1, 1), (2, 2), (2, 2), 1,
                      True),
        "groups2": ((2, 4, 6, 5), 6, (3, 3), (1, 1), (1, 1), (1, 1), 2, True),
        "depthwise": ((2, 4, 6, 7), 4, (3, 3), (1, 1), (1, 1), (1, 1), 4,
                      True),
        "nobias_rect": ((2, 3, 7, 5), 2, (2, 3), (1, 2), (1, 0), (1, 1), 1,
                        False),
        "mixed": ((1, 4, 11, 10), 4, (3, 2), (2, 3), (2, 1), (2, 1), 2, True),
        "pointwise": ((2, 5, 4, 3), 3, (1, 1), (1, 1), (0, 0), (1, 1), 1,
                      True),
    }
    for name, (shape, o, k, s, p, d, g, bias) in cases.items():
        x = leaf(*shape)
        w = (torch.randn(o, shape[1] // g, *k) * 0.3).requires_grad_()
        inputs = {"x": x, "w": w}
        b = None
        if bias:
            b = torch.randn(o).requires_grad_()
            inputs["b"] = b
        out = F.conv2d(x, w, b, stride=s, padding=p, dilation=d, groups=g)
        config = {"stride": s, "padding": p, "dilation": d, "groups": g}
        record(tensors, metadata, name, config, inputs, out)
    # The SmallCNN's two blocks, batch 1, PyTorch's default initialization.
    for name, (cin, cout, size) in {"smallcnn_block1": (1, 16, 28),
                                    "smallcnn_block2": (16, 32, 14)}.items():
        conv = torch.nn.Conv2d(cin, cout, 3, padding=1)
        x = torch.rand(1, cin, size, size).requires_grad_()
        w = conv.weight.detach().clone().requires_grad_()
        b = conv.bias.detach().clone().requires_grad_()
        out = F.max_pool2d(F.relu(F.conv2d(x, w, b, padding=1)), 2)
        config = {"stride": [1, 1], "padding": [1, 1], "dilation": [1, 1],
                  "groups": 1, "block": True}
        record(tensors, metadata, name, config, {"x": x, "w": w, "b": b}, out)
    save_safetensors(tensors, OUT / "conv.safetensors", metadata)


def pool_cases():
    tensors, metadata = {}, {}
    # name: (op, x shape, config, ties)
    cases = {
        "max_k2": ("max", (2, 3, 6, 7), {"kernel": [2, 2]}, False),
        "max_k3s2p1": ("max", (2, 2, 9, 8),
                       {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]},
                       False),
        "max_ceil": ("max", (1, 2, 8, 8),
                     {"kernel": [3, 3], "stride": [2, 2], "ceil_mode": True},
                     False),
        "max_dilation2": ("max", (1, 2, 7, 7),
                          {"kernel": [2, 3], "stride": [1, 2],
                           "dilation": [2, 2], "padding": [1, 1]}, False),
        "max_ties": ("max", (1, 2, 6, 6),
                     {"kernel": [3, 3], "stride": [1, 1]}, True),
        "avg_k2": ("avg", (2, 3, 6, 7), {"kernel": [2, 2]}, False),
        "avg_pad_include": ("avg", (2, 2, 9, 8),
                            {"kernel": [3, 3], "stride": [2, 2],
                             "padding": [1, 1]}, False),
        "avg_pad_exclude": ("avg", (2, 2, 9, 8),
                            {"kernel": [3, 3], "stride": [2, 2],
                             "padding": [1, 1], "count_include_pad": False},
                            False),
        "avg_ceil_exclude": ("avg", (1, 2, 8, 8),
                             {"kernel": [3, 2], "stride": [2, 2],
                              "padding": [1, 1], "ceil_mode": True,
                              "count_include_pad": False}, False),
        "avg_ceil_include": ("avg", (1, 2, 8, 8),
                             {"kernel": [3, 3], "stride": [2, 2],
                              "padding": [1, 1], "ceil_mode": True}, False),
        "adaptive_1x1": ("adaptive", (2, 3, 5, 7), {"output_size": [1, 1]},
                         False),
        "adaptive_3x4": ("adaptive", (1, 2, 7, 9), {"output_size": [3, 4]},
                         False),
        "adaptive_up": ("adaptive", (1, 2, 3, 2), {"output_size": [4, 3]},
                        False),
    }
    for name, (op, shape, config, ties) in cases.items():
        x = leaf(*shape, ties=ties)
        config = dict(config, op=op)
        if op == "max":
            out = F.max_pool2d(x, config["kernel"], config.get("stride"),
                               config.get("padding", 0),
                               config.get("dilation", 1),
                               config.get("ceil_mode", False))
        elif op == "avg":
            out = F.avg_pool2d(x, config["kernel"], config.get("stride"),
                               config.get("padding", 0),
                               config.get("ceil_mode", False),
                               config.get("count_include_pad", True))
        else:
            out = F.adaptive_avg_pool2d(x, config["output_size"])
        record(tensors, metadata, name, config, {"x": x}, out)
    save_safetensors(tensors, OUT / "pool.safetensors", metadata)


def main():
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    conv_cases()
    pool_cases()


if __name__ == "__main__":
    main()

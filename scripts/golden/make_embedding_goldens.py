#!/usr/bin/env python3
"""Writes test/golden/layers/embedding_options.safetensors: PyTorch's
Embedding with max_norm (and norm_type), scale_grad_by_freq and
padding_idx, for test/unit/LayersTest.cpp (the tests need no PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_embedding_goldens.py

Each case "<name>" has tensors "<name>.x" (int64 indices, with repeats),
"<name>.w" (the weight before the forward), "<name>.gout" (the output's
gradient: the loss is sum(out * gout)), "<name>.out", "<name>.new_w" (the
weight after the forward: max_norm renormalizes it in place) and
"<name>.gw" (the weight's gradient). The file's __metadata__ maps each
case to its options as JSON; norm_type infinity is the string "inf".
"""
import json
import math
import pathlib
import sys

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/layers"

# name: (num_embeddings, embedding_dim, options, index)
CASES = {
    "max_norm": (10, 4, {"max_norm": 1.5},
                 [[1, 3, 1], [7, 0, 3]]),
    "max_norm_p1": (8, 3, {"max_norm": 2.0, "norm_type": 1.0},
                    [2, 5, 5, 6, 1]),
    "max_norm_p3": (8, 3, {"max_norm": 1.2, "norm_type": 3.0},
                    [4, 0, 4, 7]),
    "max_norm_inf": (8, 3, {"max_norm": 0.8, "norm_type": math.inf},
                     [[3, 3], [6, 2]]),
    "scale_grad": (9, 4, {"scale_grad_by_freq": True},
                   [[1, 4, 1, 1], [4, 8, 0, 1]]),
    "all_options": (9, 3, {"max_norm": 1.0, "scale_grad_by_freq": True,
                           "padding_idx": 2},
                    [[2, 5, 5], [2, 7, 5]]),
}


def main():
    torch.manual_seed(0)
    tensors, metadata = {}, {}
    for name, (num, dim, options, index) in CASES.items():
        module = torch.nn.Embedding(num, dim, **options)
        with torch.no_grad():  # norms on both sides of max_norm
            module.weight.mul_(torch.rand(num, 1) * 2 + 0.2)
        x = torch.tensor(index, dtype=torch.int64)
        tensors[f"{name}.w"] = module.weight.detach().clone()
        out = module(x)
        gout = torch.randn_like(out)
        (out * gout).sum().backward()
        tensors[f"{name}.x"] = x
        tensors[f"{name}.gout"] = gout
        tensors[f"{name}.out"] = out
        tensors[f"{name}.new_w"] = module.weight
        tensors[f"{name}.gw"] = module.weight.grad
        config = {"num_embeddings": num, "embedding_dim": dim,
                  "padding_idx": None, "max_norm": None, "norm_type": 2.0,
                  "scale_grad_by_freq": False}
        config.update(options)
        if math.isinf(config["norm_type"]):
            config["norm_type"] = "inf"
        metadata[name] = json.dumps(config, separators=(",", ":"))
    save_safetensors(tensors, OUT / "embedding_options.safetensors", metadata)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes test/golden/layers/layers.safetensors: inputs, parameters, outputs
and gradients of PyTorch's LayerNorm, BatchNorm1d/2d, Embedding, LeakyReLU
and GELU, in train and eval mode, for test/unit/LayersTest.cpp (the tests
need no PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_layer_goldens.py

Each case "<name>" has tensors "<name>.x" (input), "<name>.gout" (the
output's gradient: the loss is sum(out * gout), so layers whose output has
a fixed norm still get meaningful gradients), "<name>.out", "<name>.gx"
(for float inputs) and, for parameters "w" and "b", "<name>.w", "<name>.b",
"<name>.gw", "<name>.gb". BatchNorm cases also store the running stats
before ("<name>.running_mean", "<name>.running_var") and after
("<name>.new_running_mean", "<name>.new_running_var",
"<name>.new_num_batches_tracked") the forward. Case "step" is a whole
training step of a model of these layers (see train_step_case). The file's
__metadata__ maps each case to its options as JSON. Float tensors are
float32, indices and step counts int64.
"""
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/layers"

def run_case(tensors, metadata, name, config, module, x):
    """Runs `module` on `x` (whose gradient is recorded when it is float),
    backward of sum(out * gout), and stores everything the test compares."""
    params = dict(module.named_parameters())
    # Non-default affine parameters, so their gradients are not symmetric.
    with torch.no_grad():
        if "weight" in params and not isinstance(module,
                                                 torch.nn.Embedding):
            params["weight"].copy_(torch.rand_like(params["weight"]) + 0.5)
        if "bias" in params:
            params["bias"].copy_(torch.randn_like(params["bias"]))
    buffers = dict(module.named_buffers())
    for key in ("running_mean", "running_var"):
        if key in buffers:
            tensors[f"{name}.{key}"] = buffers[key].clone()
    if x.is_floating_point():
        x.requires_grad_()
    out = module(x)
    gout = torch.randn_like(out)
    (out * gout).sum().backward()
    tensors[f"{name}.x"] = x
    tensors[f"{name}.gout"] = gout
    tensors[f"{name}.out"] = out
    if x.is_floating_point():
        tensors[f"{name}.gx"] = x.grad
    for key, role in (("weight", "w"), ("bias", "b")):
        if key in params:
            tensors[f"{name}.{role}"] = params[key]
            tensors[f"{name}.g{role}"] = params[key].grad
    for key in ("running_mean", "running_var", "num_batches_tracked"):
        if key in buffers and buffers[key] is not None:
            tensors[f"{name}.new_{key}"] = buffers[key]
    metadata[name] = json.dumps(config, separators=(",", ":"))


def layer_norm_cases(tensors, metadata):
    for name, (shape, normalized, affine, eps) in {
        "layer_norm_last": ((4, 3, 5), [5], True, 1e-5),
        "layer_norm_last2": ((2, 3, 4), [3, 4], True, 1e-5),
        "layer_norm_noaffine": ((3, 6), [6], False, 1e-3),
    }.items():
        module = torch.nn.LayerNorm(normalized, eps=eps,
                                    elementwise_affine=affine)
        config = {"op": "layer_norm", "normalized_shape": normalized,
                  "eps": eps, "elementwise_affine": affine}
        run_case(tensors, metadata, name, config, module,
                 torch.randn(*shape) * 2 + 1)


def batch_norm_cases(tensors, metadata):
    # name: (dims, x shape, train, affine, track_running_stats, momentum)
    for name, (dims, shape, train, affine, track, momentum) in {
        "bn1d_train": (1, (6, 4), True, True, True, 0.1),
        "bn1d_train_3d": (1, (4, 3, 5), True, True, True, 0.3),
        "bn1d_eval": (1, (6, 4), False, True, True, 0.1),
        "bn1d_cumulative": (1, (5, 3), True, True, True, None),
        "bn2d_train": (2, (3, 4, 5, 5), True, True, True, 0.1),
        "bn2d_eval": (2, (3, 4, 5, 5), False, True, True, 0.1),
        "bn2d_noaffine": (2, (2, 3, 4, 4), True, False, True, 0.1),
        "bn2d_nostats_eval": (2, (2, 3, 4, 4), False, True, False, 0.1),
    }.items():
        cls = torch.nn.BatchNorm1d if dims == 1 else torch.nn.BatchNorm2d
        module = cls(shape[1], momentum=momentum, affine=affine,
                     track_running_stats=track)
        if track:
            with torch.no_grad():  # stats as if some batches were seen
                module.running_mean.copy_(torch.randn(shape[1]))
                module.running_var.copy_(torch.rand(shape[1]) + 0.5)
                module.num_batches_tracked.fill_(3)
        module.train(train)
        config = {"op": f"batch_norm{dims}d", "num_features": shape[1],
                  "momentum": momentum, "affine": affine,
                  "track_running_stats": track, "train": train,
                  "num_batches_tracked": 3}
        run_case(tensors, metadata, name, config, module,
                 torch.randn(*shape) * 1.5 + 0.5)


def embedding_cases(tensors, metadata):
    for name, (num, dim, padding_idx, index_shape) in {
        "embedding": (10, 4, None, (2, 3)),
        "embedding_padding": (7, 3, 2, (5,)),
    }.items():
        module = torch.nn.Embedding(num, dim, padding_idx=padding_idx)
        # Repeated indices (their gradients add up) and the padding row.
        index = torch.randint(0, num, index_shape)
        index.view(-1)[0] = index.view(-1)[-1]
        if padding_idx is not None:
            index.view(-1)[1] = padding_idx
        config = {"op": "embedding", "num_embeddings": num,
                  "embedding_dim": dim, "padding_idx": padding_idx}
        run_case(tensors, metadata, name, config, module, index)


def activation_cases(tensors, metadata):
    x = torch.linspace(-6, 6, 25).reshape(5, 5)
    for name, (module, config) in {
        "leaky_relu": (torch.nn.LeakyReLU(), {"op": "leaky_relu",
                                              "negative_slope": 0.01}),
        "leaky_relu_02": (torch.nn.LeakyReLU(0.2),
                          {"op": "leaky_relu", "negative_slope": 0.2}),
        "gelu": (torch.nn.GELU(), {"op": "gelu", "approximate": "none"}),
        "gelu_tanh": (torch.nn.GELU(approximate="tanh"),
                      {"op": "gelu", "approximate": "tanh"}),
    }.items():
        run_case(tensors, metadata, name, config, module,
                 torch.cat([x.flatten(), torch.randn(15) * 3]).reshape(4, 10))


def train_step_case(tensors, metadata):
    """Three SGD steps (lr 0.05, momentum 0.9) with MSE loss of a model
    made of these layers: "step.init.<key>" and "step.final.<key>" hold its
    state_dict before and after (running statistics included), "step.x<i>",
    "step.y<i>" and "step.loss<i>" each step's batch and loss."""
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.GELU(),
        torch.nn.Linear(6, 5), torch.nn.LayerNorm(5),
        torch.nn.LeakyReLU(0.1))
    with torch.no_grad():  # affine parameters away from ones and zeros
        for layer in (model[1], model[4]):
            layer.weight.copy_(torch.rand_like(layer.weight) + 0.5)
            layer.bias.copy_(torch.randn_like(layer.bias))
    for key, t in model.state_dict().items():
        tensors[f"step.init.{key}"] = t.clone()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    steps = 3
    for i in range(steps):
        x, y = torch.randn(8, 4) * 2 + 1, torch.randn(8, 5)
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        tensors[f"step.x{i}"], tensors[f"step.y{i}"] = x, y
        tensors[f"step.loss{i}"] = loss
    for key, t in model.state_dict().items():
        tensors[f"step.final.{key}"] = t.clone()
    metadata["step"] = json.dumps({"op": "train_step", "steps": steps})


def main():
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    tensors, metadata = {}, {}
    layer_norm_cases(tensors, metadata)
    batch_norm_cases(tensors, metadata)
    embedding_cases(tensors, metadata)
    activation_cases(tensors, metadata)
    train_step_case(tensors, metadata)
    save_safetensors(tensors, OUT / "layers.safetensors", metadata)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes test/golden/serialize/: safetensors files made by PyTorch that
SerializeTest reads back (the tests need no PyTorch).

Run with an interpreter that has Debian's torch and the safetensors package
(Debian 12 has no python3-safetensors; it is a peer tool, never a build or
test dependency):

  /usr/bin/python3 -m venv --system-site-packages /opt/nnc-peers
  /opt/nnc-peers/bin/pip install safetensors
  /opt/nnc-peers/bin/python scripts/golden/make_serialize_goldens.py

Files:
  mixed.safetensors   F32/I64 tensors of several shapes (0-d, empty, names
                      out of order) and metadata; nnc must load it and write
                      the same bytes back.
  dtypes.safetensors  one tensor of each dtype nnc has (F32, F64, F16, BF16,
                      I64, I32, U8, BOOL), values [0, 1, -2.5, 3] as each
                      dtype holds them.
  mlp.safetensors     state_dict of Sequential(Linear(4, 3), ReLU,
                      Linear(3, 2)) after torch.manual_seed(0);
                      mlp_expected.json has its values as JSON numbers, so
                      the test checks the loader against an independent
                      reading.
  adam_data.safetensors  inputs "x", "y" and the parameters after two Adam
                      steps ("step2.<name>") and after a third ("step3.<name>").
  adam_step2.safetensors the Adam state_dict after two steps, flattened as
                      nnc writes it: tensors "state.<index>.<name>" and
                      metadata "param_groups" (PyTorch's JSON of the groups).
"""
import json
import pathlib

import torch
from safetensors.torch import save_file

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/serialize"


def mixed():
    tensors = {
        "b.matrix": (torch.arange(6, dtype=torch.float32) * 0.5 - 1).reshape(2, 3),
        "a.labels": torch.tensor([-3, 0, 2**40], dtype=torch.int64),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 4),
        "A.upper": torch.tensor([7], dtype=torch.int64),
    }
    # One metadata key: safetensors writes the metadata map in hash order,
    # which differs from run to run with several keys.
    save_file(tensors, OUT / "mixed.safetensors",
              metadata={"note": "nnc golden"})


def dtypes():
    values = [0.0, 1.0, -2.5, 3.0]
    tensors = {
        "f32": torch.tensor(values, dtype=torch.float32),
        "f64": torch.tensor(values, dtype=torch.float64),
        "f16": torch.tensor(values, dtype=torch.float16),
        "bf16": torch.tensor(values, dtype=torch.bfloat16),
        "i64": torch.tensor([0, 1, -2, 3], dtype=torch.int64),
        "i32": torch.tensor([0, 1, -2, 3], dtype=torch.int32),
        "u8": torch.tensor([0, 1, 254, 3], dtype=torch.uint8),
        "bool": torch.tensor([False, True, True, False]),
    }
    save_file(tensors, OUT / "dtypes.safetensors")


def flatten_optimizer(state_dict):
    """Tensors "state.<index>.<name>" and the param_groups as JSON text."""
    tensors = {}
    for index, state in state_dict["state"].items():
        for name, value in state.items():
            tensors[f"state.{index}.{name}"] = value.contiguous()
    return tensors, {"param_groups": json.dumps(state_dict["param_groups"])}


def mlp_and_adam():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                torch.nn.Linear(3, 2))
    save_file(model.state_dict(), OUT / "mlp.safetensors",
              metadata={"format": "pt"})
    expected = {name: {"shape": list(t.shape), "values": t.flatten().tolist()}
                for name, t in model.state_dict().items()}
    (OUT / "mlp_expected.json").write_text(json.dumps(expected, indent=1) + "\n")

    x, y = torch.randn(5, 4), torch.randn(5, 2)
    adam = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99),
                            eps=1e-6, weight_decay=0.01)

    def step():
        adam.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        adam.step()

    data = {"x": x, "y": y}
    step()
    step()
    data.update({f"step2.{k}": v.clone() for k, v in model.state_dict().items()})
    tensors, metadata = flatten_optimizer(adam.state_dict())
    save_file(tensors, OUT / "adam_step2.safetensors", metadata=metadata)
    step()
    data.update({f"step3.{k}": v.clone() for k, v in model.state_dict().items()})
    save_file(data, OUT / "adam_data.safetensors")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    mixed()
    dtypes()
    mlp_and_adam()
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parents[2])}: {path.stat().st_size} bytes")

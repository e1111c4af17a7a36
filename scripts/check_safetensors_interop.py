#!/usr/bin/env python3
"""Checks that PyTorch reads the safetensors files nnc writes.

Runs the SafetensorsInterop test of build/test/unit/SerializeTests, which writes
its files into a temporary directory, then reads them with
safetensors.torch and compares:
  - nnc_tensors.safetensors: dtypes, shapes and values of tensors of
    every dtype nnc has (one written from a transposed view), and the
    metadata;
  - nnc_mlp.safetensors: nnc::save of Sequential(Linear(4, 3), ReLU,
    Linear(3, 2)) loads into the same torch module with strict=True and
    gives nnc's output for the same input;
  - nnc_adam_step2.safetensors: nnc::save of Adam after two steps, turned
    back into a torch state_dict and loaded into torch.optim.Adam; one more
    torch step must give nnc's third-step parameters.

Needs torch and the safetensors package (a peer tool, see
scripts/golden/make_serialize_goldens.py):
  /opt/nnc-peers/bin/python scripts/check_safetensors_interop.py [build dir]
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import load_file

ROOT = pathlib.Path(__file__).resolve().parents[1]


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    return bool(condition)


def unflatten_optimizer(path):
    """PyTorch's optimizer state_dict from nnc's flattened file."""
    with safe_open(path, framework="pt") as f:
        groups = json.loads(f.metadata()["param_groups"])
        state = {}
        for key in f.keys():
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = f.get_tensor(key)
    return {"state": state, "param_groups": groups}


def main():
    build = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build"
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp)
        subprocess.run([str(build / "test/unit/SerializeTests"),
                        "--gtest_filter=SafetensorsInterop.*"],
                       env={**os.environ, "NNC_INTEROP_DIR": tmp},
                       check=True, stdout=subprocess.DEVNULL)

        tensors = load_file(out / "nnc_tensors.safetensors")
        with safe_open(out / "nnc_tensors.safetensors", framework="pt") as f:
            ok &= check(f.metadata() == {"writer": "nnc"}, "metadata")
        ok &= check(torch.equal(tensors["matrix"], torch.tensor(
            [[-0.5, 0.25], [-0.25, 0.5], [0.0, 0.75]])), "F32 transposed view")
        ok &= check(tensors["labels"].dtype == torch.int64 and torch.equal(
            tensors["labels"], torch.tensor([-3, 0, 2**40])), "I64 values")
        ok &= check(tensors["scalar"].shape == () and
                    tensors["scalar"].item() == 2.5, "0-d tensor")
        ok &= check(tensors["empty"].shape == (0, 4), "empty tensor")
        values = torch.tensor([0, 1, -2.5, 3])
        for name, dtype in [("F64", torch.float64), ("F16", torch.float16),
                            ("BF16", torch.bfloat16), ("I32", torch.int32),
                            ("U8", torch.uint8), ("BOOL", torch.bool)]:
            t = tensors["values_" + name]
            expected = (values.abs() if name in ("U8", "BOOL") else values)
            ok &= check(t.dtype == dtype and torch.equal(t, expected.to(dtype)),
                        f"{name} values")

        io = load_file(out / "nnc_io.safetensors")
        model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                    torch.nn.Linear(3, 2))
        model.load_state_dict(load_file(out / "nnc_mlp.safetensors"),
                              strict=True)
        with torch.no_grad():
            ok &= check(torch.allclose(model(io["x"]), io["out"], rtol=1.3e-6,
                                       atol=1e-5),
                        "nnc module weights give nnc's output in torch")

        model.load_state_dict({k[len("step2."):]: v for k, v in io.items()
                               if k.startswith("step2.")})
        adam = torch.optim.Adam(model.parameters(), lr=1.0)
        adam.load_state_dict(
            unflatten_optimizer(out / "nnc_adam_step2.safetensors"))
        ok &= check(adam.param_groups[0]["lr"] == 0.01 and
                    adam.param_groups[0]["betas"] == [0.9, 0.99],
                    "Adam hyper-parameters")
        adam.zero_grad()
        ((model(io["x"]) - io["y"]) ** 2).mean().backward()
        adam.step()
        for name, value in model.state_dict().items():
            ok &= check(torch.allclose(value, io["step3." + name], rtol=1e-5,
                                       atol=1e-6),
                        f"torch step from nnc's Adam state: {name}")
    print("all ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

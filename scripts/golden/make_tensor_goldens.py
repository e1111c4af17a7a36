#!/usr/bin/env python3
"""Writes test/golden/tensor/ops.safetensors: inputs and PyTorch's results
of the eager tensor ops (dtypes, promotion, indexing, joining, reductions,
matmul) and PyTorch's printed text of some tensors, which
TensorGoldenTest.cpp reads back (the tests need no PyTorch).

Run with Debian's interpreter (torch 1.13 from python3-torch):

  /usr/bin/python3 scripts/golden/make_tensor_goldens.py

Tensors are named "<case>.<role>": inputs "a", "b", "c" and outputs "out",
"out1" (max/min's indices). A case "print.<name>" holds the tensor "a" and
its str() in PyTorch as UTF-8 bytes ("text", U8). The safetensors file is
written here (8-byte little-endian header length, JSON header, raw
little-endian data), so no safetensors package is needed.
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/tensor"

def main():
    torch.manual_seed(0)
    g = {}

    def case(name, inputs, outputs):
        for role, t in zip("abc", inputs):
            g[f"{name}.{role}"] = t
        if not isinstance(outputs, (tuple, list)):
            outputs = [outputs]
        for i, t in enumerate(outputs):
            g[f"{name}.out{i if i else ''}"] = t

    x = torch.randn(3, 4)
    y = torch.randn(3, 4)
    xd = torch.randn(3, 4, dtype=torch.float64)
    pos = torch.rand(3, 4) + 0.5
    ints = torch.randint(-5, 6, (3, 4))
    small = torch.randint(0, 4, (3, 4), dtype=torch.int32)
    mask = torch.rand(3, 4) > 0.5

    # Promotion and mixed-dtype arithmetic.
    case("add_int32_double0d", [small, torch.tensor(1.5, dtype=torch.float64)],
         small + torch.tensor(1.5, dtype=torch.float64))
    case("div_long", [ints, ints.abs() + 1], ints / (ints.abs() + 1))
    case("add_byte_int", [small.to(torch.uint8), small], small.to(torch.uint8) + small)
    case("mul_half_float", [x.half(), y], x.half() * y)
    case("sub_bf16", [x.bfloat16(), y.bfloat16()], x.bfloat16() - y.bfloat16())
    case("add_bool_long", [mask, ints], mask + ints)
    case("lt_long_float", [ints, x], ints < x)
    case("eq_int", [small, small.flip(0)], small == small.flip(0))
    case("where", [mask, x, ints], torch.where(mask, x, ints))
    case("clamp_float", [x], x.clamp(-0.5, 0.7))
    case("clamp_long", [ints], ints.clamp(-2, 3))
    case("abs_long", [ints], ints.abs())
    case("sign_float", [torch.cat([x.flatten(), torch.zeros(2)])],
         torch.cat([x.flatten(), torch.zeros(2)]).sign())
    case("pow_tensor", [pos, y], pos.pow(y))
    case("pow_long", [ints], ints.pow(3))
    # Math in each floating dtype (16-bit floats compute in float; PyTorch
    # 1.13 has no CPU exp for Half).
    case("add_half", [x.half(), y.half()], x.half() + y.half())
    case("exp_bf16", [x.bfloat16()], x.bfloat16().exp())
    case("sigmoid_double", [xd], xd.sigmoid())
    case("log_double", [xd.abs() + 0.1], (xd.abs() + 0.1).log())
    case("tanh_float", [x], x.tanh())
    case("softmax_double", [xd], xd.softmax(1))
    case("log_softmax_float", [x], x.log_softmax(0))
    case("to_half", [x * 100], (x * 100).half())
    case("to_bf16", [x * 100], (x * 100).bfloat16())
    case("to_int", [x * 100], (x * 100).int())
    case("to_byte", [(x.abs() * 50)], (x.abs() * 50).to(torch.uint8))
    case("to_bool", [x.round()], x.round().bool())
    # Reductions.
    case("sum_half_dim", [x.half()], x.half().sum(1))
    case("mean_bf16", [x.bfloat16()], x.bfloat16().mean())
    case("sum_int", [small], small.sum())
    case("prod_double_dim", [xd], xd.prod(0))
    case("prod_long", [ints[0]], ints[0].prod())
    case("var_float_dim", [x], x.var(1))
    case("std_double", [xd], xd.std())
    case("logsumexp_float", [x], x.logsumexp(1))
    case("max_dim", [x], list(x.max(1)))
    case("min_long_keepdim", [ints], list(ints.min(0, keepdim=True)))
    case("argmax_double", [xd], xd.argmax())
    case("argmin_dim", [x], x.argmin(0))
    case("any_dim", [mask], mask.any(1))
    case("all_dim", [mask], mask.all(0))
    case("amin_dim", [xd], xd.amin(1))
    # Indexing and joining.
    idx = torch.tensor([2, 0, 2])
    case("index_select", [x, idx], x.index_select(1, idx))
    case("index_tensor", [x, torch.tensor([[1, 0], [2, 2]])],
         x[torch.tensor([[1, 0], [2, 2]])])
    gidx = torch.randint(0, 4, (3, 2))
    case("gather", [x, gidx], x.gather(1, gidx))
    sidx = torch.randint(0, 3, (2, 4))
    case("scatter_add", [xd, sidx, xd[:2]], xd.scatter_add(0, sidx, xd[:2]))
    case("masked_select", [x, mask], x.masked_select(mask))
    case("masked_fill", [ints, mask], ints.masked_fill(mask, 7))
    case("cat_mixed", [x, ints, small], torch.cat([x, ints, small], 1))
    case("stack", [xd, xd * 2], torch.stack([xd, xd * 2], 1))
    # Matmul's rank cases in double, bmm in float.
    v = torch.randn(4, dtype=torch.float64)
    m = torch.randn(4, 3, dtype=torch.float64)
    b = torch.randn(2, 3, 4, dtype=torch.float64)
    case("matmul_vector_matrix", [v, m], v.matmul(m))
    case("matmul_batched_broadcast", [b, m], b.matmul(m))
    case("matmul_matrix_vector", [b[0], v], b[0].matmul(v))
    case("bmm", [b.float(), b.float().transpose(1, 2)],
         b.float().bmm(b.float().transpose(1, 2)))
    # Creation.
    case("linspace", [], torch.linspace(-1, 2, 7))
    case("arange_float", [], torch.arange(0.5, 3, 0.4))

    # Printing.
    def printed(name, t):
        g[f"print.{name}.a"] = t
        g[f"print.{name}.text"] = torch.tensor(list(str(t).encode()),
                                               dtype=torch.uint8)

    printed("float", x)
    printed("double_wide", torch.tensor([1e-6, 1.0, 12345.678], dtype=torch.float64))
    printed("half", x.half())
    printed("bf16", x.bfloat16() * 1000)
    printed("int", small)
    printed("long_wrap", torch.arange(40) * 1000)
    printed("byte", small.to(torch.uint8))
    printed("bool", mask)
    printed("summarized", torch.arange(2000.0).reshape(40, 50) / 7)

    OUT.mkdir(parents=True, exist_ok=True)
    save_safetensors(g, OUT / "ops.safetensors")


if __name__ == "__main__":
    main()

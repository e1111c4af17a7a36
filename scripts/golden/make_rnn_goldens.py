#!/usr/bin/env python3
"""Writes test/golden/rnn/rnn.safetensors: PyTorch 1.13's RNN, LSTM and GRU
for the configs test/unit/RNNTest.cpp checks nnc against (the test needs no
PyTorch).

Run with Debian's interpreter:  /usr/bin/python3 scripts/golden/make_rnn_goldens.py

Each case "<name>" stores its parameters under their PyTorch names
("<name>.weight_ih_l0", ...), the input "<name>.x", the initial states
"<name>.h0" (and "<name>.c0"), the output "<name>.out", the final states
"<name>.hn" (and "<name>.cn"), and the gradients of
loss = sum(out * probe) + sum(hn) of the input ("<name>.gx") and of every
parameter ("<name>.g.<param>"); "<name>.probe" is stored too. The metadata
maps each case to its options as JSON. Everything is float32.
"""
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "test/golden/rnn"

# name: (kind, options); input is [seq 4, batch 3, features 5] (or as
# batch_first says), hidden 6.
CASES = {
    "rnn_tanh": ("RNN", dict(num_layers=1)),
    "rnn_relu_2layers": ("RNN", dict(num_layers=2, nonlinearity="relu")),
    "lstm": ("LSTM", dict(num_layers=1)),
    "lstm_2layers_bidirectional": ("LSTM", dict(num_layers=2, bidirectional=True)),
    "gru_batch_first": ("GRU", dict(num_layers=1, batch_first=True)),
    "gru_bidirectional_no_bias": ("GRU", dict(num_layers=2, bidirectional=True, bias=False)),
}


def main():
    torch.manual_seed(0)
    tensors, metadata = {}, {}
    seq, batch, features, hidden = 4, 3, 5, 6
    for name, (kind, options) in CASES.items():
        module = getattr(torch.nn, kind)(features, hidden, **options)
        dirs = 2 if options.get("bidirectional") else 1
        layers = options.get("num_layers", 1)
        shape = (batch, seq, features) if options.get("batch_first") else (seq, batch, features)
        x = torch.randn(*shape, requires_grad=True)
        h0 = torch.randn(layers * dirs, batch, hidden)
        if kind == "LSTM":
            c0 = torch.randn(layers * dirs, batch, hidden)
            out, (hn, cn) = module(x, (h0, c0))
            tensors[f"{name}.c0"], tensors[f"{name}.cn"] = c0, cn
        else:
            out, hn = module(x, h0)
        probe = torch.randn_like(out)
        ((out * probe).sum() + hn.sum()).backward()
        tensors.update({f"{name}.x": x, f"{name}.h0": h0, f"{name}.out": out,
                        f"{name}.hn": hn, f"{name}.probe": probe,
                        f"{name}.gx": x.grad})
        for pname, p in module.named_parameters():
            tensors[f"{name}.{pname}"] = p
            tensors[f"{name}.g.{pname}"] = p.grad
        metadata[name] = json.dumps({"kind": kind, **options}, separators=(",", ":"))
    OUT.mkdir(parents=True, exist_ok=True)
    save_safetensors(tensors, OUT / "rnn.safetensors", metadata)
    print("wrote", OUT / "rnn.safetensors")


if __name__ == "__main__":
    main()

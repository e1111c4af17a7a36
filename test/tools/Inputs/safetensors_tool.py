"""Writes and reads the small safetensors files of the `nnc run` lit tests.

  safetensors_tool.py write FILE name=d0xd1:v,v,... [name=...]   (float32)
  safetensors_tool.py dump FILE        prints each tensor: name shape values

A few lines of the format (8-byte little-endian header size, JSON header,
raw little-endian data), so the tests need no Python packages.
"""
import json
import struct
import sys


def write(path, specs):
    header, data = {}, b""
    for spec in specs:
        name, rest = spec.split("=", 1)
        dims, values = rest.split(":", 1)
        shape = [int(d) for d in dims.split("x")] if dims else []
        floats = [float(v) for v in values.split(",")]
        raw = struct.pack("<%df" % len(floats), *floats)
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def dump(path):
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    data = blob[8 + size:]
    for name in sorted(k for k in header if k != "__metadata__"):
        info = header[name]
        begin, end = info["data_offsets"]
        assert info["dtype"] == "F32", info["dtype"]
        values = struct.unpack("<%df" % ((end - begin) // 4), data[begin:end])
        print(name, info["shape"], " ".join("%g" % v for v in values))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3:])
    else:
        dump(sys.argv[2])

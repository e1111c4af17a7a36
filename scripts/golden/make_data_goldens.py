#!/usr/bin/env python3
"""Writes test/golden/data/ and test/golden/metrics/: small IDX, MNIST-layout
and CSV files (good and bad) and what PyTorch makes of them, which DataTest
and MetricsTest compare nnc against (the tests need no PyTorch).

Run with Debian's interpreter, which has python3-torch (1.13):

  /usr/bin/python3 scripts/golden/make_data_goldens.py

torchvision, pandas and scikit-learn (Debian's python3-torchvision,
python3-pandas, python3-sklearn) are not nnc dependencies, so the expected
values are computed here with torch the way those libraries compute them
(where one of them is installed, the script checks its values against it):
  - IDX files are parsed as torchvision's read_sn3_pascalvincent_tensor does
    (big-endian, magic 0x0000 + type code + rank); MNIST images become
    ToTensor's x.float().div(255), then Normalize's sub(mean).div(std);
  - CSV files are read with Python's csv module and float(), with pandas'
    default missing-value markers read as NaN;
  - metrics follow scikit-learn's accuracy_score, confusion_matrix and
    precision_recall_fscore_support (zero_division=0), from bincount.
Expected tensors are written as safetensors by hand (8-byte little-endian
header size, JSON header, raw little-endian data), since Debian 12 has no
python3-safetensors.
"""
import csv
import gzip
import math
import pathlib
import sys
import struct
import tempfile

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_io import save_safetensors  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "test/golden/data"
METRICS = ROOT / "test/golden/metrics"

#===----------------------------------------------------------------------===#
# Writers
#===----------------------------------------------------------------------===#

IDX_CODES = {"uint8": (0x08, "B"), "int8": (0x09, "b"), "int16": (0x0B, "h"),
             "int32": (0x0C, "i"), "float32": (0x0D, "f"), "float64": (0x0E, "d")}


def idx_bytes(values, shape, kind):
    """An IDX file: 0x0000, type code, rank, big-endian dims, big-endian data."""
    code, fmt = IDX_CODES[kind]
    head = bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)
    return head + struct.pack(">%d%s" % (len(values), fmt), *values)


# What nnc reads each IDX type as: torchvision's dtypes, except that int8 and
# int16 (which nnc lacks) widen to int32.
NNC_DTYPES = {"uint8": torch.uint8, "int8": torch.int32, "int16": torch.int32,
              "int32": torch.int32, "float32": torch.float32, "float64": torch.float64}


def read_idx(raw):
    """torchvision.datasets.mnist.read_sn3_pascalvincent_tensor, in the dtype
    nnc reads it as (NNC_DTYPES)."""
    magic = int.from_bytes(raw[0:4], "big")
    nd, ty = magic % 256, magic // 256
    code_to_kind = {code: (kind, fmt) for kind, (code, fmt) in IDX_CODES.items()}
    kind, fmt = code_to_kind[ty]
    dims = [int.from_bytes(raw[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    count = math.prod(dims)
    values = struct.unpack_from(">%d%s" % (count, fmt), raw, 4 * (nd + 1))
    t = torch.tensor(values, dtype=torch.float64 if kind.startswith("float")
                     else torch.int64).reshape(dims).to(NNC_DTYPES[kind])
    check_against_torchvision(raw, t)
    return t


def check_against_torchvision(raw, expected):
    """torchvision's reader on the same bytes, where it is installed (it
    cannot read an IDX file without elements)."""
    try:
        from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor
    except ImportError:
        return
    if expected.numel() == 0:
        return
    with tempfile.NamedTemporaryFile() as f:
        f.write(raw)
        f.flush()
        theirs = read_sn3_pascalvincent_tensor(f.name, strict=False)
    assert torch.equal(theirs.to(expected.dtype), expected)


#===----------------------------------------------------------------------===#
# IDX files
#===----------------------------------------------------------------------===#

def idx_goldens():
    g = torch.Generator().manual_seed(1)
    arrays = {
        "u8": ([int(v) for v in torch.randint(0, 256, (3 * 4 * 5 - 1,), generator=g)] + [255],
               [3, 4, 5], "uint8"),
        "i8": ([-128, -1, 0, 1, 127, 42], [6], "int8"),
        "i16": ([-32768, -300, 0, 300, 32767, 7], [2, 3], "int16"),
        "i32": ([-2**31, -70000, 70000, 2**31 - 1], [2, 2], "int32"),
        "f32": ([0.5, -1.25, 3.0e-8, 1.0e20, -0.0, 2.75], [3, 2], "float32"),
        "f64": ([1.0 / 3, -2.5, 1e-300, 123456.789], [4], "float64"),
        "empty": ([], [0, 3], "uint8"),
    }
    expected = {}
    for name, (values, shape, kind) in arrays.items():
        raw = idx_bytes(values, shape, kind)
        (DATA / f"{name}.idx").write_bytes(raw)
        expected[name] = read_idx(raw)
    # The same uint8 file gzip-compressed, and read as float32 (pixels 0..255).
    raw = (DATA / "u8.idx").read_bytes()
    (DATA / "u8.idx.gz").write_bytes(gzip.compress(raw, mtime=0))
    expected["u8_float"] = read_idx(raw).float()
    save_safetensors(expected, DATA / "idx_expected.safetensors")

    # Bad files, each with one defect.
    good = idx_bytes([7] * (10 * 28 * 28), [10, 28, 28], "uint8")
    (DATA / "bad_magic.idx").write_bytes(b"\x01\x00" + idx_bytes([1, 2, 3, 4], [2, 2], "uint8")[2:])
    (DATA / "bad_type.idx").write_bytes(b"\x00\x00\x0a\x01" + struct.pack(">I", 1) + b"\x00")
    (DATA / "short_header.idx").write_bytes(b"\x00\x00\x08")
    (DATA / "short_dims.idx").write_bytes(b"\x00\x00\x08\x03" + struct.pack(">I", 10))
    (DATA / "truncated.idx").write_bytes(good[:16 + 1000])
    (DATA / "extra_data.idx").write_bytes(idx_bytes([1, 2, 3], [3], "uint8") + b"\x04")
    (DATA / "huge_dims.idx").write_bytes(b"\x00\x00\x0e\x04" + struct.pack(">IIII", *[2**32 - 1] * 4) + b"\x00" * 8)
    gz = gzip.compress(good, mtime=0)
    (DATA / "truncated.idx.gz").write_bytes(gz[:len(gz) // 2])
    (DATA / "corrupt.idx.gz").write_bytes(gz[:10] + b"\xff" * 20 + gz[30:])


#===----------------------------------------------------------------------===#
# MNIST layout
#===----------------------------------------------------------------------===#

FASHION_MEAN, FASHION_STD = 0.2860, 0.3530


def mnist_goldens():
    g = torch.Generator().manual_seed(2)
    root = DATA / "mnist"
    root.mkdir(exist_ok=True)
    expected = {}
    # train files gzip-compressed (as Debian ships them), t10k files plain.
    for split, n, compress in (("train", 4, True), ("t10k", 2, False)):
        images = torch.randint(0, 256, (n, 28, 28), generator=g)
        images[0, 0, :3] = torch.tensor([0, 255, 128])
        labels = torch.randint(0, 10, (n,), generator=g)
        image_file = idx_bytes(images.flatten().tolist(), [n, 28, 28], "uint8")
        label_file = idx_bytes(labels.tolist(), [n], "uint8")
        suffix = ".gz" if compress else ""
        pack = (lambda b: gzip.compress(b, mtime=0)) if compress else (lambda b: b)
        (root / f"{split}-images-idx3-ubyte{suffix}").write_bytes(pack(image_file))
        (root / f"{split}-labels-idx1-ubyte{suffix}").write_bytes(pack(label_file))
        # torchvision: Image.fromarray(img.numpy(), mode="L"), ToTensor():
        # [1, 28, 28] float32 / 255; Normalize: sub_(mean).div_(std).
        to_tensor = images.to(torch.uint8).float().div(255).unsqueeze(1)
        mean = torch.tensor([FASHION_MEAN], dtype=torch.float32).view(-1, 1, 1)
        std = torch.tensor([FASHION_STD], dtype=torch.float32).view(-1, 1, 1)
        expected[f"{split}_images"] = to_tensor
        expected[f"{split}_normalized"] = to_tensor.sub(mean).div(std)
        expected[f"{split}_labels"] = labels
    save_safetensors(expected, DATA / "mnist_expected.safetensors")

    # Images and labels that disagree in count.
    bad = DATA / "mnist_mismatch"
    bad.mkdir(exist_ok=True)
    (bad / "train-images-idx3-ubyte").write_bytes(idx_bytes([0] * 3 * 28 * 28, [3, 28, 28], "uint8"))
    (bad / "train-labels-idx1-ubyte").write_bytes(idx_bytes([1, 2], [2], "uint8"))


#===----------------------------------------------------------------------===#
# CSV files
#===----------------------------------------------------------------------===#

NA = {"", "NA", "N/A", "NaN", "nan", "null", "NULL"}
WATER_COLUMNS = ["ph", "Hardness", "Solids", "Chloramines", "Sulfate", "Conductivity",
                 "Organic_carbon", "Trihalomethanes", "Turbidity", "Potability"]


def number(text):
    text = text.strip()
    return math.nan if text in NA else float(text)


def read_csv(path, delimiter=",", header=True, target=-1):
    """pandas.read_csv(...).to_numpy() for numeric data, split as the seed's
    WaterDataset: features = row[:-1] (or all but `target`), label = row[target]."""
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f, delimiter=delimiter) if any(c.strip() for c in r)]
    if header:
        rows = rows[1:]
    values = [[number(c) for c in r] for r in rows]
    t = torch.tensor(values, dtype=torch.float64)
    target = target % t.shape[1]
    keep = [c for c in range(t.shape[1]) if c != target]
    return t[:, keep].float(), t[:, target].float()


def csv_goldens():
    g = torch.Generator().manual_seed(3)
    # water.csv: the seed's WaterDataset file, 9 features and Potability,
    # with the real data set's missing ph / Sulfate / Trihalomethanes values.
    lines = [",".join(WATER_COLUMNS)]
    for i in range(12):
        row = [f"{v:.6g}" for v in (torch.rand(9, generator=g) * 100).tolist()]
        row.append(str(i % 2))
        if i in (2, 7):
            row[0] = ""
        if i == 5:
            row[4] = "NaN"
        lines.append(",".join(row))
    (DATA / "water.csv").write_text("\n".join(lines) + "\n")
    features, targets = read_csv(DATA / "water.csv")
    keep = ~torch.isnan(features).any(1) & ~torch.isnan(targets)  # df.dropna()
    expected = {"water_features": features, "water_targets": targets,
                "water_dropna_features": features[keep],
                "water_dropna_targets": targets[keep].long()}

    # A file exercising the parser: ';', quoted names and fields, CRLF, blank
    # lines, spaces, '+' signs, exponents, the target in the middle.
    text = ('"a";"b;c";"label";"d"\r\n'
            '1.5; 2 ;0;-3e2\r\n'
            '\r\n'
            '+4;"5.25";2; 1e-3\r\n'
            '-0.5;6;1;inf\r\n')
    (DATA / "semicolon.csv").write_bytes(text.encode())
    features, targets = read_csv(DATA / "semicolon.csv", delimiter=";", target=2)
    expected["semicolon_features"] = features
    expected["semicolon_targets"] = targets.long()

    (DATA / "noheader.csv").write_text("1,2,3\n4,5,6\n")
    features, targets = read_csv(DATA / "noheader.csv", header=False, target=0)
    expected["noheader_features"] = features
    expected["noheader_targets"] = targets
    save_safetensors(expected, DATA / "csv_expected.safetensors")

    # Bad files: line 4 is short a field; line 5's ph is text; no rows; a
    # fractional class label; a missing class label; a quote left open.
    good = lines[:6]
    ragged = good[:3] + [",".join(good[3].split(",")[:9])] + good[4:]
    (DATA / "ragged.csv").write_text("\n".join(ragged) + "\n")
    text_field = good[:4] + ["abc," + good[4].split(",", 1)[1]] + good[5:]
    (DATA / "nonnumeric.csv").write_text("\n".join(text_field) + "\n")
    (DATA / "empty.csv").write_text("")
    (DATA / "header_only.csv").write_text(lines[0] + "\n")
    (DATA / "fractional_label.csv").write_text("x,y\n1,0\n2,0.5\n")
    (DATA / "missing_label.csv").write_text("x,y\n1,0\n2,\n")
    (DATA / "unclosed_quote.csv").write_text('x,y\n1,0\n"2,1\n')


#===----------------------------------------------------------------------===#
# Metrics
#===----------------------------------------------------------------------===#

def scores(cm):
    """precision, recall, F1 per class from a confusion matrix (rows true),
    zero_division=0, and which classes scikit-learn's default labels keep."""
    tp = cm.diag().double()
    predicted = cm.sum(0).double()
    support = cm.sum(1).double()
    div = lambda a, b: torch.where(b > 0, a / b.clamp(min=1), torch.zeros_like(a))
    return (div(tp, predicted), div(tp, support), div(2 * tp, predicted + support),
            support, (support + predicted) > 0, tp, predicted)


def averaged(cm):
    p, r, f, support, present, tp, predicted = scores(cm)
    out = {}
    out["macro"] = torch.stack([x[present].mean() for x in (p, r, f)])
    w = support[present] / support[present].sum()
    out["weighted"] = torch.stack([(x[present] * w).sum() for x in (p, r, f)])
    micro = tp.sum() / support.sum()
    out["micro"] = torch.stack([micro, micro, micro])
    return out


def check_against_sklearn(target, pred, expected):
    """scikit-learn's own numbers for the same data, where it is installed."""
    try:
        from sklearn import metrics
    except ImportError:
        return
    y, p = target.numpy(), pred.numpy()
    assert math.isclose(metrics.accuracy_score(y, p), expected["accuracy"].item(), rel_tol=1e-6)
    assert (metrics.confusion_matrix(y, p, labels=range(6)) == expected["confusion6"].numpy()).all()
    for average in ("macro", "micro", "weighted"):
        prf = metrics.precision_recall_fscore_support(y, p, average=average, zero_division=0)[:3]
        assert torch.allclose(torch.tensor(prf, dtype=torch.float32), expected[average]), average


def metrics_goldens():
    g = torch.Generator().manual_seed(4)
    n, classes = 200, 6
    # Class 4 never occurs in target (only predicted sometimes); class 5
    # occurs in neither, so macro averages skip it.
    target = torch.randint(0, 4, (n,), generator=g)
    target[::7] = 3
    logits = torch.randn(n, 5, generator=g)
    logits[torch.arange(n), target] += 1.2  # better than chance
    pred = logits.argmax(1)
    cm = torch.bincount(target * classes + pred, minlength=classes * classes).reshape(classes, classes)
    expected = {"logits": logits, "target": target, "pred": pred,
                "accuracy": (pred == target).double().mean().reshape(1).float(),
                "confusion": cm[:5, :5].contiguous(), "confusion6": cm}
    for name, values in averaged(cm).items():
        expected[name] = values.float()
    check_against_sklearn(target, pred, expected)

    # Binary: probabilities and 0/1 float targets (BCE-style data).
    probs = torch.rand(50, generator=g)
    btarget = (torch.rand(50, generator=g) < 0.4).float()
    bpred = (probs >= 0.5).long()
    bcm = torch.bincount(btarget.long() * 2 + bpred, minlength=4).reshape(2, 2)
    p, r, f, *_ = scores(bcm)
    expected.update({"binary_probs": probs, "binary_target": btarget,
                     "binary_confusion": bcm,
                     "binary": torch.stack([p[1], r[1], f[1]]).float(),
                     "binary_accuracy": (bpred == btarget.long()).double().mean().reshape(1).float()})

    # one_hot, as torch.nn.functional.one_hot.
    indices = torch.tensor([[0, 3, 1], [2, 2, 4]])
    expected["one_hot_input"] = indices
    expected["one_hot_5"] = torch.nn.functional.one_hot(indices, 5)
    expected["one_hot_7"] = torch.nn.functional.one_hot(indices, 7)
    expected["one_hot_inferred"] = torch.nn.functional.one_hot(indices)
    save_safetensors(expected, METRICS / "metrics_expected.safetensors")


if __name__ == "__main__":
    DATA.mkdir(parents=True, exist_ok=True)
    METRICS.mkdir(parents=True, exist_ok=True)
    idx_goldens()
    mnist_goldens()
    csv_goldens()
    metrics_goldens()
    print("wrote", DATA, "and", METRICS)

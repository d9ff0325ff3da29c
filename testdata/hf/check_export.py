#!/usr/bin/python3
"""Checks a folder written by `arslab export` with PyTorch (no transformers needed):

    /usr/bin/python3 testdata/hf/check_export.py EXPORT_DIR GO_VECTORS.json

Reads each encoder folder (config.json, model.safetensors parsed by hand, 1_Pooling/config.json),
runs the Hugging Face BertModel maths of make_fixture.py on the token ids in GO_VECTORS.json
({"query": {"ids": [[…]], "vectors": [[…]]}, "passage": {…}}, as the lab encoded them) as one
padded batch with an attention mask, pools as the folder says, and prints the largest
|PyTorch − Go| difference per tower. Exit status 1 when it exceeds 1e-4.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixture import bert_forward  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", (name, e["dtype"])
        lo, hi = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype="<f4").copy().reshape(e["shape"]))
    return out


def tower(folder, ids):
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    with open(os.path.join(folder, "1_Pooling", "config.json")) as f:
        pool = json.load(f)
    w = read_safetensors(os.path.join(folder, "model.safetensors"))
    L = max(len(s) for s in ids)
    x = torch.tensor([s + [c["pad_token_id"]] * (L - len(s)) for s in ids])
    mask = torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in ids])
    with torch.no_grad():
        h = bert_forward(w, c, x, mask, torch.zeros_like(x))
    if pool["pooling_mode_cls_token"]:
        return h[:, 0]
    m = mask.unsqueeze(-1).float()
    return (h * m).sum(1) / m.sum(1)


def main():
    export, vec_path = sys.argv[1], sys.argv[2]
    with open(vec_path) as f:
        go = json.load(f)
    with open(os.path.join(export, "arslab.json")) as f:
        info = json.load(f)
    worst = 0.0
    for name, sub in (("query", info["query_dir"]), ("passage", info["passage_dir"])):
        want = tower(os.path.join(export, sub), go[name]["ids"])
        d = (want - torch.tensor(go[name]["vectors"])).abs().max().item()
        print("%s tower (%s): %d sequences, max |PyTorch - Go| = %.3g" % (name, sub, len(go[name]["ids"]), d))
        worst = max(worst, d)
    sys.exit(1 if worst > 1e-4 else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes the Hugging Face BERT compatibility fixtures of engine/hf (run from the repository root):

    /usr/bin/python3 testdata/hf/make_fixture.py

Needs PyTorch (Debian's python3-torch 1.13 is enough) and numpy; no `transformers`, no download.
Each fixture is a random tiny BERT written out with the exact parameter names of Hugging Face's
BertModel and the maths of its forward pass spelled out below (modeling_bert.py, absolute positions,
post-LN, extended attention mask), saved the way `save_pretrained` / sentence-transformers lay
folders out:

  bert_gelu/       BertModel names, F32, hidden_act "gelu" (exact erf), layer_norm_eps 1e-12,
                   pooler.dense (ignored by the lab) and the old embeddings.position_ids I64 buffer
  mlm_gelu_new/    BertForMaskedLM names ("bert." prefix + "cls.predictions.*" head), F16 weights,
                   hidden_act "gelu_new" (tanh), layer_norm_eps 1e-7, tokenizer.json only
  st_mean/         sentence-transformers folder: modules.json, 0_Transformer/ (BF16, old
                   LayerNorm.gamma/beta names, layer_norm_eps 1e-5), 1_Pooling/ mean tokens

and expected.json in each: for a handful of token-id sequences, run as one padded batch with an
attention mask, the last hidden states of the real tokens and the CLS and mean-pooled vectors
(mean over the attention mask, as sentence-transformers). Weights stored in F16/BF16 are rounded
first, and the expected values are computed from the rounded weights, in float32 as PyTorch runs it.
As a check of the written-out maths, the first fixture is also run through torch.nn.TransformerEncoderLayer
(an independent post-LN implementation of the same blocks) and must agree to 1e-5.
"""
import json
import math
import os
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.abspath(__file__))

VOCAB = ["[PAD]", "[unused0]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
         "the", "a", "sun", "moon", "is", "hot", "cold", "star", "##s", "##ing", "shine",
         "planet", "mars", "red", "water", "ice", ",", ".", "?", "what", "which", "bright",
         "##er", "##est", "dark", "night", "day", "light", "sky", "blue", "earth", "orbit", "of"]

CFG = dict(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
           intermediate_size=32, max_position_embeddings=24, type_vocab_size=2,
           hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, initializer_range=0.02,
           pad_token_id=0, position_embedding_type="absolute", model_type="bert")

# Token ids (each [CLS] … [SEP]); the batch is padded with [PAD] = 0 to the longest.
SEQS = [
    [4, 7, 9, 11, 12, 24, 5],
    [4, 26, 18, 11, 20, 25, 5],
    [4, 10, 5],
    [4, 8, 14, 15, 17, 16, 28, 29, 33, 32, 31, 36, 35, 37, 38, 39, 9, 24, 5],
    [4, 3, 21, 22, 23, 13, 5],
]


def param_shapes(c):
    H, F, V, P, T = c["hidden_size"], c["intermediate_size"], c["vocab_size"], c["max_position_embeddings"], c["type_vocab_size"]
    s = [("embeddings.word_embeddings.weight", (V, H)),
         ("embeddings.position_embeddings.weight", (P, H)),
         ("embeddings.token_type_embeddings.weight", (T, H)),
         ("embeddings.LayerNorm.weight", (H,)), ("embeddings.LayerNorm.bias", (H,))]
    for l in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        for m in ("query", "key", "value"):
            s += [(p + "attention.self.%s.weight" % m, (H, H)), (p + "attention.self.%s.bias" % m, (H,))]
        s += [(p + "attention.output.dense.weight", (H, H)), (p + "attention.output.dense.bias", (H,)),
              (p + "attention.output.LayerNorm.weight", (H,)), (p + "attention.output.LayerNorm.bias", (H,)),
              (p + "intermediate.dense.weight", (F, H)), (p + "intermediate.dense.bias", (F,)),
              (p + "output.dense.weight", (H, F)), (p + "output.dense.bias", (H,)),
              (p + "output.LayerNorm.weight", (H,)), (p + "output.LayerNorm.bias", (H,))]
    s += [("pooler.dense.weight", (H, H)), ("pooler.dense.bias", (H,))]
    return s


def random_weights(c, seed):
    g = torch.Generator().manual_seed(seed)
    w = {}
    for name, shape in param_shapes(c):
        if name.endswith("LayerNorm.weight"):
            t = 1 + 0.2 * torch.randn(shape, generator=g)
        elif name.endswith("bias") or "LayerNorm" in name:
            t = 0.1 * torch.randn(shape, generator=g)
        else:  # large enough that attention and GELU are far from linear
            t = 0.3 * torch.randn(shape, generator=g)
        w[name] = t.float()
    return w


def linear(x, w, b):  # nn.Linear: weight is out×in, y = x Wᵀ + b
    return x @ w.t() + b


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mu) / torch.sqrt(var + eps) * g + b


def gelu_erf(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def bert_forward(w, c, ids, mask, types):
    """BertModel's last_hidden_state, written out (eval mode: no dropout)."""
    H, nh = c["hidden_size"], c["num_attention_heads"]
    d = H // nh
    eps = c["layer_norm_eps"]
    act = {"gelu": gelu_erf, "gelu_new": gelu_new}[c["hidden_act"]]
    B, L = ids.shape
    pos = torch.arange(L).unsqueeze(0).expand(B, L)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][types] \
        + w["embeddings.position_embeddings.weight"][pos]
    h = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min  # get_extended_attention_mask
    for l in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % l

        def heads(t):  # B×L×H → B×nh×L×d
            return t.view(B, L, nh, d).permute(0, 2, 1, 3)
        q = heads(linear(h, w[p + "attention.self.query.weight"], w[p + "attention.self.query.bias"]))
        k = heads(linear(h, w[p + "attention.self.key.weight"], w[p + "attention.self.key.bias"]))
        v = heads(linear(h, w[p + "attention.self.value.weight"], w[p + "attention.self.value.bias"]))
        s = q @ k.transpose(-1, -2) / math.sqrt(d) + ext
        ctx = (torch.softmax(s, dim=-1) @ v).permute(0, 2, 1, 3).reshape(B, L, H)
        a = linear(ctx, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
        h1 = layer_norm(a + h, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        u = act(linear(h1, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
        o = linear(u, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
        h = layer_norm(o + h1, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    return h


def torch_layers_check(w, c, ids, mask):
    """The same encoder through torch.nn.TransformerEncoderLayer (post-LN, exact GELU): an
    independent implementation of the attention and FFN blocks. Returns the largest difference
    from bert_forward on the real tokens."""
    H, nh, eps = c["hidden_size"], c["num_attention_heads"], c["layer_norm_eps"]
    B, L = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)] \
        + w["embeddings.position_embeddings.weight"][torch.arange(L)].unsqueeze(0)
    h = torch.nn.functional.layer_norm(x, (H,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    for l in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        layer = torch.nn.TransformerEncoderLayer(H, nh, c["intermediate_size"], dropout=0.0, activation="gelu",
                                                 layer_norm_eps=eps, batch_first=True, norm_first=False)
        with torch.no_grad():
            a = layer.self_attn
            a.in_proj_weight.copy_(torch.cat([w[p + "attention.self.%s.weight" % m] for m in ("query", "key", "value")]))
            a.in_proj_bias.copy_(torch.cat([w[p + "attention.self.%s.bias" % m] for m in ("query", "key", "value")]))
            a.out_proj.weight.copy_(w[p + "attention.output.dense.weight"])
            a.out_proj.bias.copy_(w[p + "attention.output.dense.bias"])
            layer.norm1.weight.copy_(w[p + "attention.output.LayerNorm.weight"])
            layer.norm1.bias.copy_(w[p + "attention.output.LayerNorm.bias"])
            layer.linear1.weight.copy_(w[p + "intermediate.dense.weight"])
            layer.linear1.bias.copy_(w[p + "intermediate.dense.bias"])
            layer.linear2.weight.copy_(w[p + "output.dense.weight"])
            layer.linear2.bias.copy_(w[p + "output.dense.bias"])
            layer.norm2.weight.copy_(w[p + "output.LayerNorm.weight"])
            layer.norm2.bias.copy_(w[p + "output.LayerNorm.bias"])
        layer.train()  # the slow path: the fast path zeroes padded rows, which feed nothing anyway
        with torch.no_grad():
            h = layer(h, src_key_padding_mask=(mask == 0))
    with torch.no_grad():
        mine = bert_forward(w, c, ids, mask, torch.zeros_like(ids))
    m = mask.bool()
    return (h[m] - mine[m]).abs().max().item()


def round_to(w, dtype):
    return {k: v.to(dtype).to(torch.float32) for k, v in w.items()}


def tensor_bytes(t, dtype):
    if dtype == "F32":
        return t.to(torch.float32).numpy().astype("<f4").tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2").tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    if dtype == "I64":
        return t.to(torch.int64).numpy().astype("<i8").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors):
    """tensors: list of (name, torch tensor, dtype). The format: 8-byte little-endian header
    length, a JSON header {name: {dtype, shape, data_offsets}} padded with spaces, raw data."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t, dtype in tensors:
        b = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * (-len(hj) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def expected(w, c):
    L = max(len(s) for s in SEQS)
    ids = torch.tensor([s + [0] * (L - len(s)) for s in SEQS])
    mask = torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in SEQS])
    with torch.no_grad():
        h = bert_forward(w, c, ids, mask, torch.zeros_like(ids))
    m = mask.unsqueeze(-1).float()
    mean = (h * m).sum(1) / m.sum(1)
    out = {"ids": SEQS, "hidden": [], "cls": [], "mean": []}
    for i, s in enumerate(SEQS):
        out["hidden"].append([[round(float(v), 7) for v in row] for row in h[i, :len(s)]])
        out["cls"].append([round(float(v), 7) for v in h[i, 0]])
        out["mean"].append([round(float(v), 7) for v in mean[i]])
    return out


def write_json(path, obj, indent=None):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def write_vocab(folder):
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")


def tokenizer_json(lower):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": lower},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(VOCAB)}}}


def main():
    torch.manual_seed(0)
    # 1. BertModel, F32, exact GELU, with the pooler and the position_ids buffer.
    c1 = dict(CFG, architectures=["BertModel"], hidden_act="gelu", layer_norm_eps=1e-12)
    w1 = random_weights(c1, 1)
    d = os.path.join(ROOT, "bert_gelu")
    os.makedirs(d, exist_ok=True)
    ts = [(n, w1[n], "F32") for n, _ in param_shapes(c1)]
    ts.append(("embeddings.position_ids", torch.arange(c1["max_position_embeddings"]).unsqueeze(0), "I64"))
    write_safetensors(os.path.join(d, "model.safetensors"), ts)
    write_json(os.path.join(d, "config.json"), c1, 2)
    write_vocab(d)
    write_json(os.path.join(d, "tokenizer_config.json"), {"do_lower_case": True, "tokenizer_class": "BertTokenizer"}, 2)
    write_json(os.path.join(d, "expected.json"), expected(w1, c1))
    L = max(len(s) for s in SEQS)
    ids = torch.tensor([s + [0] * (L - len(s)) for s in SEQS])
    mask = torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in SEQS])
    diff = torch_layers_check(w1, c1, ids, mask)
    print("bert_gelu: written-out maths vs torch.nn.TransformerEncoderLayer: max |diff| %.3g" % diff)
    assert diff < 1e-5, diff

    # 2. BertForMaskedLM, F16, gelu_new, eps 1e-7, tokenizer.json only.
    c2 = dict(CFG, architectures=["BertForMaskedLM"], hidden_act="gelu_new", layer_norm_eps=1e-7)
    w2 = round_to(random_weights(c2, 2), torch.float16)
    d = os.path.join(ROOT, "mlm_gelu_new")
    os.makedirs(d, exist_ok=True)
    H, V = c2["hidden_size"], c2["vocab_size"]
    g = torch.Generator().manual_seed(22)
    ts = [("bert." + n, w2[n], "F16") for n, _ in param_shapes(c2) if not n.startswith("pooler.")]
    ts += [("cls.predictions.bias", 0.1 * torch.randn(V, generator=g), "F16"),
           ("cls.predictions.transform.dense.weight", 0.3 * torch.randn(H, H, generator=g), "F16"),
           ("cls.predictions.transform.dense.bias", 0.1 * torch.randn(H, generator=g), "F16"),
           ("cls.predictions.transform.LayerNorm.weight", torch.ones(H), "F16"),
           ("cls.predictions.transform.LayerNorm.bias", torch.zeros(H), "F16"),
           ("cls.predictions.decoder.weight", w2["embeddings.word_embeddings.weight"], "F16")]
    write_safetensors(os.path.join(d, "model.safetensors"), ts)
    write_json(os.path.join(d, "config.json"), c2, 2)
    write_json(os.path.join(d, "tokenizer.json"), tokenizer_json(False))
    write_json(os.path.join(d, "expected.json"), expected(w2, c2))

    # 3. sentence-transformers: modules.json, 0_Transformer (BF16, gamma/beta), mean pooling.
    c3 = dict(CFG, architectures=["BertModel"], hidden_act="gelu", layer_norm_eps=1e-5)
    w3 = round_to(random_weights(c3, 3), torch.bfloat16)
    d = os.path.join(ROOT, "st_mean")
    t = os.path.join(d, "0_Transformer")
    os.makedirs(t, exist_ok=True)
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)

    def old_name(n):
        return n.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
    ts = [(old_name(n), w3[n], "BF16") for n, _ in param_shapes(c3) if not n.startswith("pooler.")]
    write_safetensors(os.path.join(t, "model.safetensors"), ts)
    write_json(os.path.join(t, "config.json"), c3, 2)
    write_vocab(t)
    write_json(os.path.join(t, "tokenizer_config.json"), {"do_lower_case": True}, 2)
    write_json(os.path.join(t, "sentence_bert_config.json"), {"max_seq_length": 20, "do_lower_case": False}, 2)
    write_json(os.path.join(d, "modules.json"), [
        {"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], 2)
    write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": 16, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}, 2)
    write_json(os.path.join(d, "expected.json"), expected(w3, c3))

    total = 0
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    print("fixtures written under %s: %d bytes in all" % (ROOT, total))


if __name__ == "__main__":
    main()

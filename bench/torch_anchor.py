"""PyTorch / numpy anchors for bench/anchors.sh (a tool for people; not run by go test).

Each mode prints one JSON line {"name", "value", "unit", ...} with the median of its
rounds. The models are written out by hand with the maths of engine/nn (post-LN BERT:
token + position embedding → LayerNorm → L × [self-attention with biases → residual +
LayerNorm → FFN with GELU (tanh form) → residual + LayerNorm], mean pooling) and of
engine/head (ARS: s = vᵀ tanh((W_q q + b_q) ⊙ (W_p p + b_p)) + c, InfoNCE with τ = 0.05,
gradient clipping at 1, AdamW).

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-numpy), tcmalloc
preloaded, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OPENBLAS_NUM_THREADS = --threads
(anchors.sh does all of that).
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

PRESETS = {"tiny": (2, 128, 2, 512), "mini": (4, 256, 4, 1024)}


def emit(name, value, unit, **extra):
    print(json.dumps(dict(name=name, value=round(value, 4), unit=unit, **extra)), flush=True)


def median_time(fn, rounds, warmup=2):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def sgemm(args):
    import numpy as np
    rng = np.random.default_rng(1)
    for shape in args.shapes.split(","):
        # MxNxKT: A transposed (stored k×m), the weight-gradient shape dW = Xᵀ·dY.
        trans = shape.endswith("T")
        m, n, k = (int(x) for x in shape.rstrip("T").split("x"))
        a = rng.standard_normal((k, m) if trans else (m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        av = a.T if trans else a
        reps = max(1, int(2e9 / (2 * m * n * k)))

        def run():
            for _ in range(reps):
                np.matmul(av, b, out=c)
        t = median_time(run, args.rounds) / reps
        emit(f"sgemm/{shape}", 2 * m * n * k / t / 1e9, "GFLOP/s", threads=args.threads, transA=trans)


def build(preset, vocab, max_len, torch):
    layers, hid, heads, ffn = PRESETS[preset]
    nn = torch.nn
    g = torch.Generator().manual_seed(1)

    def w(*shape):
        return nn.Parameter(torch.randn(*shape, generator=g) * 0.02)

    def z(*shape):
        return nn.Parameter(torch.zeros(*shape))

    def o(*shape):
        return nn.Parameter(torch.ones(*shape))

    P = {"tok": w(vocab, hid), "pos": w(max_len, hid), "ln0g": o(hid), "ln0b": z(hid)}
    for l in range(layers):
        for n_, (i, j) in {"q": (hid, hid), "k": (hid, hid), "v": (hid, hid), "o": (hid, hid), "w1": (hid, ffn), "w2": (ffn, hid)}.items():
            P[f"{l}.{n_}"] = w(i, j)
            P[f"{l}.{n_}b"] = z(j)
        for n_ in ("ln1", "ln2"):
            P[f"{l}.{n_}g"], P[f"{l}.{n_}b"] = o(hid), z(hid)
    return P, (layers, hid, heads, ffn)


def ln(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / (var + 1e-12).sqrt() * g + b


def gelu_tanh(x):
    return 0.5 * x * (1 + (0.7978845608028654 * (x + 0.044715 * x ** 3)).tanh())


def encode(P, dims, ids, torch):
    layers, hid, heads, ffn = dims
    n, t = ids.shape
    dh = hid // heads
    x = ln(P["tok"][ids] + P["pos"][:t], P["ln0g"], P["ln0b"])
    for l in range(layers):
        def lin(x, name):
            return x @ P[f"{l}.{name}"] + P[f"{l}.{name}b"]
        q = lin(x, "q").view(n, t, heads, dh).transpose(1, 2)
        k = lin(x, "k").view(n, t, heads, dh).transpose(1, 2)
        v = lin(x, "v").view(n, t, heads, dh).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), -1)
        ctx = (a @ v).transpose(1, 2).reshape(n, t, hid)
        x = ln(x + lin(ctx, "o"), P[f"{l}.ln1g"], P[f"{l}.ln1b"])
        x = ln(x + lin(gelu_tanh(lin(x, "w1")), "w2"), P[f"{l}.ln2g"], P[f"{l}.ln2b"])
    return x.mean(1)


def encoder(args):
    import torch
    torch.manual_seed(1)
    P, dims = build(args.preset, 8192, 128, torch)
    ids = torch.randint(0, 8192, (args.seqs, 128))
    if args.mode == "fwdbwd":
        d_out = torch.randn(args.seqs, dims[1])

        def run():
            for p in P.values():
                p.grad = None
            out = encode(P, dims, ids, torch)
            out.backward(d_out)
        t = median_time(run, args.rounds)
        emit(f"encoder-fwdbwd/{args.preset}", args.seqs / t, "seq/s", threads=args.threads)
    else:
        def run():
            with torch.no_grad():
                encode(P, dims, ids, torch)
        t = median_time(run, args.rounds)
        emit(f"encode/{args.preset}", args.seqs / t, "passages/s", threads=args.threads)


def train_step_fn(args, torch):
    P, dims = build(args.preset, 1000, 128, torch)
    hid = dims[1]
    g = torch.Generator().manual_seed(2)
    head = {"wq": torch.nn.Parameter(torch.randn(hid, hid, generator=g) / math.sqrt(hid))}
    head["wp"] = torch.nn.Parameter(head["wq"].detach().clone())
    head["bq"], head["bp"] = torch.nn.Parameter(torch.zeros(hid)), torch.nn.Parameter(torch.zeros(hid))
    head["v"] = torch.nn.Parameter(torch.full((hid,), 1 / math.sqrt(hid)))
    head["c"] = torch.nn.Parameter(torch.zeros(()))
    params = list(P.values()) + list(head.values())
    opt = torch.optim.AdamW(params, lr=5e-4, weight_decay=0.01)
    B, C = args.batch, 30  # B queries × (1 positive + 29 hard negatives)
    qids = torch.randint(0, 1000, (B, args.query_len))
    pids = torch.randint(0, 1000, (B * C, 128))
    target = torch.zeros(B, dtype=torch.long)

    def step():
        opt.zero_grad(set_to_none=True)
        q = encode(P, dims, qids, torch)
        p = encode(P, dims, pids, torch).view(B, C, hid)
        qh = q @ head["wq"] + head["bq"]
        ph = p @ head["wp"] + head["bp"]
        s = (torch.tanh(qh[:, None, :] * ph) * head["v"]).sum(-1) + head["c"]
        loss = torch.nn.functional.cross_entropy(s / 0.05, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return step


def train(args):
    import torch
    torch.manual_seed(1)
    step = train_step_fn(args, torch)
    t = median_time(step, args.rounds)
    emit(f"train-step/{args.preset}", args.batch / t, "examples/s", threads=args.threads)


def rss(args):
    import torch
    torch.manual_seed(1)
    step = train_step_fn(args, torch)
    for _ in range(args.rounds):
        step()
    emit(f"train-peak-rss/{args.preset}/batch={args.batch}", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB",
         threads=args.threads, steps=args.rounds)


def arsscan(args):
    """A numpy reference for the scan (not the anchor: that is bench/arsscan.c)."""
    import numpy as np
    rng = np.random.default_rng(2)
    p = rng.standard_normal((args.n, 128), dtype=np.float32)
    q = rng.standard_normal(128, dtype=np.float32)
    v = rng.standard_normal(128, dtype=np.float32)
    t = median_time(lambda: np.argpartition(-(np.tanh(p * q) @ v), 10)[:10], args.rounds)
    emit("ars-scan-numpy", t * 1e3, "ms/query", threads=args.threads)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["sgemm", "fwdbwd", "encode", "train", "rss", "arsscan"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    ap.add_argument("--seqs", type=int, default=31)
    ap.add_argument("--query-len", type=int, default=32)
    ap.add_argument("--batch", type=int, default=2, help="queries per training step")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--shapes", default="4096x256x256,3968x256x1024,256x256x3968T")
    ap.add_argument("--n", type=int, default=100000)
    args = ap.parse_args()
    if args.mode != "sgemm":
        import torch
        torch.set_num_threads(args.threads)
    {"sgemm": sgemm, "fwdbwd": encoder, "encode": encoder, "train": train, "rss": rss, "arsscan": arsscan}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())

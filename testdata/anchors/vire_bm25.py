#!/usr/bin/env python3
"""Anchor for the ViRE BM25 rows: ViRE's lexical pipeline re-implemented in plain Python.

ViRE (github.com/longstnguyen/ViRE, src/vi_retrieval_eval) scores BM25 with rank_bm25's
BM25Okapi (k1=1.5, b=0.75) over tokens from underthesea's word segmentation when it is
installed, else the regex [0-9A-Za-zÀ-ỹ_]+ (no lower-casing). The corpus is the distinct
contexts after NFKC / control / zero-width removal / whitespace collapsing; a question's gold is
its own context; rankings are a stable sort by score (ties by corpus order). This script
follows those rules (written from their description, not copied) so the lab's BM25 can be
compared with what ViRE's code computes without underthesea, which is not installable here.

  python3 testdata/anchors/vire_bm25.py ../shared/datasets/vire_subsets/ViMedAQA_v2.csv [--idf okapi|lucene] [--lower]

Prints P@1, R@10, MRR@10 and nDCG@10 in percent. Never used by go test.
"""
import csv, math, re, sys, unicodedata

ZW = ["\u200b", "\u200c", "\u200d", "\ufeff"]
CTRL = re.compile(r"[\x00-\x1F\x7F]")
WS = re.compile(r"\s+")
TOK = re.compile(r"[0-9A-Za-zÀ-ỹ_]+")


def norm_key(s):
    s = unicodedata.normalize("NFKC", s)
    s = CTRL.sub("", s)
    for z in ZW:
        s = s.replace(z, "")
    return WS.sub(" ", s.strip())


def main():
    path = sys.argv[1]
    idf_kind = "lucene" if "--idf" in sys.argv and sys.argv[sys.argv.index("--idf") + 1] == "lucene" else "okapi"
    lower = "--lower" in sys.argv
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    rows = [{k.lower().strip(): v for k, v in r.items()} for r in rows]
    keys, contexts, gold = {}, [], []
    for r in rows:
        k = norm_key(r["context"])
        if k not in keys:
            keys[k] = len(contexts)
            contexts.append(r["context"])
        gold.append(keys[k])
    tok = (lambda s: TOK.findall(s.lower())) if lower else (lambda s: TOK.findall(s))
    docs = [tok(c) for c in contexts]
    p1 = r10 = mrr = ndcg = 0.0
    n = len(docs)
    stats = _Stats(docs, idf_kind)
    for r, g in zip(rows, gold):
        sc = stats.scores(tok(r["question"]), 1.5, 0.75)
        order = sorted(range(n), key=lambda i: -sc[i])  # stable: ties keep corpus order
        rank = order.index(g) + 1
        p1 += rank == 1
        r10 += rank <= 10
        mrr += 1 / rank if rank <= 10 else 0
        ndcg += 1 / math.log2(rank + 1) if rank <= 10 else 0
    q = len(rows)
    print(f"{path}: {q} questions, {n} contexts, idf={idf_kind}, lower={lower}")
    print("P@1 %.2f  R@10 %.2f  MRR@10 %.2f  nDCG@10 %.2f" % (100 * p1 / q, 100 * r10 / q, 100 * mrr / q, 100 * ndcg / q))


class _Stats:
    def __init__(self, docs, idf_kind):
        self.docs = docs
        self.n = len(docs)
        self.avgdl = sum(len(d) for d in docs) / self.n
        self.tfs, df = [], {}
        for d in docs:
            tf = {}
            for t in d:
                tf[t] = tf.get(t, 0) + 1
            self.tfs.append(tf)
            for t in tf:
                df[t] = df.get(t, 0) + 1
        self.idf = {}
        if idf_kind == "okapi":
            total, neg = 0.0, []
            for t, f in df.items():
                v = math.log(self.n - f + 0.5) - math.log(f + 0.5)
                self.idf[t] = v
                total += v
                if v < 0:
                    neg.append(t)
            eps = 0.25 * total / len(self.idf)
            for t in neg:
                self.idf[t] = eps
        else:
            for t, f in df.items():
                self.idf[t] = math.log(1 + (self.n - f + 0.5) / (f + 0.5))

    def scores(self, query, k1, b):
        out = []
        for d, tf in zip(self.docs, self.tfs):
            s, dl = 0.0, len(d)
            for q in query:
                f = tf.get(q, 0)
                if f:
                    s += self.idf.get(q, 0.0) * (f * (k1 + 1) / (f + k1 * (1 - b + b * dl / self.avgdl)))
            out.append(s)
        return out


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Does Vietnamese word segmentation explain ViRE's lower BM25 on ViMedAQA / ViRe4MRC?

ViRE tokenises with underthesea's word segmenter (syllables of a word joined by "_"), which
is not installable here. This script approximates a segmenter: a lexicon of multi-syllable
words is read from the segmented UIT-ViQuAD copy (tokens written with "_"), and every text is
segmented by greedy longest match (up to 4 syllables). BM25 (rank_bm25's Okapi idf, k1=1.5,
b=0.75, see vire_bm25.py) then runs on syllable tokens and on segmented tokens.

  python3 testdata/anchors/vire_segmented.py ../shared/datasets/vire_subsets/ViMedAQA_v2.csv ../shared/datasets/viquad1_segmented
"""
import json, math, os, re, sys
sys.path.insert(0, os.path.dirname(__file__))
import vire_bm25 as vb  # noqa: E402

SYL = re.compile(r"[0-9a-zà-ỹ]+")


def lexicon(folder):
    words = set()
    for name in os.listdir(folder):
        if not name.endswith(".json"):
            continue
        for item in json.load(open(os.path.join(folder, name), encoding="utf-8")):
            for field in ("context", "question"):
                for tok in item[field].split():
                    if "_" in tok:
                        parts = [p for p in tok.lower().split("_") if p]
                        if 2 <= len(parts) <= 4:
                            words.add(tuple(parts))
    return words


def segment(text, words):
    syl = SYL.findall(vb.unicodedata.normalize("NFC", text.lower()))
    out, i = [], 0
    while i < len(syl):
        for n in (4, 3, 2):
            if i + n <= len(syl) and tuple(syl[i:i + n]) in words:
                out.append("_".join(syl[i:i + n]))
                i += n
                break
        else:
            out.append(syl[i])
            i += 1
    return out


def evaluate(rows, gold, contexts, tok):
    stats = vb._Stats([tok(c) for c in contexts], "okapi")
    n = len(contexts)
    p1 = r10 = mrr = 0.0
    for r, g in zip(rows, gold):
        sc = stats.scores(tok(r["question"]), 1.5, 0.75)
        order = sorted(range(n), key=lambda i: -sc[i])
        rank = order.index(g) + 1
        p1 += rank == 1
        r10 += rank <= 10
        mrr += 1 / rank if rank <= 10 else 0
    q = len(rows)
    return 100 * p1 / q, 100 * r10 / q, 100 * mrr / q


def main():
    path, folder = sys.argv[1], sys.argv[2]
    words = lexicon(folder)
    import csv
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [{k.lower().strip(): v for k, v in r.items()} for r in csv.DictReader(f)]
    keys, contexts, gold = {}, [], []
    for r in rows:
        k = vb.norm_key(r["context"])
        if k not in keys:
            keys[k] = len(contexts)
            contexts.append(r["context"])
        gold.append(keys[k])
    syl = lambda s: SYL.findall(vb.unicodedata.normalize("NFC", s.lower()))
    seg = lambda s: segment(s, words)
    print(f"{os.path.basename(path)}: lexicon of {len(words)} multi-syllable words")
    print("syllables  P@1 %.2f  R@10 %.2f  MRR@10 %.2f" % evaluate(rows, gold, contexts, syl))
    print("segmented  P@1 %.2f  R@10 %.2f  MRR@10 %.2f" % evaluate(rows, gold, contexts, seg))


if __name__ == "__main__":
    main()

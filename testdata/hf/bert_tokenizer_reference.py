#!/usr/bin/python3
"""Expected WordPiece output for the real all-MiniLM-L6-v2 vocabulary (engine/tok's
TestMiniLMTokenizer), from an independent implementation: BERT's published BasicTokenizer +
WordpieceTokenizer algorithm (google-research/bert tokenization.py, as Hugging Face's
BertTokenizer runs it), written out here with nothing but the Python standard library.

    /usr/bin/python3 testdata/hf/bert_tokenizer_reference.py [MODEL_DIR]

MODEL_DIR defaults to ../shared/models/all-MiniLM-L6-v2-tokenizer-only (relative to the repository
root). Writes testdata/hf/minilm_tokens.json: per text, the word pieces, the ids of
[CLS] pieces [SEP] and the same truncated to 16 tokens ([SEP] kept last).
"""
import json
import os
import sys
import unicodedata

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(ROOT))
MAX_LEN = 16

TEXTS = [
    # English: casing, punctuation, ## pieces, apostrophes, numbers, e-mail, accents
    "Hello, World! The quick brown fox jumps over the lazy dog's back.",
    "Unaffable tokenization of supercalifragilisticexpialidocious words",
    "CAFÉ naïve résumé — coöperate with Zürich's Œuvre",
    "Email john.doe@example.com (ASAP)!! It costs $3.50, i.e. 10% off.",
    "Transformers’ self-attention scales quadratically: O(n²) in sequence length.",
    "tab\there\u200bzero-width\u00a0nbsp and 我爱北京 CJK",
    "a" * 101 + " long word becomes unknown",
    # Arabic: script, diacritics (Mn, stripped), hamza forms, Arabic punctuation
    "ما هي عاصمة المملكة العربية السعودية؟",
    "نهر النيل أطول نهر في العالم، ويمر بمصر والسودان.",
    "اللُّغَةُ العَرَبِيَّةُ لغة جميلة؛ إنَّ الرياضيات علمٌ",
    "تأسست جامعة القاهرة عام ١٩٠٨ م",
    # Vietnamese: tone marks (Mn after NFD, stripped), đ/Đ (not decomposable), upper case
    "Thủ đô của Việt Nam là Hà Nội.",
    "Phở bò là món ăn truyền thống nổi tiếng",
    "ĐẠI HỌC QUỐC GIA THÀNH PHỐ HỒ CHÍ MINH",
    "Sông Mê Kông chảy qua sáu quốc gia trước khi đổ ra biển Đông",
]


def is_whitespace(ch):
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(ch).startswith("P")


def is_chinese_char(cp):
    return ((0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF) or
            (0x2A700 <= cp <= 0x2B73F) or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF) or
            (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F))


def basic_tokenize(text, do_lower_case=True):
    # _clean_text
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        out.append(" " if is_whitespace(ch) else ch)
    text = "".join(out)
    # _tokenize_chinese_chars
    out = []
    for ch in text:
        if is_chinese_char(ord(ch)):
            out += [" ", ch, " "]
        else:
            out.append(ch)
    text = "".join(out)
    tokens = []
    for tok in text.strip().split():
        if do_lower_case:
            tok = tok.lower()
            # _run_strip_accents
            tok = "".join(c for c in unicodedata.normalize("NFD", tok) if unicodedata.category(c) != "Mn")
        # _run_split_on_punc
        cur = []
        for ch in tok:
            if is_punctuation(ch):
                if cur:
                    tokens.append("".join(cur))
                    cur = []
                tokens.append(ch)
            else:
                cur.append(ch)
        if cur:
            tokens.append("".join(cur))
    return tokens


def wordpiece(token, vocab, unk="[UNK]", max_chars=100):
    chars = list(token)
    if len(chars) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(chars):
        end, cur = len(chars), None
        while start < end:
            sub = "".join(chars[start:end])
            if start > 0:
                sub = "##" + sub
            if sub in vocab:
                cur = sub
                break
            end -= 1
        if cur is None:
            return [unk]
        pieces.append(cur)
        start = end
    return pieces


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "models", "all-MiniLM-L6-v2-tokenizer-only")
    with open(os.path.join(model, "vocab.txt"), encoding="utf-8") as f:
        vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
    cases = []
    for text in TEXTS:
        pieces = [p for w in basic_tokenize(text) for p in wordpiece(w, vocab)]
        ids = [vocab["[CLS]"]] + [vocab[p] for p in pieces] + [vocab["[SEP]"]]
        trunc = ids[:MAX_LEN - 1] + [vocab["[SEP]"]] if len(ids) > MAX_LEN else ids
        cases.append({"text": text, "tokens": pieces, "ids": ids, "ids_max16": trunc})
    with open(os.path.join(ROOT, "minilm_tokens.json"), "w", encoding="utf-8") as f:
        json.dump({"vocab_size": len(vocab), "max_len": MAX_LEN, "unicode": unicodedata.unidata_version,
                   "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    for c in cases:
        print(" ".join(c["tokens"]))


if __name__ == "__main__":
    main()

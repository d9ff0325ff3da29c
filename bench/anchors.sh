#!/usr/bin/env bash
# bench/anchors.sh — ARS Lab's speed and memory benchmarks beside their anchors, in one
# run, interleaved round by round, medians and ratios at the end. A tool for people: it
# is not part of `go test ./...` or CI.
#
#   bench/anchors.sh [ROUNDS]        (default 3 rounds; run from anywhere in the repo)
#
# Anchors (set up as issue 15 says, or the anchor is wrongly slow):
#   - numpy / PyTorch from Debian (python3-numpy, python3-torch 1.13 CPU) run by
#     /usr/bin/python3, with Debian's OpenBLAS (libopenblas0-pthread, 0.3.21) as the
#     BLAS, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (an environment that forces
#     Haswell/AVX2 kernels would slow OpenBLAS down), OpenBLAS threads = torch threads,
#     Debian's tcmalloc (libgoogle-perftools4) preloaded, OMP_WAIT_POLICY=PASSIVE (torch's
#     OpenMP threads spinning beside OpenBLAS's own threads on 2 cores made the 2-thread
#     training step 2–3× slower: tiny 4.8 → 11.8 examples/s);
#   - bench/torch_anchor.py: the same shapes and maths written out by hand in PyTorch;
#   - bench/arsscan.c: the ARS scan in C with AVX-512 intrinsics (gcc -O3 -march=native).
# Missing Debian packages are installed with apt-get (root, or sudo).
#
# Rows (ours = the Go benchmark named in the row):
#   sgemm (every BenchmarkSgemm sub-benchmark named MxNxK[T] — T: A transposed — except
#   gonum's, 1 and 2 threads) vs numpy.matmul on OpenBLAS
#   encoder forward+backward, 31 × 128, tiny/mini, 1 thread (BenchmarkForwardBackward)
#   training step, 2 examples = 62 sequences + ARS head + InfoNCE + AdamW, 2 threads (BenchmarkTrainStep)
#   inference encoding, 32 × 128, 2 threads (BenchmarkEncode)
#   ARS scan of 100k cached passages, h = 128, 1 and 2 threads (BenchmarkARSScan100k vs arsscan.c)
#   training peak RSS, tiny, batch 2 (62 sequences, 20 steps) and 8 (8 steps) (BenchmarkTrainMemory vs torch_anchor.py rss)
#   BM25 search over 100k synthetic passages (ours only: bleve/Xapian are out of scope here)
# ratio = ours ÷ anchor; the "better" column says which direction is good.
set -euo pipefail

ROUNDS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/arslab-anchors.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
RES="$WORK/results.tsv" # round  key  side  value  unit  better  label
: >"$RES"

say() { printf '%s\n' "$*" >&2; }

# ---- set-up ----------------------------------------------------------------------
need=()
"$PY" -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
"$PY" -c 'import torch' 2>/dev/null || need+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
dpkg -s libgoogle-perftools4 >/dev/null 2>&1 || need+=(libgoogle-perftools4)
if ((${#need[@]})); then
	say "installing ${need[*]} with apt-get"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get install -y --no-install-recommends "${need[@]}" >&2
fi
TCMALLOC=$(dpkg -L libgoogle-perftools4 | grep -E '/libtcmalloc\.so\.[0-9]+$' | head -1)
[ -n "$TCMALLOC" ] || { say "no libtcmalloc.so.N in libgoogle-perftools4"; exit 1; }
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
BLAS=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu || true)
case "$BLAS" in *openblas*) ;; *) say "warning: libblas.so.3 is $BLAS, not OpenBLAS: numpy/torch anchors will be slow" ;; esac

anchor() { # anchor THREADS ARGS...: one torch_anchor.py measurement
	local th=$1
	shift
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$th" OMP_NUM_THREADS="$th" OMP_WAIT_POLICY=PASSIVE \
		LD_PRELOAD="$TCMALLOC" "$PY" bench/torch_anchor.py "$@" --threads "$th"
}

say "building the Go test binaries and the C anchor"
for p in nn dense train sparse; do
	go test -c -o "$WORK/$p.test" "./engine/$p"
done
gcc -O3 -march=native -pthread bench/arsscan.c -o "$WORK/arsscan"

gobench() { # gobench PKG CPU BENCHTIME REGEX: runs a Go benchmark, prints its result lines
	(cd "engine/$1" && "$WORK/$1.test" -test.run '^$' -test.bench "$4" -test.benchtime "$3" -test.cpu "$2" 2>&1) | grep '^Benchmark' || true
}
metric() { # metric UNIT: reads benchmark lines, prints "NAME VALUE" for the metric UNIT
	awk -v u="$1" '{ for (i = 3; i < NF; i++) if ($(i+1) == u) print $1, $i }'
}
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$R" "$1" "$2" "$3" "$4" "$5" "$6" >>"$RES"; }
json() { "$PY" -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(d["value"])'; }

# ---- rounds ----------------------------------------------------------------------
for ((R = 1; R <= ROUNDS; R++)); do
	say "round $R/$ROUNDS"
	# sgemm: every GEMM sub-benchmark with an MxNxK in its name (not gonum's), 1 and 2 threads.
	for th in 1 2; do
		gobench nn "$th" 0.5s '(?i)gemm' | grep -v -i gonum | metric GFLOP/s >"$WORK/gemm" || true
		shapes=""
		while read -r name val; do
			shape=$(grep -oE '[0-9]+x[0-9]+x[0-9]+T?' <<<"$name" | head -1) # T: A transposed
			[ -n "$shape" ] || continue
			label="sgemm ${name#Benchmark}"
			label="${label%-[0-9]*} ${th}T"
			rec "gemm-$shape-$th-${name%-[0-9]*}" ours "$val" GFLOP/s higher "$label"
			shapes="$shapes $shape"
		done <"$WORK/gemm"
		for shape in $(tr ' ' '\n' <<<"$shapes" | sort -u); do
			val=$(anchor "$th" sgemm --shapes "$shape" --rounds 5 | json)
			while read -r name _; do
				[ "$(grep -oE '[0-9]+x[0-9]+x[0-9]+T?' <<<"$name" | head -1)" = "$shape" ] && rec "gemm-$shape-$th-${name%-[0-9]*}" anchor "$val" GFLOP/s higher ""
			done <"$WORK/gemm"
		done
	done
	# encoder forward+backward, 31 sequences × 128 tokens, 1 thread.
	gobench nn 1 5x 'ForwardBackward' | metric seq/s >"$WORK/fb"
	for preset in tiny mini; do
		rec "fwdbwd-$preset" ours "$(awk -v p="/$preset" 'index($1, p) {print $2}' "$WORK/fb")" seq/s higher "encoder fwd+bwd 31×128 $preset 1T"
		rec "fwdbwd-$preset" anchor "$(anchor 1 fwdbwd --preset "$preset" --rounds 5 | json)" seq/s higher ""
	done
	# training step: 2 examples = 62 sequences + ARS head + InfoNCE + AdamW, 2 threads.
	gobench train 2 5x 'TrainStep' | metric examples/s >"$WORK/ts"
	for preset in tiny mini; do
		rec "train-$preset" ours "$(awk -v p="/$preset" 'index($1, p) {print $2}' "$WORK/ts")" examples/s higher "training step 62 seq $preset 2T"
		rec "train-$preset" anchor "$(anchor 2 train --preset "$preset" --rounds 5 | json)" examples/s higher ""
	done
	# inference encoding, 32 × 128, 2 threads.
	gobench nn 2 10x 'Encode' | metric passages/s >"$WORK/enc"
	for preset in tiny mini; do
		rec "encode-$preset" ours "$(awk -v p="/$preset" 'index($1, p) {print $2}' "$WORK/enc")" passages/s higher "encoding 32×128 $preset 2T"
		rec "encode-$preset" anchor "$(anchor 2 encode --preset "$preset" --seqs 32 --rounds 5 | json)" passages/s higher ""
	done
	# ARS scan of 100k passages, h = 128, 1 and 2 threads.
	gobench dense 2 50x 'ARSScan100k' | metric ms/query >"$WORK/scan"
	for th in 1 2; do
		rec "scan-$th" ours "$(awk -v p="threads=$th" 'index($1, p) {print $2}' "$WORK/scan")" ms/query lower "ARS scan 100k h=128 ${th}T"
		rec "scan-$th" anchor "$("$WORK/arsscan" 100000 128 "$th" 30 2>/dev/null)" ms/query lower ""
	done
	# training peak RSS, each measurement in its own process: the brief's step shape (batch 2 =
	# 62 sequences, 20 steps) and the default batch 8 (248 sequences, 8 steps).
	for spec in 2:20 8:8; do
		b=${spec%:*} n=${spec#*:}
		rec "rss-$b" ours "$(gobench train 2 "${n}x" "TrainMemory/batch=$b\$" | metric peakRSS-MB | awk '{print $2}')" MB lower "training peak RSS tiny batch $b, $n steps"
		rec "rss-$b" anchor "$(anchor 2 rss --preset tiny --batch "$b" --rounds "$n" | json)" MB lower ""
	done
	# BM25, ours only.
	rec bm25 ours "$(gobench sparse 1 20x 'SearchBM25Synthetic100k' | metric ns/op | awk '{print $2/1e6}')" ms/query lower "BM25 search 100k synthetic 1T"
done

# ---- table -----------------------------------------------------------------------
"$PY" - "$RES" "$ROUNDS" <<'PYEOF'
import statistics, sys
rows, order = {}, []
for line in open(sys.argv[1]):
    r, key, side, val, unit, better, label = line.rstrip("\n").split("\t")
    if key not in rows:
        rows[key] = {"ours": [], "anchor": [], "unit": unit, "better": better, "label": ""}
        order.append(key)
    if label:
        rows[key]["label"] = label
    try:
        rows[key][side].append(float(val))
    except ValueError:
        pass
print(f"ARS Lab vs anchors — medians of {sys.argv[2]} interleaved rounds")
print(f"| {'what':44} | {'ours':>10} | {'anchor':>10} | {'unit':10} | {'ours/anchor':>11} | better |")
print(f"|{'-'*46}|{'-'*12}|{'-'*12}|{'-'*12}|{'-'*13}|--------|")
for k in order:
    d = rows[k]
    o = statistics.median(d["ours"]) if d["ours"] else float("nan")
    a = statistics.median(d["anchor"]) if d["anchor"] else None
    ratio = f"{o / a:11.2f}" if a else f"{'—':>11}"
    an = f"{a:10.2f}" if a else f"{'—':>10}"
    print(f"| {d['label']:44} | {o:10.2f} | {an} | {d['unit']:10} | {ratio} | {d['better']:6} |")
PYEOF

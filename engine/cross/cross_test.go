package cross

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/tok"
	"github.com/arslab/arslab/engine/train"
)

var words = strings.Fields("apple river stone cloud tiger lemon piano rocket garden silver window candle forest ocean pepper violin marble desert falcon copper")

// synthetic is a reranking set: each query names one word; of its 4 candidates the
// relevant one (grade 2, or 1 for a near miss) contains the word.
func synthetic(n int) *datasets.Dataset {
	rng := rand.New(rand.NewSource(1))
	d := &datasets.Dataset{Name: "syn", Qrels: map[datasets.Split]datasets.Qrels{datasets.Train: {}, datasets.Dev: {}},
		Candidates: map[string][]string{}, RelMinDefault: 2}
	filler := func(k int, avoid string) string {
		var f []string
		for len(f) < k {
			if w := words[rng.Intn(len(words))]; w != avoid {
				f = append(f, w)
			}
		}
		return strings.Join(f, " ")
	}
	for q := 0; q < n; q++ {
		w := words[(q/5)%len(words)] // every word is asked in train and dev
		qid := fmt.Sprintf("q%d", q)
		d.Queries = append(d.Queries, datasets.Query{ID: qid, Text: "where is the " + w})
		sp := datasets.Train
		if q%5 == 4 {
			sp = datasets.Dev
		}
		d.Qrels[sp][qid] = map[string]int{}
		rel := rng.Intn(4)
		for c := 0; c < 4; c++ {
			pid := fmt.Sprintf("%s-c%d", qid, c)
			text := filler(6, w)
			grade := 0
			if c == rel {
				text = filler(3, w) + " " + w + " " + filler(2, w)
				grade = 2
			}
			d.Passages = append(d.Passages, datasets.Passage{ID: pid, Text: text})
			d.Candidates[qid] = append(d.Candidates[qid], pid)
			d.Qrels[sp][qid][pid] = grade
		}
	}
	return d
}

func smallCfg() Config {
	c := DefaultConfig()
	c.MaxLen, c.MaxQuery, c.Vocab, c.Batch, c.Epochs, c.LR = 32, 12, 200, 4, 6, 2e-3
	return c
}

func testTok(t *testing.T, d *datasets.Dataset) *tok.Tokenizer {
	var texts []string
	for _, p := range d.Passages {
		texts = append(texts, p.Text)
	}
	for _, q := range d.Queries {
		texts = append(texts, q.Text)
	}
	tk, err := tok.Train(texts, 200)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// The pair keeps the query whole while the passage is cut; types split at the first [SEP].
func TestPairIDsKeepQuery(t *testing.T) {
	d := synthetic(5)
	cfg := smallCfg()
	m, err := New(cfg, testTok(t, d))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("apple river stone ", 40)
	ids, types := m.PairIDs("where is the tiger", "", long)
	if len(ids) != cfg.MaxLen || len(types) != len(ids) {
		t.Fatalf("pair of %d ids / %d types, want %d", len(ids), len(types), cfg.MaxLen)
	}
	q := m.Tok.Encode("where is the tiger", "", cfg.MaxQuery)
	for i := range q {
		if ids[i] != q[i] || types[i] != 0 {
			t.Fatalf("query token %d: id %d type %d, want %d type 0", i, ids[i], types[i], q[i])
		}
	}
	cls, _ := m.Tok.ID(tok.CLSToken)
	sep, _ := m.Tok.ID(tok.SEPToken)
	if ids[0] != cls || ids[len(q)-1] != sep || ids[len(ids)-1] != sep || types[len(q)] != 1 || types[len(ids)-1] != 1 {
		t.Fatalf("layout %v types %v", ids, types)
	}
	// A query longer than MaxQuery is cut to MaxQuery; the passage still gets its share.
	ids, types = m.PairIDs(strings.Repeat("tiger ", 50), "", "apple river")
	nq := 0
	for _, y := range types {
		if y == 0 {
			nq++
		}
	}
	if nq != cfg.MaxQuery || len(ids) != cfg.MaxQuery+3 {
		t.Fatalf("long query: %d query tokens of %d", nq, len(ids))
	}
}

// The analytic gradient of the batch loss (head and encoder, both losses) against central
// differences of the float32 model (tolerance for float32 rounding).
func TestLossGradFiniteDifferences(t *testing.T) {
	d := synthetic(10)
	for _, loss := range []string{"bce", "listwise"} {
		cfg := smallCfg()
		cfg.Loss = loss
		m, err := New(cfg, testTok(t, d))
		if err != nil {
			t.Fatal(err)
		}
		tr := &trainer{ctx: context.Background(), cfg: cfg, ds: d, m: m, pairs: map[[2]int]Pair{}}
		tr.loss, _ = head.ParseCrossLoss(loss)
		if err := tr.buildGroups(); err != nil {
			t.Fatal(err)
		}
		batch := tr.groups[:3]
		// graded labels: make one candidate a near miss
		batch[0].grades = append([]int(nil), batch[0].grades...)
		for i, g := range batch[0].grades {
			if g == 0 {
				batch[0].grades[i] = 1
				break
			}
		}
		rng := rand.New(rand.NewSource(3))
		for _, p := range m.Params() { // away from the symmetric start
			for i := range p.W {
				p.W[i] += float32(0.05 * rng.NormFloat64())
			}
		}
		ps := m.Params()
		nn.ZeroGrad(ps)
		if _, _, err := tr.lossGrad(batch); err != nil {
			t.Fatal(err)
		}
		f := func() float64 {
			l, _, err := tr.lossGrad(batch)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		grads := map[string][]float32{}
		for _, p := range ps {
			grads[p.Name] = append([]float32(nil), p.G...)
		}
		checked := 0
		for _, p := range ps {
			var idx []int
			switch p.Name {
			case "head.w", "head.b", "encoder.emb.type", "encoder.layer1.ffn.w2", "encoder.layer0.attn.q.w", "encoder.emb.ln.g":
				for range 3 {
					idx = append(idx, rng.Intn(len(p.W)))
				}
			}
			for _, i := range idx {
				const eps = 1e-2
				o := p.W[i]
				p.W[i] = o + eps
				lp := f()
				p.W[i] = o - eps
				lm := f()
				p.W[i] = o
				num := (lp - lm) / (2 * eps)
				a := float64(grads[p.Name][i])
				if math.Abs(a-num) > 2e-4+2e-2*math.Max(math.Abs(a), math.Abs(num)) {
					t.Errorf("%s %s[%d]: analytic %g numeric %g", loss, p.Name, i, a, num)
				}
				checked++
			}
		}
		if checked < 15 {
			t.Fatalf("checked %d entries", checked)
		}
	}
}

// Training on the synthetic set learns it (dev MRR up, positives above negatives), writes
// a run folder that Load reads back with the same logits, and saliency covers both segments.
func TestTrainLoadSaliency(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny model")
	}
	d := synthetic(120)
	cfg := smallCfg()
	cfg.DevSplit = "dev"
	cfg.Epochs = 8
	dir := filepath.Join(t.TempDir(), "ce")
	events := make(chan train.Event, 1024)
	if err := Run(context.Background(), cfg, d, dir, events); err != nil {
		t.Fatal(err)
	}
	close(events)
	var steps, epochs int
	var last train.Event
	var firstLoss, lastLoss float64
	for ev := range events {
		switch ev.Kind {
		case train.StepEvent:
			if steps == 0 {
				firstLoss = ev.Loss
			}
			steps++
			lastLoss = ev.Loss
		case train.EpochEvent:
			epochs++
			last = ev
		}
	}
	if epochs != cfg.Epochs || steps == 0 || last.Dev == nil {
		t.Fatalf("%d steps, %d epochs, dev %v", steps, epochs, last.Dev)
	}
	t.Logf("loss %.3f → %.3f, dev %v", firstLoss, lastLoss, last.Dev)
	if last.Dev["mrr"] < 0.7 {
		t.Errorf("dev MRR %.3f after training on a word-matching set (chance ≈ 0.52)", last.Dev["mrr"])
	}
	if !IsRun(dir) {
		t.Fatal("IsRun false on the run folder")
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	run, err := RankGroups(context.Background(), m, d, datasets.Dev)
	if err != nil {
		t.Fatal(err)
	}
	pq, _ := metrics.EvaluateRerankPerQuery(run, d.Qrels[datasets.Dev], metrics.Options{RelMin: 2})
	if got := pq.Means()["mrr"]; math.Abs(got-last.Dev["mrr"]) > 1e-9 {
		t.Fatalf("reloaded model MRR %g, trained %g", got, last.Dev["mrr"])
	}
	logit, toks, err := m.Saliency("where is the tiger", "", "stone tiger lemon")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Score("where is the tiger", [][2]string{{"", "stone tiger lemon"}})
	if math.Abs(s[0]-logit) > 1e-5 {
		t.Fatalf("saliency logit %g, score %g", logit, s[0])
	}
	segs := map[int]bool{}
	for _, tk := range toks {
		segs[tk.Segment] = true
	}
	if !segs[0] || !segs[1] || toks[0].Text != tok.CLSToken {
		t.Fatalf("tokens %+v", toks)
	}
	for _, p := range m.Enc.Params() {
		for _, g := range p.G {
			if g != 0 {
				t.Fatalf("saliency left gradients in %s", p.Name)
			}
		}
	}
	// --init: a fresh model (another seed, longer positions) takes every encoder tensor.
	cfg2 := cfg
	cfg2.Seed, cfg2.MaxLen = 99, 40
	m2, err := New(cfg2, m.Tok)
	if err != nil {
		t.Fatal(err)
	}
	n, err := m2.initFrom(dir)
	if err != nil || n != len(m2.Enc.Params()) {
		t.Fatalf("initFrom copied %d of %d tensors: %v", n, len(m2.Enc.Params()), err)
	}
	for i, p := range m2.Enc.Params() {
		q := m.Enc.Params()[i]
		for j := range q.W {
			if p.W[j] != q.W[j] {
				t.Fatalf("%s[%d] not copied", p.Name, j)
			}
		}
	}
	// Refuses to overwrite.
	if err := Run(context.Background(), cfg, d, dir, nil); err == nil {
		t.Fatal("second run into the same folder accepted")
	}
}

// Retrieval sets: 1 positive + k negatives per judged pair (never a positive of the query,
// no repeats) and, with Pseudo, one cropped pseudo-query group per passage.
func TestRetrievalGroups(t *testing.T) {
	d, err := datasets.Demo()
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallCfg()
	cfg.Negatives, cfg.Pseudo = 3, 1
	m, err := New(cfg, testTok(t, d))
	if err != nil {
		t.Fatal(err)
	}
	tr := &trainer{ctx: context.Background(), cfg: cfg, ds: d, m: m, pairs: map[[2]int]Pair{}, loss: head.Listwise}
	if err := tr.buildGroups(); err != nil {
		t.Fatal(err)
	}
	judged := 0
	for _, rel := range d.Qrels[datasets.Train] {
		for _, g := range rel {
			if g > 0 {
				judged++
			}
		}
	}
	if len(tr.groups) != judged+len(d.Passages) {
		t.Fatalf("%d groups, want %d judged pairs + %d pseudo", len(tr.groups), judged, len(d.Passages))
	}
	for _, g := range tr.groups {
		if len(g.cands) != 4 || g.grades[0] <= 0 {
			t.Fatalf("group %+v", g)
		}
		seen := map[int]bool{}
		for i, c := range g.cands {
			if seen[c] || (i > 0 && g.grades[i] != 0) {
				t.Fatalf("group %+v repeats or grades a negative", g)
			}
			seen[c] = true
		}
	}
}

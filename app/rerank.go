package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/cross"
	"github.com/arslab/arslab/engine/tok"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

// trainReranker is `arslab train-reranker` (also `arslab train --head cross`): a
// cross-encoder trained on a split's candidate groups or on 1 positive + k BM25-mined
// hard negatives per judged pair.
func (e env) trainReranker(ctx context.Context, args []string) error {
	cfg := cross.DefaultConfig()
	fs := e.newFlags("train-reranker")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	out := fs.String("out", "", "run folder to write (runs/NAME); required")
	fs.StringVar(&cfg.Split, "split", cfg.Split, "split to train on (e.g. dev for SemEval-2016, whose train files are not staged)")
	fs.StringVar(&cfg.DevSplit, "dev-split", cfg.DevSplit, "reranking sets: split whose per-group metrics are reported at each epoch end")
	fs.StringVar(&cfg.Loss, "loss", cfg.Loss, "bce (pointwise, σ(logit) against grade/top grade) or listwise (softmax CE over each group)")
	fs.IntVar(&cfg.Negatives, "negatives", cfg.Negatives, "retrieval sets: hard negatives per positive (dataset's own, then BM25-mined)")
	fs.StringVar(&cfg.Preset, "preset", cfg.Preset, "encoder size: tiny or mini")
	fs.StringVar(&cfg.Pooling, "pooling", cfg.Pooling, "cls or mean")
	fs.IntVar(&cfg.MaxLen, "max-len", cfg.MaxLen, "max tokens per (query, passage) pair")
	fs.IntVar(&cfg.MaxQuery, "max-query", cfg.MaxQuery, "max tokens of the query part ([CLS] query [SEP])")
	fs.StringVar(&cfg.Init, "init", cfg.Init, "run folder whose encoder (and tokenizer) starts this one; default: from scratch")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "groups per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate (AdamW)")
	fs.Float64Var(&cfg.WeightDecay, "wd", cfg.WeightDecay, "AdamW weight decay")
	fs.Float64Var(&cfg.Warmup, "warmup", cfg.Warmup, "fraction of steps for linear warm-up")
	fs.Float64Var(&cfg.Clip, "clip", cfg.Clip, "max gradient norm (0 = off)")
	fs.IntVar(&cfg.Vocab, "vocab", cfg.Vocab, "WordPiece vocabulary size when trained in-process")
	fs.StringVar(&cfg.TokenizerDir, "tokenizer", cfg.TokenizerDir, "folder with vocab.txt or tokenizer.json (instead of training one)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	holdout, holdoutSeed := addHoldoutFlags(fs)
	fs.IntVar(&cfg.Pseudo, "pseudo", cfg.Pseudo, "retrieval sets: self-supervised pseudo-queries per passage (cropped spans, BM25 negatives)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageError{fmt.Sprintf("train-reranker: unexpected argument %q", pos[0])}
	case *out == "":
		return usageError{"train-reranker: --out is required (e.g. --out runs/ce-semeval)"}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{"train-reranker: " + err.Error()}
	}
	d, err := lab.LoadDataset(*data, datasets.LoadOptions{})
	if err != nil {
		return err
	}
	if *holdout != 0 {
		if d, err = lab.HoldOut(d, *holdout, *holdoutSeed); err != nil {
			return usageError{"train-reranker: --holdout: " + err.Error()}
		}
	}
	start := time.Now()
	job := lab.TrainReranker(ctx, cfg, d, *out)
	lastPrint := time.Time{}
	for ev := range job.Events() {
		switch ev.Kind {
		case train.StepEvent:
			if time.Since(lastPrint) < 2*time.Second && ev.Step != ev.TotalSteps {
				continue
			}
			lastPrint = time.Now()
			fmt.Fprintln(e.stderr, formatStep(ev))
		case train.EpochEvent:
			fmt.Fprintf(e.stderr, "epoch %d/%d done: dev %s\n", ev.Epoch, ev.Epochs, lab.FormatMetrics(ev.Dev))
		case train.InfoEvent:
			fmt.Fprintln(e.stderr, ev.Message)
		}
	}
	err = job.Wait()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "stopped; the last checkpoint is in %s\n", *out)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "trained cross-encoder (%s loss) in %s → %s\n", cfg.Loss, time.Since(start).Round(time.Second), *out)
	return nil
}

// wantsCross reports whether train's arguments ask for the cross-encoder head.
func wantsCross(args []string) bool {
	for i, a := range args {
		if a == "--head=cross" || a == "-head=cross" || ((a == "--head" || a == "-head") && i+1 < len(args) && args[i+1] == "cross") {
			return true
		}
	}
	return false
}

// withoutHead drops --head cross from args.
func withoutHead(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--head=cross" || a == "-head=cross":
		case (a == "--head" || a == "-head") && i+1 < len(args) && args[i+1] == "cross":
			i++
		default:
			out = append(out, a)
		}
	}
	return out
}

// rerankFlags are eval's and query's --rerank, --depth (and query's --json, --explain).
type rerankFlags struct {
	run         *string
	depth       *int
	json        *bool
	explain     *int
	holdout     *float64
	holdoutSeed *int64
}

func addRerankFlags(fs *flag.FlagSet) rerankFlags {
	r := rerankFlags{
		run:   fs.String("rerank", "", "cross-encoder or dense run folder that rescores --model's top --depth (a two-stage pipeline)"),
		depth: fs.Int("depth", lab.RerankDepth, "with --rerank: first-stage hits the cross-encoder rescores"),
	}
	if strings.HasSuffix(fs.Name(), "eval") {
		r.holdout, r.holdoutSeed = addHoldoutFlags(fs)
	}
	if strings.HasSuffix(fs.Name(), "query") {
		r.json = fs.Bool("json", false, "print the result as one JSON object")
		r.explain = fs.Int("explain", 1, "with --rerank: explain the tokens of this reranked hit (1-based; 0 = none)")
	}
	return r
}

func addHoldoutFlags(fs *flag.FlagSet) (*float64, *int64) {
	return fs.Float64("holdout", 0, "datasets with one judged split: hold out this fraction of its questions (seeded, by question) as test (dev when the split is test)"),
		fs.Int64("holdout-seed", 42, "with --holdout: seed of the permutation")
}

// openSplits is lab.OpenSplits, applying --holdout first when given (the held-out split is
// then the default one).
func (r rerankFlags) openSplits(ctx context.Context, data string, opts lab.Options, split string, progress engine.Progress) ([]*lab.Workspace, []datasets.Split, string, error) {
	if r.holdout == nil || *r.holdout == 0 {
		return lab.OpenSplits(ctx, data, opts, split, progress)
	}
	d, err := lab.LoadDataset(data, opts.Load)
	if err != nil {
		return nil, nil, "", err
	}
	if d, err = lab.HoldOut(d, *r.holdout, *r.holdoutSeed); err != nil {
		return nil, nil, "", usageError{"--holdout: " + err.Error()}
	}
	var splits []datasets.Split
	why := ""
	switch split {
	case "":
		sp, reason := d.DefaultSplit()
		splits, why = []datasets.Split{sp}, fmt.Sprintf("evaluating split %s of %s (%s)", sp, d.Name, reason)
	case "all":
		splits = d.Splits()
	default:
		splits = []datasets.Split{datasets.Split(split)}
	}
	var wss []*lab.Workspace
	for range splits {
		w, err := lab.New(ctx, d, opts, progress)
		if err != nil {
			return nil, nil, "", err
		}
		wss = append(wss, w)
	}
	return wss, splits, why, nil
}

// spec turns --model M --rerank R --depth N into "M>>R@N" (M alone without --rerank).
func (r rerankFlags) spec(model string) string {
	if *r.run == "" {
		return model
	}
	return lab.RerankSpec(model, *r.run, *r.depth)
}

// queryReranked prints one query through a first stage + cross-encoder pipeline: each hit
// with its σ, first-stage rank and move, the first-stage list beside it, the stage times
// and the gradient × input token saliency of one hit.
func (e env) queryReranked(ws *lab.Workspace, p *lab.Reranked, q string, k int, rr rerankFlags, rel map[string]int) error {
	res, err := p.Run(q, k)
	if err != nil {
		return err
	}
	d := ws.Data
	var ex *lab.TokenExplanation
	if n := *rr.explain; n > 0 && n <= len(res.Hits) {
		x, err := p.ExplainTokens(q, res.Hits[n-1].Index)
		if err != nil {
			return err
		}
		ex = &x
	}
	if *rr.json {
		type hit struct {
			Rank       int     `json:"rank"`
			ID         string  `json:"id"`
			Logit      float64 `json:"logit"`
			Sigma      float64 `json:"sigma"`
			FirstRank  int     `json:"first_rank"`
			FirstScore float64 `json:"first_score"`
			Move       int     `json:"move"`
			Relevant   bool    `json:"relevant"`
		}
		out := struct {
			Query       string                `json:"query"`
			Model       string                `json:"model"`
			Hits        []hit                 `json:"hits"`
			First       []string              `json:"first_stage"`
			FirstMs     float64               `json:"first_stage_ms"`
			RerankMs    float64               `json:"rerank_ms"`
			Pairs       int                   `json:"pairs"`
			ExplainRank int                   `json:"explain_rank,omitempty"`
			Explain     *lab.TokenExplanation `json:"explain,omitempty"`
		}{Query: q, Model: p.Name(), FirstMs: float64(res.FirstTime) / 1e6, RerankMs: float64(res.RerankTime) / 1e6, Pairs: res.RerankedPairs, Explain: ex}
		for i, h := range res.Hits {
			if i >= p.Depth {
				break
			}
			out.Hits = append(out.Hits, hit{i + 1, h.ID, h.Score, h.Prob, h.FirstRank, h.FirstScore, h.Move(i + 1), rel[h.ID] > 0})
		}
		for i, h := range res.First {
			if i >= k {
				break
			}
			out.First = append(out.First, h.ID)
		}
		if ex != nil {
			out.ExplainRank = *rr.explain
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", " ")
		return enc.Encode(out)
	}
	fmt.Fprintf(e.stdout, "%s on %s (%d passages): %q\n", p.Name(), d.Name, len(d.Passages), q)
	fmt.Fprintf(e.stdout, "first stage %s, rerank %s (%d pairs)\n", res.FirstTime.Round(time.Microsecond), res.RerankTime.Round(time.Microsecond), res.RerankedPairs)
	fmt.Fprintf(e.stdout, "  # ✓    logit      σ  was  move  %-44s│ %s\n", "passage (reranked)", p.First.Name)
	for i, h := range res.Hits {
		mark := " "
		if rel[h.ID] > 0 {
			mark = "✓"
		}
		right := ""
		if i < len(res.First) {
			f := res.First[i]
			fm := " "
			if rel[f.ID] > 0 {
				fm = "✓"
			}
			right = fmt.Sprintf("%2d %s %-12s %s", i+1, fm, f.ID, snippet(d.Passages[f.Index], 24))
		}
		if i >= p.Depth {
			fmt.Fprintf(e.stdout, "%3d %s %8s %6s %4d  %4s  %-44s│ %s\n", i+1, mark, "—", "—", h.FirstRank, "", h.ID+" "+snippet(d.Passages[h.Index], 30), right)
			continue
		}
		fmt.Fprintf(e.stdout, "%3d %s %8.3f %6.3f %4d  %4s  %-44s│ %s\n", i+1, mark, h.Score, h.Prob, h.FirstRank, formatMove(h.Move(i+1)), h.ID+" "+snippet(d.Passages[h.Index], 30), right)
	}
	if ex != nil {
		fmt.Fprintf(e.stdout, "\nwhy #%d (%s): logit %.3f σ %.3f — %s on the input embeddings; [+] raises, [-] lowers\n", *rr.explain, res.Hits[*rr.explain-1].ID, ex.Logit, ex.Prob, ex.Method)
		fmt.Fprintln(e.stdout, " query:   "+highlight(ex.Tokens, 0))
		fmt.Fprintln(e.stdout, " passage: "+highlight(ex.Tokens, 1))
	}
	return nil
}

// formatMove is ↑3, ↓2 or = for a hit's move.
func formatMove(m int) string {
	switch {
	case m > 0:
		return fmt.Sprintf("↑%d", m)
	case m < 0:
		return fmt.Sprintf("↓%d", -m)
	}
	return "="
}

// highlight writes a segment's tokens, marking the strongest third by |saliency| with
// [+tok] or [-tok] and the strongest five with their share in per cent.
func highlight(toks []cross.Token, seg int) string {
	var maxAbs float64
	for _, t := range toks {
		if t.Segment == seg {
			maxAbs = math.Max(maxAbs, math.Abs(t.Saliency))
		}
	}
	var b strings.Builder
	for _, t := range toks {
		if t.Segment != seg || t.Text == tok.CLSToken || t.Text == tok.SEPToken {
			continue
		}
		text := t.Text
		if strings.HasPrefix(text, "##") && b.Len() > 0 {
			text = text[2:]
		} else if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if maxAbs > 0 && math.Abs(t.Saliency) >= maxAbs/3 {
			sign := "+"
			if t.Saliency < 0 {
				sign = "-"
			}
			fmt.Fprintf(&b, "[%s%s]", sign, text)
			continue
		}
		b.WriteString(text)
	}
	return b.String()
}

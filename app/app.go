// Package app wires the engine, the datasets and the views into the arslab command.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

const usage = `arslab — train, evaluate and look inside small dense text retrievers.

Usage:
  arslab                      open the app on the embedded demo dataset
  arslab eval    --data PATH --model MODEL | --run-in FILE [--split dev|test|all] [--rerank runs/CE --depth 100] [--json]
                 [--rel-min N] [--run FILE] [--per-query FILE] [--bm25 k1=1.5,b=0.75] [--analyzer stem=ar] [--windows]
  arslab train   --data PATH --out runs/NAME [--preset tiny|mini | --init HF_FOLDER|runs/X] [--head ars|dot|cos] ...   (arslab train -h)
  arslab pretrain --data PATH [--data PATH]... --out runs/NAME [--objectives mlm=1,crop=1,bm25=1] [--steps N | --minutes M] ...
                 pre-train an encoder on the passages only (arslab pretrain -h)
  arslab export  runs/NAME --out DIR          the encoder(s) in Hugging Face BertModel layout (+ head, arslab.json)
  arslab train-reranker --data PATH --out runs/CE [--split train] [--loss listwise|bce] ...   a cross-encoder (= train --head cross)
  arslab query   --data PATH --model MODEL [--rerank runs/CE] [--k 10] [--json] "question"
  arslab dataset stats|validate --data PATH
  arslab compare --data PATH [--baseline M] [--rel-min N] [--format markdown|latex|json] MODEL MODEL...
  arslab sweep   --data PATH --out runs/SWEEP --grid 'head=ars,dot;negatives=hard:7,hard:29' [--seeds 1,2] [--set epochs=1]
  arslab bench   --data FOLDER|PATH... [--model bm25 --model tfidf ...] [--split all] [--format table|markdown|csv|json]
  arslab plot    runs/NAME [--out FILE.svg|.png]            curves of a training run as a figure
  arslab plot    --compare --data PATH [--out FILE.svg|.png] bm25 tfidf runs/NAME ...   Top-k curves
  arslab serve   [--listen 127.0.0.1:23234] [--host-key PATH] [--authorized-keys PATH | --open [--allow-training]] ...

A MODEL is bm25, tfidf, a run folder (runs/NAME), a fusion (fuse:rrf(k=60):bm25+runs/NAME) or a pipeline
(bm25>>runs/CE@100). --data takes a BEIR folder, SQuAD-style .json (or a folder of one set's split files),
ViQuAD list .json, question-context .csv/.tsv, SemEval Task 3 .xml, training triples .jsonl, DPR .json or reranking
.jsonl/.tsv; --corpus/--queries/--qrels give a set as three files (zip:inner works). "demo" (the default) is the
embedded demo dataset. Each command's -h lists its flags.
`

// env is what a command sees of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help") {
		return e.report(runTUI(ctx, e, args))
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "eval":
		err = e.eval(ctx, rest)
	case "train":
		if wantsCross(rest) {
			err = e.trainReranker(ctx, withoutHead(rest))
		} else {
			err = e.train(ctx, rest)
		}
	case "train-reranker":
		err = e.trainReranker(ctx, rest)
	case "pretrain":
		err = e.pretrain(ctx, rest)
	case "export":
		err = e.export(ctx, rest)
	case "query":
		err = e.query(ctx, rest)
	case "dataset":
		err = e.dataset(ctx, rest)
	case "bench":
		err = e.bench(ctx, rest)
	case "compare":
		err = e.compare(ctx, rest)
	case "sweep":
		err = e.sweep(ctx, rest)
	case "serve":
		err = e.serve(ctx, rest)
	case "plot":
		err = e.plot(ctx, rest)
	case "tui", "app":
		err = runTUI(ctx, e, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "arslab: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	return e.report(err)
}

// usageError marks a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func (e env) report(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(e.stderr, "arslab:", err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(e.stderr, "arslab: cancelled")
		return 130
	default:
		fmt.Fprintln(e.stderr, "arslab:", err)
		return 1
	}
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func (e env) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("arslab "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse parses args, allowing flags after positional arguments ("query --k 5 text --data x").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseKs parses "1,5,10".
func parseKs(s string) ([]int, error) {
	var ks []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, err := strconv.Atoi(f)
		if err != nil || k <= 0 {
			return nil, usageError{fmt.Sprintf("--k: %q is not a positive integer", f)}
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, usageError{"--k: no cut-offs given"}
	}
	return ks, nil
}

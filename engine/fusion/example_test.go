package fusion_test

import (
	"fmt"

	"github.com/arslab/arslab/engine/fusion"
)

// Parse a fused model name, retrieve each member's list (here given), then fuse.
func ExampleFuse() {
	spec, err := fusion.Parse("fuse:rrf(k=60):bm25+runs/dense")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Members, spec)
	bm25 := []fusion.Scored{{ID: "a", Score: 12.1}, {ID: "b", Score: 9.7}, {ID: "c", Score: 9.7}}
	dense := []fusion.Scored{{ID: "c", Score: 0.83}, {ID: "a", Score: 0.80}, {ID: "d", Score: 0.41}}
	fused, _ := fusion.Fuse(spec, [][]fusion.Scored{bm25, dense})
	for _, s := range fused {
		fmt.Printf("%s %.6f\n", s.ID, s.Score)
	}
	_, err = fusion.Parse("fuse:combsum(norm=l2):bm25+tfidf")
	fmt.Println(err)
	// Output:
	// [bm25 runs/dense] fuse:rrf(k=60):bm25+runs/dense
	// a 0.032522
	// c 0.032266
	// b 0.016129
	// d 0.015873
	// fusion: "fuse:combsum(norm=l2):bm25+tfidf" at column 19: expected none, minmax or zscore for norm, found "l2"
}

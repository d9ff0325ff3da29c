package nn

import "sync"

// arena hands out scratch slices from reusable buffers, like a stack: get bumps a
// position, release(mark) pops back to it, reset empties it. The buffers are chunks
// kept in order. A request that does not fit in the rest of the current chunk moves
// on to the next chunk; a chunk too small for a request made at its start is replaced
// by a larger one (with 1/8 headroom, as shapes that grow once tend to grow again), and
// past the last chunk a new one is appended — so once shapes repeat (every training
// step) nothing is allocated, and growing never holds an old and a new copy of the
// whole arena at once (the first step's peak is the arena's size, not twice it). Small
// requests share chunks of at least arenaMinChunk values. Slices are NOT zeroed: every
// user overwrites what it gets. A nil *arena allocates with make.
type arena[T Float] struct {
	chunks   [][]T
	cur, off int // the chunk being filled and the next free offset in it
}

// arenaMark is a position of an arena, for release.
type arenaMark struct{ cur, off int }

// arenaMinChunk is the smallest chunk (values): 1 MiB of float32.
const arenaMinChunk = 1 << 18

func (a *arena[T]) get(n int) []T {
	if a == nil {
		return make([]T, n)
	}
	for ; a.cur < len(a.chunks); a.cur, a.off = a.cur+1, 0 {
		c := a.chunks[a.cur]
		if a.off+n <= len(c) {
			a.off += n
			return c[a.off-n : a.off : a.off]
		}
		if a.off == 0 { // nothing of this chunk is in use: replace it by a larger one
			c = make([]T, max(n+n/8, arenaMinChunk))
			a.chunks[a.cur] = c
			a.off = n
			return c[:n:n]
		}
	}
	c := make([]T, max(n, arenaMinChunk))
	a.chunks = append(a.chunks, c)
	a.cur, a.off = len(a.chunks)-1, n
	return c[:n:n]
}

func (a *arena[T]) mark() arenaMark {
	if a == nil {
		return arenaMark{}
	}
	return arenaMark{a.cur, a.off}
}

func (a *arena[T]) release(m arenaMark) {
	if a != nil {
		a.cur, a.off = m.cur, m.off
	}
}

func (a *arena[T]) reset() { a.cur, a.off = 0, 0 }

// size is the number of values the arena holds.
func (a *arena[T]) size() int {
	n := 0
	for _, c := range a.chunks {
		n += len(c)
	}
	return n
}

// arenaPool keeps a few idle arenas for an Encoder (one per concurrent call in flight).
type arenaPool struct {
	mu   sync.Mutex
	free []*arena[float32]
}

const maxIdleArenas = 4

func (p *arenaPool) take() *arena[float32] {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		a := p.free[n-1]
		p.free = p.free[:n-1]
		return a
	}
	return &arena[float32]{}
}

func (p *arenaPool) give(a *arena[float32]) {
	a.reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < maxIdleArenas {
		p.free = append(p.free, a)
	}
}

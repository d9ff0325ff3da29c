package nn

import "sync"

// arena hands out scratch slices from one reusable buffer, like a stack: get bumps an
// offset, release(mark) pops back to it, reset empties it. Requests that do not fit are
// served by make and counted, and the next reset grows the buffer to the peak seen, so
// once shapes repeat (every training step) nothing is allocated. Slices are NOT zeroed:
// every user overwrites what it gets. A nil *arena allocates with make.
type arena[T Float] struct {
	buf       []T
	off, peak int
}

func (a *arena[T]) get(n int) []T {
	if a == nil {
		return make([]T, n)
	}
	var s []T
	if a.off+n <= len(a.buf) {
		s = a.buf[a.off : a.off+n : a.off+n]
	} else {
		s = make([]T, n)
	}
	a.off += n
	a.peak = max(a.peak, a.off)
	return s
}

func (a *arena[T]) mark() int {
	if a == nil {
		return 0
	}
	return a.off
}

func (a *arena[T]) release(mark int) {
	if a != nil {
		a.off = mark
	}
}

func (a *arena[T]) reset() {
	if a.peak > len(a.buf) {
		a.buf = make([]T, a.peak)
	}
	a.off = 0
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

package train

import (
	"context"
	"time"
)

// ControlFrom returns the Control that WithControl attached to ctx, or nil. Other
// trainers (engine/pretrain) pause between their steps through it, as Run does.
func ControlFrom(ctx context.Context) *Control { return controlFrom(ctx) }

// Wait blocks while a pause is in effect, until Resume or ctx is done, and returns how
// long it waited (ctx's error when ctx ended the wait).
func (c *Control) Wait(ctx context.Context) (time.Duration, error) { return c.wait(ctx) }

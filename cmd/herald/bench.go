package main

import (
	"context"
	"errors"
	"io"
)

// cmdBench runs the reproducible benchmarks recorded in BENCHMARKS.md.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("usage: herald bench calendar (not built yet)")
}

package publishers

import (
	"context"
	"sync"
)

// CollectMetrics reads the metrics of each post with read, for a network that has no batch
// look-up: each distinct, non-empty id once, at most concurrency at a time. A post read reports
// missing (ok false: the network no longer has it) is absent from the map. The first failure
// cancels the reads still running and is returned. complete is false, with no error, when ctx
// ended before every id was read; the caller says so in its network's words.
func CollectMetrics(ctx context.Context, ids []string, concurrency int,
	read func(ctx context.Context, id string) (m Metrics, ok bool, err error)) (out map[string]Metrics, complete bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, max(concurrency, 1))
		seen     = make(map[string]bool, len(ids))
	)
	out = make(map[string]Metrics, len(ids))
	complete = true
loop:
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			complete = false
			break loop
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			defer func() { <-sem }()
			m, ok, err := read(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
					cancel()
				}
			case ok:
				out[id] = m
			}
		}(id)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, false, firstErr
	}
	if !complete {
		return nil, false, nil
	}
	return out, true, nil
}

package publishers

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCollectMetrics(t *testing.T) {
	var mu sync.Mutex
	reads := map[string]int{}
	var running, most atomic.Int32
	read := func(ctx context.Context, id string) (Metrics, bool, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		reads[id]++
		mu.Unlock()
		if id == "gone" {
			return Metrics{}, false, nil
		}
		v := int64(len(id))
		return Metrics{Likes: &v}, true, nil
	}
	out, complete, err := CollectMetrics(context.Background(), []string{"a", "bb", "a", "", "gone", "ccc", "dddd"}, 2, read)
	if err != nil || !complete {
		t.Fatalf("err %v, complete %v", err, complete)
	}
	if len(out) != 4 || *out["ccc"].Likes != 3 {
		t.Errorf("out %v", out)
	}
	if _, ok := out["gone"]; ok {
		t.Error("a missing post is in the map")
	}
	if reads["a"] != 1 || reads[""] != 0 {
		t.Errorf("reads %v", reads)
	}
	if most.Load() > 2 {
		t.Errorf("%d reads at once, want at most 2", most.Load())
	}

	// The first failure cancels the reads after it and is returned.
	boom := errors.New("boom")
	var after atomic.Int32
	_, _, err = CollectMetrics(context.Background(), []string{"1", "2", "3", "4"}, 1, func(ctx context.Context, id string) (Metrics, bool, error) {
		if id == "2" {
			return Metrics{}, false, boom
		}
		if id > "2" && ctx.Err() == nil {
			after.Add(1)
		}
		return Metrics{}, true, nil
	})
	if !errors.Is(err, boom) || after.Load() != 0 {
		t.Errorf("err %v, %d reads after the failure with a live context", err, after.Load())
	}

	// A context that ends before every id was read leaves the result incomplete, without an
	// error: the first read ends it while it holds the only slot.
	ctx, cancel := context.WithCancel(context.Background())
	out, complete, err = CollectMetrics(ctx, []string{"1", "2"}, 1, func(ctx context.Context, id string) (Metrics, bool, error) {
		cancel()
		time.Sleep(20 * time.Millisecond)
		return Metrics{}, true, nil
	})
	if err != nil || complete || out != nil {
		t.Errorf("ended context: %v, %v, %v", out, complete, err)
	}
}

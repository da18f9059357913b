package publishers

import (
	"fmt"
	"sort"
	"sync"
)

// Registry holds the publishers this process can use, by name. Publishers are configured at
// start-up (HTTP client, app credentials, base URLs) and registered once.
type Registry struct {
	mu   sync.RWMutex
	byID map[string]Publisher
}

// NewRegistry returns a registry holding ps.
func NewRegistry(ps ...Publisher) *Registry {
	r := &Registry{byID: map[string]Publisher{}}
	for _, p := range ps {
		r.Register(p)
	}
	return r
}

// Register adds p; registering a name twice is a programming error.
func (r *Registry) Register(p Publisher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := p.Meta().Name
	if _, dup := r.byID[name]; dup {
		panic(fmt.Sprintf("publishers: %q registered twice", name))
	}
	r.byID[name] = p
}

// Get returns the publisher of a network.
func (r *Registry) Get(name string) (Publisher, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.byID[name]
	return p, ok
}

// All lists the registered publishers by name.
func (r *Registry) All() []Publisher {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Publisher, 0, len(r.byID))
	for _, p := range r.byID {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Meta().Name < out[j].Meta().Name })
	return out
}

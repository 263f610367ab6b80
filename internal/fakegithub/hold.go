package fakegithub

import "sync"

// holds gates operations a test has put on hold.
type holds struct {
	mu    sync.Mutex
	gates map[string]chan struct{}
}

// Hold makes requests to operation (an Op constant) wait, once validated and
// authenticated, until release is called or the client gives up: a slow
// GitHub, to catch the app mid-request (a newer push, a crash, a shutdown).
func (s *Server) Hold(operation string) (release func()) {
	if _, ok := routeTable[operation]; !ok {
		s.t.Fatalf("fakegithub: Hold: the fake serves no operation %q", operation)
	}
	gate := make(chan struct{})
	s.holds.mu.Lock()
	if s.holds.gates == nil {
		s.holds.gates = map[string]chan struct{}{}
	}
	s.holds.gates[operation] = gate
	s.holds.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.holds.mu.Lock()
			if s.holds.gates[operation] == gate {
				delete(s.holds.gates, operation)
			}
			s.holds.mu.Unlock()
			close(gate)
		})
	}
	s.t.Cleanup(release)
	return release
}

// wait blocks while c's operation is on hold; it never stops the request.
func (c *call) wait(route) (reply, bool) {
	c.s.holds.mu.Lock()
	gate := c.s.holds.gates[c.op]
	c.s.holds.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-c.r.Context().Done():
		}
	}
	return reply{}, false
}

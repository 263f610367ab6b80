package onboard_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/store"
)

// opRedeliver is the redelivery operation of the fake.
const opRedeliver = "POST /app/hook/deliveries/{delivery_id}/attempts"

// receiver is the app's webhook endpoint as the test wants it to behave:
// status(index, attempt) decides each answer, index numbering GUIDs in the
// order they first arrived (from 0), attempt counting from 1.
type receiver struct {
	mu       sync.Mutex
	index    map[string]int
	attempts map[string]int
	status   func(index, attempt int) int
	srv      *httptest.Server
}

func newReceiver(t *testing.T, status func(index, attempt int) int) *receiver {
	rc := &receiver{index: map[string]int{}, attempts: map[string]int{}, status: status}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		guid := r.Header.Get("X-GitHub-Delivery")
		rc.mu.Lock()
		if _, seen := rc.index[guid]; !seen {
			rc.index[guid] = len(rc.index)
		}
		rc.attempts[guid]++
		code := rc.status(rc.index[guid], rc.attempts[guid])
		rc.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// deliver sends a ping through the fake to the receiver.
func (rc *receiver) deliver(t *testing.T, gh *fakegithub.Server) fakegithub.Delivery {
	t.Helper()
	return gh.Deliver(rc.srv.URL, "a-webhook-secret-of-16+", gh.PingEvent(rc.srv.URL))
}

// redeliverer returns a Redeliverer on kv against the fake.
func redeliverer(t *testing.T, gh *fakegithub.Server, kv store.KV) *onboard.Redeliverer {
	return &onboard.Redeliverer{AppClient: func() (*github.Client, error) { return appClient(t, gh), nil }, KV: kv}
}

// run runs once and waits for the redeliveries it asked for.
func run(t *testing.T, gh *fakegithub.Server, rd *onboard.Redeliverer) onboard.RedeliveryResult {
	t.Helper()
	res, err := rd.RunOnce(t.Context())
	must(t, err)
	gh.WaitRedeliveries()
	return res
}

// TestRedeliverOnceAcrossRestart: a delivery that keeps failing is
// redelivered exactly once, across two runs and a restart; the others
// are left alone.
func TestRedeliverOnceAcrossRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		gh := fakegithub.New(t)
		rc := newReceiver(t, func(index, _ int) int {
			if index == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusAccepted
		})
		rc.deliver(t, gh)
		failed := rc.deliver(t, gh)
		rc.deliver(t, gh)

		rd := redeliverer(t, gh, b.reopen(t))
		res := run(t, gh, rd)
		if !slices.Equal(res.Redelivered, []string{failed.GUID}) || res.Walked != 3 {
			t.Fatalf("first run %+v, want %s redelivered of 3", res, failed.GUID)
		}
		res = run(t, gh, rd)
		if len(res.Redelivered) != 0 || !slices.Equal(res.GaveUp, []string{failed.GUID}) || res.Walked != 1 {
			t.Fatalf("second run %+v, want only the failed redelivery walked, given up", res)
		}
		rd = redeliverer(t, gh, b.reopen(t)) // restart
		res = run(t, gh, rd)
		if len(res.Redelivered)+len(res.GaveUp)+res.Walked != 0 {
			t.Fatalf("run after restart %+v, want nothing new", res)
		}
		posts := gh.RequestsTo(opRedeliver)
		if len(posts) != 1 || posts[0].Path != "/app/hook/deliveries/"+strconv.FormatInt(failed.ID, 10)+"/attempts" {
			t.Fatalf("redelivery requests %+v, want one for delivery %d", posts, failed.ID)
		}
	})
}

// TestNoRedeliveryAfterSuccess: a GUID that failed, then succeeded (a
// manual redelivery), is not redelivered.
func TestNoRedeliveryAfterSuccess(t *testing.T) {
	gh := fakegithub.New(t)
	rc := newReceiver(t, func(_, attempt int) int {
		if attempt == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	d := rc.deliver(t, gh)
	gh.Redeliver(d)
	res := run(t, gh, redeliverer(t, gh, memStore(t)))
	if len(res.Redelivered)+len(res.GaveUp) != 0 || res.Walked != 2 || len(gh.RequestsTo(opRedeliver)) != 0 {
		t.Fatalf("run %+v: want the two attempts walked and nothing redelivered", res)
	}
}

// TestRedeliverPaginates: failures spread over several pages (cursor from
// the Link header) are all found; a later run walks only new deliveries;
// MaxPerRun defers the excess to the next run.
func TestRedeliverPaginates(t *testing.T) {
	gh := fakegithub.New(t)
	rc := newReceiver(t, func(index, attempt int) int {
		if attempt == 1 && index%7 == 3 {
			return http.StatusBadGateway
		}
		return http.StatusAccepted
	})
	var failed []string
	for range 23 {
		if d := rc.deliver(t, gh); d.StatusCode == http.StatusBadGateway {
			failed = append(failed, d.GUID)
		}
	}
	rd := redeliverer(t, gh, memStore(t))
	rd.PerPage, rd.MaxPerRun = 5, 2
	res := run(t, gh, rd)
	if len(failed) != 3 || res.Pages != 5 || res.Walked != 23 || len(res.Redelivered) != 2 || res.Deferred != 1 {
		t.Fatalf("first run %+v (failed %v): want 5 pages, 23 walked, 2 redelivered, 1 deferred", res, failed)
	}
	for _, req := range gh.RequestsTo("GET /app/hook/deliveries")[1:] {
		if req.Query.Get("cursor") == "" || req.Query.Get("per_page") != "5" {
			t.Errorf("page request %s?%s: want the cursor of the Link header and per_page=5", req.Path, req.Query.Encode())
		}
	}
	first := res.Redelivered
	res = run(t, gh, rd) // the cursor did not move: walks everything again
	if len(res.Redelivered) != 1 || res.Deferred != 0 {
		t.Fatalf("second run %+v: want the deferred one redelivered", res)
	}
	all := append(append([]string(nil), first...), res.Redelivered...)
	slices.Sort(all)
	slices.Sort(failed)
	if !slices.Equal(all, failed) {
		t.Errorf("redelivered %v, want %v", all, failed)
	}
	rc.deliver(t, gh)
	res = run(t, gh, rd)
	if res.Walked != 2 || len(res.Redelivered) != 0 {
		t.Errorf("third run %+v: want only the new delivery and the last redelivery walked", res)
	}
	if got := len(gh.RequestsTo(opRedeliver)); got != 3 {
		t.Errorf("%d redelivery requests, want 3", got)
	}
	gh.AssertWithinSecondaryLimits(t)
}

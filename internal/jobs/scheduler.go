package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Job kinds.
const (
	// KindWebhook is a queued GitHub webhook delivery.
	KindWebhook = "webhook"
	// KindInternal is work the app queues for itself (a SARIF upload to
	// import, a scheduled re-evaluation); its Delivery.EventType names the
	// internal event, handled by an EventHandler like a webhook.
	KindInternal = "internal"
)

// DefaultDedupTTL is how long a delivery GUID is remembered. GitHub lets an
// operator redeliver deliveries from the past 3 days
// (https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks),
// so a GUID is remembered a little longer than that.
const DefaultDedupTTL = 4 * 24 * time.Hour

// Delivery is the durable form of one webhook delivery.
type Delivery struct {
	EventType  string          `json:"event"`
	DeliveryID string          `json:"delivery"`
	Payload    json.RawMessage `json:"payload"`
}

// Scheduler implements githubapp.Scheduler by persisting each dispatch to the
// durable queue. The dispatcher answers GitHub only after Schedule returns,
// so a 2xx answer means the delivery is safely queued.
type Scheduler struct {
	Queue    store.Queue
	DedupTTL time.Duration
	// OnDuplicate, when set, is called for deliveries already queued.
	OnDuplicate func(deliveryID string)
}

var _ githubapp.Scheduler = (*Scheduler)(nil)

// Schedule queues the dispatch, once per delivery GUID.
func (s *Scheduler) Schedule(ctx context.Context, d githubapp.Dispatch) error {
	body, err := json.Marshal(Delivery{EventType: d.EventType, DeliveryID: d.DeliveryID, Payload: d.Payload})
	if err != nil {
		return fmt.Errorf("encoding delivery: %w", err)
	}
	ttl := s.DedupTTL
	if ttl == 0 {
		ttl = DefaultDedupTTL
	}
	job := &store.Job{Kind: KindWebhook, Payload: body}
	if d.DeliveryID != "" {
		job.DedupKey = "delivery:" + d.DeliveryID
	}
	queued, err := s.Queue.Enqueue(ctx, job, ttl)
	if err != nil {
		return fmt.Errorf("queueing delivery %s: %w", d.DeliveryID, err)
	}
	log := zerolog.Ctx(ctx)
	if !queued {
		log.Info().Msg("Duplicate delivery ignored")
		githubapp.SetResponder(ctx, duplicateResponse)
		if s.OnDuplicate != nil {
			s.OnDuplicate(d.DeliveryID)
		}
		return nil
	}
	log.Debug().Str("job_id", job.ID).Msg("Delivery queued")
	return nil
}

// duplicateResponse answers a delivery that was already queued.
func duplicateResponse(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"status":"duplicate"}` + "\n"))
}

// EnqueueInternal queues work for the app itself: event names the handler
// (see Pool.Handlers), dedupKey (optional) makes it idempotent, and payload
// is the handler's input, a JSON document.
func EnqueueInternal(ctx context.Context, q store.Queue, event, dedupKey string, payload []byte) (bool, error) {
	body, err := json.Marshal(Delivery{EventType: event, DeliveryID: dedupKey, Payload: payload})
	if err != nil {
		return false, fmt.Errorf("encoding %s job: %w", event, err)
	}
	job := &store.Job{Kind: KindInternal, Payload: body}
	if dedupKey != "" {
		job.DedupKey = "internal:" + event + ":" + dedupKey
	}
	ok, err := q.Enqueue(ctx, job, DefaultDedupTTL)
	if err != nil {
		return false, fmt.Errorf("queueing %s job: %w", event, err)
	}
	return ok, nil
}

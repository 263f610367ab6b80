package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Pool defaults.
const (
	DefaultLease       = 2 * time.Minute
	DefaultMaxAttempts = 5
	DefaultGrace       = 30 * time.Second
	// claimWait bounds one blocking Claim so the loop notices shutdown.
	claimWait = time.Second
	// maxBusyAttempts bounds retries caused only by contention.
	maxBusyAttempts = 1000
	maxBackoff      = 5 * time.Minute
	// maxCrashes is how many times a job may take its worker down.
	maxCrashes = 3
	// runningTTL bounds how long a "running" marker outlives a dead worker.
	runningTTL  = 7 * 24 * time.Hour
	baseBackoff = 5 * time.Second
)

// Pool claims jobs from the queue and runs their handlers, at most Workers at
// a time, on go-githubapp's asynchronous scheduler. A job is acknowledged
// when its handler returns nil (or a permanent error), given back with a
// delay when it fails, and reclaimed by any replica if this process dies.
type Pool struct {
	Queue store.Queue
	// State, when set, lets the pool notice jobs whose worker died while
	// running them (a crash, OOM or SIGKILL): after maxCrashes such claims
	// the job is dead-lettered instead of killing workers forever.
	State    store.KV
	Handlers []githubapp.EventHandler
	// Workers is the number of jobs run at once.
	Workers int
	// Consumer names this process in the queue (unique per replica).
	Consumer string
	// Lease is how long a claimed job stays ours without renewal; the pool
	// renews it while the handler runs.
	Lease       time.Duration
	MaxAttempts int
	// Grace is how long Run waits for running handlers at shutdown before
	// cancelling them (their jobs then go back to the queue).
	Grace  time.Duration
	Logger zerolog.Logger

	handlers map[string]githubapp.EventHandler
	slots    chan struct{}
	wg       sync.WaitGroup
}

// Run claims and runs jobs until ctx is cancelled, then drains: it waits up to
// Grace for running handlers, cancels the rest and returns after they have
// given their jobs back.
func (p *Pool) Run(ctx context.Context) error {
	p.init()
	hardCtx, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	sched := githubapp.AsyncScheduler(
		githubapp.WithContextDeriver(func(c context.Context) context.Context {
			return zerolog.Ctx(c).WithContext(githubapp.InitializeResponder(hardCtx))
		}),
		githubapp.WithAsyncErrorCallback(func(c context.Context, d githubapp.Dispatch, err error) {
			zerolog.Ctx(c).Error().Err(err).Msg("Job handler failed")
		}),
	)
	for ctx.Err() == nil {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		if !p.claimOne(ctx, sched) {
			<-p.slots
		}
	}
	p.drain(cancelHard)
	return nil
}

func (p *Pool) init() {
	if p.Workers <= 0 {
		p.Workers = 1
	}
	if p.Lease <= 0 {
		p.Lease = DefaultLease
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.Grace <= 0 {
		p.Grace = DefaultGrace
	}
	p.slots = make(chan struct{}, p.Workers)
	p.handlers = make(map[string]githubapp.EventHandler)
	for i := len(p.Handlers) - 1; i >= 0; i-- {
		for _, ev := range p.Handlers[i].Handles() {
			p.handlers[ev] = p.Handlers[i]
		}
	}
}

func (p *Pool) drain(cancelHard context.CancelFunc) {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(p.Grace):
		p.Logger.Warn().Dur("grace", p.Grace).Msg("Shutdown grace period over; cancelling running jobs, they go back to the queue")
		cancelHard()
		<-done
	}
}

// claimOne claims one job and schedules it; it reports whether a slot was
// handed to a running job.
func (p *Pool) claimOne(ctx context.Context, sched githubapp.Scheduler) bool {
	job, err := p.Queue.Claim(ctx, p.Consumer, p.Lease, claimWait)
	if err != nil {
		if ctx.Err() == nil {
			p.Logger.Error().Err(err).Msg("Claiming a job failed")
			sleepCtx(ctx, claimWait)
		}
		return false
	}
	if job == nil {
		return false
	}
	var d Delivery
	if err := json.Unmarshal(job.Payload, &d); err != nil || (job.Kind != KindWebhook && job.Kind != KindInternal) {
		p.Logger.Error().Err(err).Str("job_id", job.ID).Str("kind", job.Kind).Msg("Dropping a job this version cannot read")
		p.ack(job)
		return false
	}
	h, ok := p.handlers[d.EventType]
	if !ok {
		if job.Kind == KindInternal {
			p.Logger.Error().Str("event", d.EventType).Str("job_id", job.ID).Msg("No handler for an internal job; dropped")
		}
		p.ack(job)
		return false
	}
	if p.crashedTooOften(ctx, job) {
		return false
	}
	logger := p.Logger.With().Str(githubapp.LogKeyEventType, d.EventType).
		Str(githubapp.LogKeyDeliveryID, d.DeliveryID).Str("job_id", job.ID).Int("attempt", job.Attempts).Logger()
	p.wg.Add(1)
	t := &tracked{pool: p, job: job, inner: h}
	if err := sched.Schedule(logger.WithContext(ctx), githubapp.Dispatch{
		Handler: t, EventType: d.EventType, DeliveryID: d.DeliveryID, Payload: d.Payload,
	}); err != nil {
		t.settle(err)
	}
	return true
}

// crashedTooOften records that job is about to run and reports (after
// dead-lettering it) whether earlier claims of it died mid-run too often.
func (p *Pool) crashedTooOften(ctx context.Context, job *store.Job) bool {
	if p.State == nil {
		return false
	}
	running, crashes := "job:running:"+job.ID, "job:crashes:"+job.ID
	if _, err := p.State.Get(ctx, running); err == nil {
		n := 1
		if b, err := p.State.Get(ctx, crashes); err == nil {
			fmt.Sscan(string(b), &n)
			n++
		}
		_ = p.State.Put(ctx, crashes, []byte(fmt.Sprint(n)), runningTTL)
		p.Logger.Warn().Str("job_id", job.ID).Int("crashes", n).Msg("A worker died while running this job")
		if n >= maxCrashes {
			p.Logger.Error().Str("job_id", job.ID).Msg("Job took its worker down too often; dead-lettered")
			_ = p.Queue.Nack(context.Background(), job, 0, 1)
			p.forget(job)
			return true
		}
	}
	_ = p.State.Put(ctx, running, []byte("1"), runningTTL)
	return false
}

// forget removes the job's crash bookkeeping once it is settled.
func (p *Pool) forget(job *store.Job) {
	if p.State != nil {
		_ = p.State.Delete(context.Background(), "job:running:"+job.ID)
		_ = p.State.Delete(context.Background(), "job:crashes:"+job.ID)
	}
}

func (p *Pool) ack(job *store.Job) {
	if err := p.Queue.Ack(context.Background(), job); err != nil {
		p.Logger.Warn().Err(err).Str("job_id", job.ID).Msg("Acknowledging a job failed")
	}
}

// tracked wraps a handler so that its job is renewed while it runs and
// settled (acknowledged or given back) when it ends, even by panic.
type tracked struct {
	pool  *Pool
	job   *store.Job
	inner githubapp.EventHandler
	once  sync.Once
}

func (t *tracked) Handles() []string { return t.inner.Handles() }

func (t *tracked) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := t.keepLease(ctx, cancel)
	panicked := true
	defer func() {
		stop()
		if panicked {
			t.settle(errors.New("handler panicked"))
		}
	}()
	err = t.inner.Handle(ctx, eventType, deliveryID, payload)
	panicked = false
	t.settle(err)
	if err != nil && !IsPermanent(err) {
		var r *RetryError
		if errors.As(err, &r) && r.Busy {
			return nil // contention is routine, not an error to report
		}
	}
	return err
}

// keepLease renews the job's lease until stop is called; losing the lease
// cancels the handler, since another replica now owns the job.
func (t *tracked) keepLease(ctx context.Context, cancel context.CancelFunc) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(t.pool.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				err := t.pool.Queue.Extend(context.WithoutCancel(ctx), t.job, t.pool.Lease)
				if errors.Is(err, store.ErrLeaseLost) {
					zerolog.Ctx(ctx).Warn().Msg("Job lease lost; another worker owns it now")
					cancel()
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// settle acknowledges or gives back the job exactly once.
func (t *tracked) settle(err error) {
	t.once.Do(func() {
		defer func() { t.pool.forget(t.job); <-t.pool.slots; t.pool.wg.Done() }()
		p, log := t.pool, t.pool.Logger.With().Str("job_id", t.job.ID).Logger()
		switch {
		case err == nil:
			p.ack(t.job)
		case IsPermanent(err):
			log.Error().Err(err).Msg("Job failed permanently; dropped")
			p.ack(t.job)
		default:
			delay, max := p.retryPlan(t.job, err)
			log.Warn().Err(err).Dur("retry_in", delay).Msg("Job will be retried")
			if nerr := p.Queue.Nack(context.Background(), t.job, delay, max); nerr != nil && !errors.Is(nerr, store.ErrLeaseLost) {
				log.Error().Err(nerr).Msg("Giving a job back failed; it returns when its lease expires")
			}
		}
	})
}

// retryPlan returns the delay and attempt budget for a failed job.
func (p *Pool) retryPlan(job *store.Job, err error) (time.Duration, int) {
	var r *RetryError
	if errors.As(err, &r) {
		if r.Busy {
			return r.After, maxBusyAttempts
		}
		return r.After, p.MaxAttempts
	}
	return Backoff(job.Attempts), p.MaxAttempts
}

// Backoff returns an exponential delay with jitter for the given attempt.
func Backoff(attempt int) time.Duration {
	d := baseBackoff << min(max(attempt-1, 0), 10)
	if d > maxBackoff {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// String describes the pool for logs.
func (p *Pool) String() string { return fmt.Sprintf("pool(%s, %d workers)", p.Consumer, p.Workers) }

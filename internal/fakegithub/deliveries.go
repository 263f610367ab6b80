package fakegithub

import (
	"net/http"
	"strconv"
)

// deliveryJSON is GitHub's hook-delivery-item.
func deliveryJSON(d *Delivery) map[string]any {
	status := "OK"
	if d.StatusCode < 200 || d.StatusCode > 299 {
		status = "Invalid HTTP Response: " + strconv.Itoa(d.StatusCode)
	}
	m := map[string]any{
		"id": d.ID, "guid": d.GUID, "delivered_at": ts(d.DeliveredAt), "redelivery": d.Redelivery,
		"duration": d.Duration.Seconds(), "status": status, "status_code": d.StatusCode, "event": d.Event,
		"action": nilIfEmpty(d.Action), "installation_id": nil, "repository_id": nil, "throttled_at": nil,
	}
	if d.InstallationID != 0 {
		m["installation_id"] = d.InstallationID
	}
	if d.RepositoryID != 0 {
		m["repository_id"] = d.RepositoryID
	}
	return m
}

// listDeliveries serves GET /app/hook/deliveries, newest first, with
// cursor pagination.
func (c *call) listDeliveries() reply {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	want := c.query.Get("status")
	var items []any
	for i := len(s.st.deliveries) - 1; i >= 0; i-- {
		d := s.st.deliveries[i]
		okStatus := d.StatusCode >= 200 && d.StatusCode <= 299
		if want == "" || (want == "success") == okStatus {
			items = append(items, deliveryJSON(d))
		}
	}
	perPage := min(max(c.intQuery("per_page", DefaultPerPage), 1), MaxPerPage)
	if c.intQuery("per_page", 0) > MaxPerPage {
		c.violate("limit", "per_page exceeds GitHub's maximum of 100")
	}
	start := min(max(c.intQuery("cursor", 0), 0), len(items))
	end := min(start+perPage, len(items))
	if end < len(items) {
		q := c.r.URL.Query()
		q.Set("cursor", strconv.Itoa(end))
		c.header.Set("Link", "<"+s.apiBase()+c.r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	return ok(nonNil(items[start:end]))
}

// redeliver serves POST /app/hook/deliveries/{delivery_id}/attempts: it
// answers 202 and sends the delivery again in the background.
func (c *call) redeliver() reply {
	id, _ := strconv.ParseInt(c.params["delivery_id"], 10, 64)
	s := c.s
	s.mu.Lock()
	var orig *Delivery
	for _, d := range s.st.deliveries {
		if d.ID == id {
			orig = d
		}
	}
	s.mu.Unlock()
	if orig == nil {
		return c.notFound()
	}
	again := orig.again()
	s.deliverWG.Add(1)
	go func() {
		defer s.deliverWG.Done()
		s.send(again)
	}()
	return reply{status: http.StatusAccepted, body: map[string]any{}}
}

// again copies a delivery for redelivery: same GUID and payload.
func (d *Delivery) again() *Delivery {
	return &Delivery{
		HookID: d.HookID, GUID: d.GUID, Event: d.Event, Action: d.Action, URL: d.URL,
		Payload: d.Payload, secret: d.secret, InstallationID: d.InstallationID,
		RepositoryID: d.RepositoryID, Redelivery: true,
	}
}

// Redeliver sends d again now, with the same X-GitHub-Delivery GUID, as
// GitHub's "Redeliver" button does, and returns the new attempt.
func (s *Server) Redeliver(d Delivery) Delivery {
	again := d.again()
	s.send(again)
	return *again
}

// WaitRedeliveries waits for the redeliveries the app requested to finish.
func (s *Server) WaitRedeliveries() { s.deliverWG.Wait() }

package fakegithub

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// epoch is the fake's "beginning of time": creation dates and commit dates
// count from it, so that payloads and commit SHAs are deterministic.
var epoch = time.Date(2024, time.January, 2, 3, 4, 5, 0, time.UTC)

// state is everything the fake knows, guarded by Server.mu.
type state struct {
	nextID        int64
	users         map[string]*User
	installations map[int64]*Installation
	repos         map[string]*Repo
	tokens        map[string]*token
	checkRuns     []*CheckRun
	comments      []*Comment
	reactions     []*Reaction
	teams         map[string]string // "org/team/user" (lower case) -> role
	requests      []Request
	deliveries    []*Delivery
	scripts       map[string][]ScriptedResponse
	usage         map[string]*rateWindow
	archiveLinks  map[string]archiveLink
	contentTimes  []time.Time
	maxInflight   int
}

func (st *state) init() {
	st.nextID = 1000
	st.users = map[string]*User{}
	st.installations = map[int64]*Installation{}
	st.repos = map[string]*Repo{}
	st.tokens = map[string]*token{}
	st.teams = map[string]string{}
	st.scripts = map[string][]ScriptedResponse{}
	st.usage = map[string]*rateWindow{}
	st.archiveLinks = map[string]archiveLink{}
}

// id returns a fresh ID, unique across all the fake's objects.
func (st *state) id() int64 {
	st.nextID++
	return st.nextID
}

// User is a GitHub account: a user, an organization or a bot.
type User struct {
	// Login is the account's name.
	Login string
	// ID is the account's numeric ID.
	ID int64
	// Type is "User", "Organization" or "Bot".
	Type string
}

// user returns the account named login, creating it with typ if unknown.
// Callers hold s.mu.
func (st *state) user(login, typ string) *User {
	key := strings.ToLower(login)
	if u, ok := st.users[key]; ok {
		return u
	}
	if typ == "" {
		typ = "User"
	}
	u := &User{Login: login, ID: st.id(), Type: typ}
	st.users[key] = u
	return u
}

// AddUser registers a user account (collaborator permission lookups 404 on
// unknown users) and returns it.
func (s *Server) AddUser(login string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.st.user(login, "User")
}

// Request is one request the app sent to the fake.
type Request struct {
	// Time is when the fake received it.
	Time time.Time
	// Method, Path and Query are the request's.
	Method string
	Path   string
	Query  url.Values
	// Body is the raw request body.
	Body []byte
	// Operation is "METHOD /template" as in GitHub's description, or "" when
	// none matched.
	Operation string
	// InstallationID is the installation whose token authenticated the
	// request, or 0.
	InstallationID int64
	// Auth is "jwt", "token" or "" for how the request authenticated.
	Auth string
	// Status is the status the fake answered.
	Status int
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.st.requests...)
}

// RequestsTo returns the requests for one operation, e.g.
// "POST /repos/{owner}/{repo}/check-runs".
func (s *Server) RequestsTo(operation string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Operation == operation {
			out = append(out, r)
		}
	}
	return out
}

// nodeID builds a legacy GraphQL node ID like GitHub's ("MDQ6VXNlcjE=").
func nodeID(typ string, id int64) string {
	raw := "0" + strconv.Itoa(len(typ)) + ":" + typ + strconv.FormatInt(id, 10)
	return base64.StdEncoding.EncodeToString([]byte(raw))
}

// ts formats t as GitHub does in JSON.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tsOrNil formats t, or returns nil for the zero time.
func tsOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

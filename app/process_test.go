package app_test

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary builds cmd/conviso-app once per test process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "conviso-app-bin-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "conviso-app")
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(goTool, "build", "-o", out, "../cmd/conviso-app")
	cmd.Stderr = os.Stderr
	return out, cmd.Run()
})

// proc is the real conviso-app binary running as a child process.
type proc struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	addr chan string
	done chan error
}

// spawn starts the binary with the harness's environment (and extra).
func (h *harness) spawn(extra map[string]string) *proc {
	h.t.Helper()
	bin, err := binary()
	if err != nil {
		h.t.Fatalf("building conviso-app: %v", err)
	}
	cmd := exec.Command(bin)
	for k, v := range h.env(extra) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	p := &proc{cmd: cmd, logs: h.logs, addr: make(chan string, 1), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	go p.readLogs(stderr)
	go func() { p.done <- cmd.Wait() }()
	h.t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case addr := <-p.addr:
		h.url = "http://" + addr
	case err := <-p.done:
		h.t.Fatalf("conviso-app exited at start-up: %v\n%s", err, h.logs.String())
	case <-time.After(60 * time.Second):
		h.t.Fatal("conviso-app did not start")
	}
	return p
}

// readLogs copies the child's JSON logs and picks out its listening address.
func (p *proc) readLogs(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		_, _ = p.logs.Write([]byte(line + "\n"))
		var entry struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Message == "Conviso GitHub App started" {
			p.addr <- entry.Addr
		}
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatal("conviso-app did not exit")
	}
	return p.cmd.ProcessState.ExitCode()
}

func TestJobInFlightWhenTheProcessDiesRunsAgain(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, backend)
			env := map[string]string{"CONVISO_JOB_LEASE": "2s"}
			first := h.spawn(env)
			defer func() {
				if t.Failed() {
					t.Logf("logs:\n%s", h.logs.String())
				}
			}()
			release := h.gh.Hold(tarballOp)
			pr := h.leakOnFeature()
			h.deliver(h.gh.PullRequestEvent(pr, "opened"))
			waitFor(t, "the scan to start", func() bool {
				runs := h.gh.CheckRuns("acme", "api")
				return len(runs) == 1 && runs[0].Status == "in_progress"
			})
			if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			first.wait(t)
			release()
			h.spawn(env)
			run := h.completedRun(pr.HeadSHA())
			if run.Conclusion != "failure" || len(run.Annotations) != 1 {
				t.Fatalf("the job must run again after the crash and fail the gate; got %q with %d annotations",
					run.Conclusion, len(run.Annotations))
			}
			if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
				t.Fatalf("the rerun must reuse its check run; %d check runs", n)
			}
		})
	}
}

func TestSIGTERMStopsCleanly(t *testing.T) {
	h := newHarness(t, "bolt")
	p := h.spawn(nil)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit code %d after SIGTERM\n%s", code, h.logs.String())
	}
	if !strings.Contains(h.logs.String(), `"message":"Stopped"`) {
		t.Fatalf("no clean stop in the logs:\n%s", h.logs.String())
	}
}

func TestInvalidConfigurationStopsWithOneLine(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"CONVISO_GITHUB_APP_ID=abc"}
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Fatalf("want exit code 1, got %d (%v)", code, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "CONVISO_GITHUB_APP_ID") || !strings.Contains(lines[0], `"abc"`) {
		t.Fatalf("want one line naming the setting, got:\n%s", out)
	}
}

package external

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// fixedPath is the PATH every external program gets, whatever the app's.
const fixedPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// tailBytes is how much of a program's stdout and stderr is kept (the end).
const tailBytes = 4 << 10

// waitDelay bounds the wait for the output pipes after the program was
// killed or exited (a stray descendant may hold them open).
const waitDelay = 5 * time.Second

// errTimeout marks a run stopped by its timeout.
var errTimeout = errors.New("timed out")

// isolation is what a program is started with: the namespaces that take
// its network away and its own process group.
type isolation = *syscall.SysProcAttr

// defaultIsolation puts the program in new user and network namespaces
// (the user namespace lets an unprivileged app create the network one; the
// app's user and group are mapped to themselves) and in a process group of
// its own, killed with the app.
func defaultIsolation() isolation {
	uid, gid := os.Getuid(), os.Getgid()
	return &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}},
		GidMappingsEnableSetgroups: false,
		Setpgid:                    true,
		Pdeathsig:                  syscall.SIGKILL,
	}
}

// runOutput is what a finished run left.
type runOutput struct {
	exitCode int
	stdout   []byte
	stderr   []byte
}

// tail renders the end of stderr (else stdout) for an error message.
func (o runOutput) tail() string {
	t := strings.TrimSpace(string(o.stderr))
	if t == "" {
		t = strings.TrimSpace(string(o.stdout))
	}
	if t == "" {
		return ""
	}
	return "; output ends with: " + strings.Join(strings.Fields(t), " ")
}

// environ is the whole environment of a program: nothing of the app's.
func environ(home string) []string {
	return []string{
		"PATH=" + fixedPath,
		"HOME=" + home,
		"TMPDIR=" + filepath.Join(home, "tmp"),
		"LANG=C.UTF-8",
		"LC_ALL=C.UTF-8",
	}
}

// run starts argv in dir, isolated, with a private HOME under work, and
// waits for it for at most timeout. A non-zero exit status is not an error
// (the caller decides); failing to isolate, start or finish it is. On
// timeout or cancellation of ctx the whole process group is killed.
func (s *Scanner) run(ctx context.Context, argv []string, dir, work string, timeout time.Duration) (runOutput, error) {
	home := filepath.Join(work, "home")
	for _, d := range []string{home, filepath.Join(home, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return runOutput{}, fmt.Errorf("creating the private HOME: %w", err)
		}
	}
	rctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = environ(home)
	cmd.SysProcAttr = s.isolation()
	stdout, stderr := &tailBuffer{max: tailBytes}, &tailBuffer{max: tailBytes}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		return runOutput{}, fmt.Errorf("cannot start %s in new user and network namespaces, so it was not run "+
			"(external scanners never run with network access; unprivileged user namespaces must be allowed): %w",
			filepath.Base(argv[0]), err)
	}
	err := cmd.Wait()
	// Whatever happened, leave no descendant behind.
	_ = killGroup(cmd.Process)
	out := runOutput{exitCode: cmd.ProcessState.ExitCode(), stdout: stdout.bytes(), stderr: stderr.bytes()}
	if rctx.Err() != nil {
		if context.Cause(rctx) == errTimeout && ctx.Err() == nil {
			return out, errTimeout
		}
		return out, fmt.Errorf("stopped: %w", ctx.Err())
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return out, nil
	case errors.As(err, &exitErr) && exitErr.Exited():
		return out, nil
	default:
		return out, fmt.Errorf("running %s: %w", filepath.Base(argv[0]), err)
	}
}

// killGroup kills the process group p leads.
func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing process group %d: %w", p.Pid, err)
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// Write keeps the end of p and of what came before, up to max bytes.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return n, nil
}

func (t *tailBuffer) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}

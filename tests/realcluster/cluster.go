// The running control plane: its children, started in order and stopped in reverse.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type child struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	// Set before a restart stops it: its exit is not a failure.
	expected atomic.Bool
}

type cluster struct {
	dir      string
	options  options
	children []*child
	exited   chan string
	mu       sync.Mutex
	stopping bool
	pki      *pki
	etcd     string
	server   string
	auditLog string
	// kube-apiserver's flags, for a restart.
	apiserverArgs []string
	tokens        map[string]string
	// the Argo Rollouts controller's metrics endpoint, with --with rollouts
	rolloutsMetrics string
}

// spawn starts `realcluster <component> args…` with its output in <dir>/<component>.log. The
// child is killed if this process dies without stopping it.
func (c *cluster) spawn(component string, args ...string) error {
	_, err := c.spawnChild(component, args...)
	return err
}

func (c *cluster) spawnChild(component string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return c.spawnProgram(component, self, append([]string{component}, args...)...)
}

// spawnProgram runs program as the child `component`, logging to component.log in the state
// directory.
func (c *cluster) spawnProgram(component, program string, args ...string) (*child, error) {
	logPath := filepath.Join(c.dir, component+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(program, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("cannot start %s: %w", component, err)
	}
	ch := &child{name: component, cmd: cmd, log: logPath, done: make(chan struct{})}
	c.mu.Lock()
	c.children = append(c.children, ch)
	c.mu.Unlock()
	go func() {
		err := cmd.Wait()
		logFile.Close()
		close(ch.done)
		c.mu.Lock()
		stopping := c.stopping
		c.mu.Unlock()
		if !stopping && !ch.expected.Load() {
			c.exited <- fmt.Sprintf("%s exited (%v); the end of its log (%s):\n%s", component, err, logPath, tail(logPath, 15))
		}
	}()
	return ch, nil
}

// stop ends every child, newest first (SIGTERM, then SIGKILL after 10 s), and removes the
// state directory.
func (c *cluster) stop() {
	c.mu.Lock()
	c.stopping = true
	children := append([]*child(nil), c.children...)
	c.mu.Unlock()
	for i := len(children) - 1; i >= 0; i-- {
		terminate(children[i])
	}
	_ = os.RemoveAll(c.dir)
}

// terminate sends SIGTERM, then SIGKILL after 10 s, and waits for the child to exit.
func terminate(ch *child) {
	_ = ch.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-ch.done:
	case <-time.After(10 * time.Second):
		_ = ch.cmd.Process.Kill()
		<-ch.done
	}
}

// restartAPIServer stops kube-apiserver and starts it again with the same flags and port (the
// clients' connections drop; etcd keeps everything).
func (c *cluster) restartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	var old *child
	index := -1
	for i, ch := range c.children {
		if ch.name == "kube-apiserver" {
			old, index = ch, i
		}
	}
	c.mu.Unlock()
	if old == nil {
		return fmt.Errorf("kube-apiserver is not running")
	}
	old.expected.Store(true)
	terminate(old)
	fresh, err := c.spawnChild("kube-apiserver", c.apiserverArgs...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	// spawnChild appended it: move it to the old one's place, so stop still goes newest first.
	c.children = c.children[:len(c.children)-1]
	c.children[index] = fresh
	c.mu.Unlock()
	return c.waitAPIServer(ctx)
}

func (c *cluster) start(ctx context.Context) error {
	var err error
	if c.pki, err = writePKI(c.dir); err != nil {
		return fmt.Errorf("cannot write keys: %w", err)
	}
	c.tokens = map[string]string{}
	for _, user := range []string{"admin", "components", "viewer", "team"} {
		c.tokens[user] = randomToken()
	}
	if err := c.startEtcd(ctx); err != nil {
		return err
	}
	if err := c.startAPIServer(ctx); err != nil {
		return err
	}
	client, err := c.client()
	if err != nil {
		return err
	}
	if err := setUpAccess(ctx, client); err != nil {
		return fmt.Errorf("cannot set up namespaces and RBAC: %w", err)
	}
	if !c.options.controllers {
		return c.writeKubeconfig(c.options.kubeconfigOut)
	}
	if err := c.startControllers(ctx); err != nil {
		return err
	}
	if err := c.startNodes(ctx, client); err != nil {
		return err
	}
	if c.options.with["rollouts"] {
		if err := c.startRollouts(ctx, client); err != nil {
			return err
		}
	}
	// `view` is aggregated by the controller manager: the viewer can read once it has rules.
	err = c.waitFor(ctx, "the view ClusterRole", 60*time.Second, func() error {
		role, err := client.RbacV1().ClusterRoles().Get(ctx, "view", metav1.GetOptions{})
		if err == nil && len(role.Rules) == 0 {
			err = fmt.Errorf("no rules aggregated yet")
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.writeKubeconfig(c.options.kubeconfigOut)
}

func randomToken() string {
	bytes := make([]byte, 16)
	_, _ = rand.Read(bytes)
	return hex.EncodeToString(bytes)
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	file, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer file.Close()
	var lines []string
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// `realcluster up`: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok as
// child processes on 127.0.0.1, a kubeconfig with three users, `READY` once everything answers,
// and on SIGTERM/SIGINT/SIGHUP (or when a component dies) every child stopped and every file
// removed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	kubeconfigOut      string
	port               int
	watchCache         bool
	compactionInterval string
	nodes              int
	controllers        bool
	audit              bool
	with               map[string]bool
	rolloutsCRDs       string
}

func up(args []string) int {
	var o options
	flags := flag.NewFlagSet("up", flag.ContinueOnError)
	flags.StringVar(&o.kubeconfigOut, "kubeconfig-out", "", "where to write the kubeconfig (required)")
	flags.IntVar(&o.port, "port", 0, "the API server's port on 127.0.0.1 (default: a free one)")
	flags.BoolVar(&o.watchCache, "watch-cache", true, "serve lists and watches from the API server's cache (false: from etcd)")
	flags.StringVar(&o.compactionInterval, "etcd-compaction-interval", "5m", "how often the API server compacts etcd (short values make old watches expire: 410 Gone)")
	flags.IntVar(&o.nodes, "nodes", 3, "fake kwok nodes")
	flags.BoolVar(&o.controllers, "controllers", true, "run the controller manager, the scheduler and kwok (false: etcd and the API server only, e.g. to load benchmark fixtures that no controller should act on)")
	flags.BoolVar(&o.audit, "audit", true, "write the audit log (false: none, e.g. for benchmarks)")
	with := flags.String("with", "", "more to run: rollouts (the real Argo Rollouts controller)")
	flags.StringVar(&o.rolloutsCRDs, "rollouts-crds", "", "the Argo Rollouts CRDs to install with --with rollouts (the up script passes demo/crds/argo-rollouts)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	o.with = withList(*with)
	for name := range o.with {
		if name != "rollouts" {
			fmt.Fprintf(os.Stderr, "up: --with %s: unknown (known: rollouts)\n", name)
			return 2
		}
	}
	if o.with["rollouts"] && !o.controllers {
		fmt.Fprintln(os.Stderr, "up: --with rollouts needs the controllers (drop --controllers=false)")
		return 2
	}
	if o.kubeconfigOut == "" {
		fmt.Fprintln(os.Stderr, "up: --kubeconfig-out FILE is required")
		return 2
	}
	if o.port != 0 {
		if err := portFree(o.port); err != nil {
			fmt.Fprintf(os.Stderr, "up: port %d is in use on 127.0.0.1: %v\n", o.port, err)
			return 1
		}
	}
	removeStaleRuns()
	dir, err := os.MkdirTemp("", runPrefix)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "up: cannot make a state directory: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	c := &cluster{dir: dir, options: o, exited: make(chan string, 8)}
	defer c.stop()
	if err := c.start(ctx); err != nil {
		if ctx.Err() != nil {
			return 0
		}
		fmt.Fprintf(os.Stderr, "up: %v\n", err)
		return 1
	}
	fmt.Printf("kubeconfig: %s\naudit log: %s\nserver: %s\n", o.kubeconfigOut, c.auditLog, c.server)
	if c.rolloutsMetrics != "" {
		fmt.Printf("argo rollouts metrics: %s\n", c.rolloutsMetrics)
	}
	fmt.Println("READY")
	// SIGUSR1 restarts kube-apiserver (for tests of clients that must survive it).
	restart := make(chan os.Signal, 1)
	signal.Notify(restart, syscall.SIGUSR1)
	for {
		select {
		case <-ctx.Done():
			return 0
		case why := <-c.exited:
			fmt.Fprintf(os.Stderr, "up: %s\n", why)
			return 1
		case <-restart:
			if err := c.restartAPIServer(ctx); err != nil {
				fmt.Fprintf(os.Stderr, "up: restarting kube-apiserver: %v\n", err)
				return 1
			}
			fmt.Println("RESTARTED")
		}
	}
}

const runPrefix = "flightdeck-realcluster-"

// removeStaleRuns deletes state directories left by runs that were killed (their pid is gone).
func removeStaleRuns() {
	runs, _ := filepath.Glob(filepath.Join(os.TempDir(), runPrefix+"*"))
	for _, run := range runs {
		data, err := os.ReadFile(filepath.Join(run, "pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || syscall.Kill(pid, 0) == nil || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue
		}
		fmt.Fprintf(os.Stderr, "up: removing %s, left by a run that was killed\n", run)
		_ = os.RemoveAll(run)
	}
}

func portFree(port int) error {
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	return listener.Close()
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// waitFor polls check every 200 ms until it returns nil, a component dies, or timeout passes.
func (c *cluster) waitFor(ctx context.Context, what string, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not ready after %s: %v", what, timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case why := <-c.exited:
			return errors.New(why)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

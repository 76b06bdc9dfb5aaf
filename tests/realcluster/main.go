// Command realcluster is flightdeck's test control plane: one binary holding etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and kwok as sub-commands (as the old
// hyperkube did), plus `up`, which runs them together on 127.0.0.1 as child processes of itself.
//
// Only the chosen component is constructed: two of them in one process would collide on
// Kubernetes' global component and feature-gate registries.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: realcluster up|etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok [flags]")
		os.Exit(2)
	}
	component, args := os.Args[1], os.Args[2:]
	switch component {
	case "up":
		os.Exit(up(args))
	case "etcd":
		runEtcd(args)
	case "kube-apiserver", "kube-controller-manager", "kube-scheduler":
		os.Exit(runKubernetes(component, args))
	case "kwok":
		os.Exit(runKwok(args))
	default:
		fmt.Fprintf(os.Stderr, "realcluster: unknown component %q\n", component)
		os.Exit(2)
	}
}

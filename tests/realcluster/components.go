// The components, each run as upstream's own main runs it.
package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
	kwokconfig "sigs.k8s.io/kwok/pkg/config"
	kwok "sigs.k8s.io/kwok/pkg/kwok/cmd"
	kwoklog "sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"
)

// kwokStages are kwok's own "fast" stages, as kwokctl installs them: nodes initialised and kept
// Ready with a lease, pods Running and Ready at once, Job pods completed, deleted pods removed
// (there is no kubelet to do it).
var kwokStages = strings.Join([]string{
	nodefast.DefaultNodeInit, nodeheartbeat.DefaultNodeHeartbeatWithLease,
	podfast.DefaultPodReady, podfast.DefaultPodComplete, podfast.DefaultPodDelete,
}, "\n---\n")

// runEtcd runs the real etcd command line (etcdmain reads its own flags from the args).
func runEtcd(args []string) {
	etcdmain.Main(append([]string{"etcd"}, args...))
}

func runKubernetes(component string, args []string) int {
	// client-go names its User-Agent after the program, and the API server names field managers
	// after that: writes show as kube-controller-manager's, as on any cluster, not realcluster's
	os.Args[0] = component
	var command *cobra.Command
	switch component {
	case "kube-apiserver":
		command = apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		command = controllermanager.NewControllerManagerCommand()
	default:
		command = scheduler.NewSchedulerCommand()
	}
	command.SetArgs(args)
	return cli.Run(command)
}

// runKwok sets kwok up as its own main does: global log and config flags (`--config` loads the
// stages) read before the command runs.
func runKwok(args []string) int {
	os.Args = append([]string{"kwok"}, args...)
	flags := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flags.ParseErrorsAllowlist.UnknownFlags = true
	flags.Usage = func() {}
	ctx := signals.SetupSignalContext()
	ctx, logger := kwoklog.InitFlags(ctx, flags)
	ctx, err := kwokconfig.InitFlags(ctx, flags)
	if err != nil {
		logger.Error("kwok: config flags", err)
		return 1
	}
	command := kwok.NewCommand(ctx)
	// Kubernetes' own `--version` flag (linked in for the other components) is not a bool;
	// cobra's version check would trip on it.
	command.Version = ""
	command.PersistentFlags().AddFlagSet(flags)
	command.SetArgs(args)
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("kwok exited", err)
		return 1
	}
	return 0
}

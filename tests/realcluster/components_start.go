// Starting each component with the flags a local, loopback-only cluster needs, and waiting until
// it answers.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func (c *cluster) startEtcd(ctx context.Context) error {
	clientPort, err := freePort()
	if err != nil {
		return err
	}
	peerPort, err := freePort()
	if err != nil {
		return err
	}
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	dataDir := filepath.Join(c.dir, "etcd")
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		return err
	}
	err = c.spawn("etcd", "--name=default", "--data-dir="+dataDir,
		"--listen-client-urls="+clientURL, "--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL, "--unsafe-no-fsync=true", "--log-level=warn",
		// Room for a benchmark's 100k objects and their revisions (the default is 2 GiB).
		"--quota-backend-bytes=8589934592",
		"--listen-metrics-urls=")
	if err != nil {
		return err
	}
	c.etcd = clientURL
	return c.waitFor(ctx, "etcd", 60*time.Second, func() error {
		return expectBody(http.DefaultClient, clientURL+"/health", `"health":"true"`, "")
	})
}

func (c *cluster) startAPIServer(ctx context.Context) error {
	port := c.options.port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
	}
	c.server = fmt.Sprintf("https://127.0.0.1:%d", port)
	c.auditLog = filepath.Join(c.dir, "audit.log")
	tokens := filepath.Join(c.dir, "tokens.csv")
	tokenLines := fmt.Sprintf("%s,flightdeck-admin,uid-admin,\"system:masters\"\n%s,system:flightdeck-components,uid-components,\"system:masters\"\n%s,flightdeck-viewer,uid-viewer\n%s,flightdeck-team,uid-team\n",
		c.tokens["admin"], c.tokens["components"], c.tokens["viewer"], c.tokens["team"])
	policy := filepath.Join(c.dir, "audit-policy.yaml")
	// Writes in full (request and response bodies), everything else as metadata.
	policyText := `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: RequestResponse
  verbs: [create, update, patch, delete, deletecollection]
- level: Metadata
`
	for path, text := range map[string]string{tokens: tokenLines, policy: policyText} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return err
		}
	}
	c.apiserverArgs = []string{
		"--etcd-servers=" + c.etcd,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", port), "--advertise-address=127.0.0.1",
		"--cert-dir=" + filepath.Join(c.dir, "certs"),
		"--tls-cert-file=" + c.pki.certFile, "--tls-private-key-file=" + c.pki.keyFile,
		"--client-ca-file=" + c.pki.caFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.pki.saKeyFile, "--service-account-signing-key-file=" + c.pki.saKeyFile,
		"--authorization-mode=Node,RBAC", "--token-auth-file=" + tokens,
		"--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true",
		fmt.Sprintf("--watch-cache=%t", c.options.watchCache),
		"--etcd-compaction-interval=" + c.options.compactionInterval,
		"--enable-priority-and-fairness=false", "--profiling=false",
	}
	if c.options.audit {
		c.apiserverArgs = append(c.apiserverArgs, "--audit-policy-file="+policy, "--audit-log-path="+c.auditLog)
	} else {
		c.auditLog = "(none: --audit=false)"
	}
	if err := c.spawn("kube-apiserver", c.apiserverArgs...); err != nil {
		return err
	}
	return c.waitAPIServer(ctx)
}

func (c *cluster) waitAPIServer(ctx context.Context) error {
	httpClient, err := c.httpClient()
	if err != nil {
		return err
	}
	return c.waitFor(ctx, "kube-apiserver", 180*time.Second, func() error {
		return expectBody(httpClient, c.server+"/readyz", "ok", c.tokens["admin"])
	})
}

func (c *cluster) startControllers(ctx context.Context) error {
	kubeconfig := filepath.Join(c.dir, "components.kubeconfig")
	if err := c.writeComponentKubeconfig(kubeconfig); err != nil {
		return err
	}
	kcmPort, err := freePort()
	if err != nil {
		return err
	}
	controllers := strings.Join([]string{
		"namespace-controller", "serviceaccount-controller", "serviceaccount-token-controller",
		"garbage-collector-controller", "replicaset-controller", "deployment-controller",
		"job-controller", "endpointslice-controller", "node-lifecycle-controller",
		"pod-garbage-collector-controller", "root-ca-certificate-publisher-controller",
		"taint-eviction-controller", "node-ipam-controller",
		// Fills the aggregated ClusterRoles (view, edit, admin) from their parts.
		"clusterrole-aggregation-controller",
	}, ",")
	err = c.spawn("kube-controller-manager", "--kubeconfig="+kubeconfig, "--leader-elect=false",
		"--controllers="+controllers, "--service-account-private-key-file="+c.pki.saKeyFile,
		"--root-ca-file="+c.pki.caFile, "--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", kcmPort),
		"--use-service-account-credentials=false")
	if err != nil {
		return err
	}
	schedulerPort, err := freePort()
	if err != nil {
		return err
	}
	err = c.spawn("kube-scheduler", "--kubeconfig="+kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", schedulerPort))
	if err != nil {
		return err
	}
	stages := filepath.Join(c.dir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, []byte(kwokStages), 0o600); err != nil {
		return err
	}
	return c.spawn("kwok", "--kubeconfig="+kubeconfig, "--manage-all-nodes=true",
		"--config="+stages, "--node-lease-duration-seconds=40", "--cidr=10.244.0.0/16")
}

// startNodes registers the fake nodes (kwok makes them Ready) and waits for them.
func (c *cluster) startNodes(ctx context.Context, client kubernetes.Interface) error {
	for i := 0; i < c.options.nodes; i++ {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
			Name:        fmt.Sprintf("kwok-node-%d", i),
			Labels:      map[string]string{"type": "kwok", "kubernetes.io/hostname": fmt.Sprintf("kwok-node-%d", i)},
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
		}}
		if _, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("cannot create node %s: %w", node.Name, err)
		}
	}
	return c.waitFor(ctx, "kwok nodes", 120*time.Second, func() error {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		ready := 0
		for _, node := range nodes.Items {
			for _, condition := range node.Status.Conditions {
				if condition.Type == corev1.NodeReady && condition.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if ready < c.options.nodes {
			return fmt.Errorf("%d of %d nodes Ready", ready, c.options.nodes)
		}
		return nil
	})
}

func (c *cluster) httpClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.pki.caPEM) {
		return nil, fmt.Errorf("the CA does not parse")
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, nil
}

func (c *cluster) client() (kubernetes.Interface, error) {
	return kubernetes.NewForConfig(&rest.Config{
		Host:            c.server,
		BearerToken:     c.tokens["admin"],
		TLSClientConfig: rest.TLSClientConfig{CAData: c.pki.caPEM},
	})
}

func expectBody(client *http.Client, url, want, token string) error {
	request, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	response, err := client.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(response.Body, 4096))
	if response.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("%s answered %d: %s", url, response.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// `up --with rollouts`: the real Argo Rollouts controller (built from its own module under
// rollouts/, next to this binary) against this control plane, with its CRDs installed and its
// namespace made; its ReplicaSets' pods run on the kwok nodes like any other.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// rolloutsNamespace is where the controller looks for its ConfigMap and Secret (its default).
const rolloutsNamespace = "argo-rollouts"

func (c *cluster) startRollouts(ctx context.Context, client kubernetes.Interface) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	controller := filepath.Join(filepath.Dir(self), "rollouts-controller")
	if _, err := os.Stat(controller); err != nil {
		return fmt.Errorf("%s is not built (the up script builds it with --with rollouts): %w", controller, err)
	}
	if err := c.installCRDs(ctx, c.options.rolloutsCRDs); err != nil {
		return err
	}
	_, err = client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rolloutsNamespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cannot make the %s namespace: %w", rolloutsNamespace, err)
	}
	metricsPort, err := freePort()
	if err != nil {
		return err
	}
	healthzPort, err := freePort()
	if err != nil {
		return err
	}
	_, err = c.spawnProgram("argo-rollouts", controller,
		"--kubeconfig="+filepath.Join(c.dir, "components.kubeconfig"), "--leader-elect=false",
		"--metricsPort="+strconv.Itoa(metricsPort), "--healthzPort="+strconv.Itoa(healthzPort))
	if err != nil {
		return err
	}
	c.rolloutsMetrics = fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	httpClient, err := c.httpClient()
	if err != nil {
		return err
	}
	return c.waitFor(ctx, "the Argo Rollouts controller", 60*time.Second, func() error {
		return expectBody(httpClient, fmt.Sprintf("http://127.0.0.1:%d/healthz", healthzPort), "ok", "")
	})
}

// installCRDs creates every CRD in the YAML files of dir (one document each) and waits until
// each is Established.
func (c *cluster) installCRDs(ctx context.Context, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no CRDs in %q (--rollouts-crds)", dir)
	}
	client, err := apiextensions.NewForConfig(&rest.Config{
		Host:            c.server,
		BearerToken:     c.tokens["admin"],
		TLSClientConfig: rest.TLSClientConfig{CAData: c.pki.caPEM},
	})
	if err != nil {
		return err
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		_, err = client.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("cannot install %s: %w", crd.Name, err)
		}
		err = c.waitFor(ctx, crd.Name, 30*time.Second, func() error {
			got, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, condition := range got.Status.Conditions {
				if condition.Type == apiextensionsv1.Established && condition.Status == apiextensionsv1.ConditionTrue {
					return nil
				}
			}
			return fmt.Errorf("not Established yet")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// withList parses `--with a,b`.
func withList(value string) map[string]bool {
	set := map[string]bool{}
	for _, name := range strings.Split(value, ",") {
		if name = strings.TrimSpace(name); name != "" {
			set[name] = true
		}
	}
	return set
}

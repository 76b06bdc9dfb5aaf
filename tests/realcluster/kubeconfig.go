// The kubeconfigs: the one `up` hands out (three contexts) and the components' own.
package main

import (
	"k8s.io/client-go/tools/clientcmd"
	api "k8s.io/client-go/tools/clientcmd/api"
)

func (c *cluster) writeKubeconfig(path string) error {
	config := api.NewConfig()
	config.Clusters["flightdeck-real"] = &api.Cluster{Server: c.server, CertificateAuthorityData: c.pki.caPEM}
	for _, user := range []struct{ context, user, token, namespace string }{
		{"flightdeck-real", "flightdeck-admin", c.tokens["admin"], "default"},
		{"flightdeck-real-viewer", viewerUser, c.tokens["viewer"], "default"},
		{"flightdeck-real-team", teamUser, c.tokens["team"], teamNamespace},
	} {
		config.AuthInfos[user.user] = &api.AuthInfo{Token: user.token}
		config.Contexts[user.context] = &api.Context{Cluster: "flightdeck-real", AuthInfo: user.user, Namespace: user.namespace}
	}
	config.CurrentContext = "flightdeck-real"
	return clientcmd.WriteToFile(*config, path)
}

func (c *cluster) writeComponentKubeconfig(path string) error {
	config := api.NewConfig()
	config.Clusters["local"] = &api.Cluster{Server: c.server, CertificateAuthorityData: c.pki.caPEM}
	config.AuthInfos["components"] = &api.AuthInfo{Token: c.tokens["components"]}
	config.Contexts["local"] = &api.Context{Cluster: "local", AuthInfo: "components"}
	config.CurrentContext = "local"
	return clientcmd.WriteToFile(*config, path)
}

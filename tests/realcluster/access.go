// The users the kubeconfig offers besides the admin, made real with RBAC:
//   - flightdeck-viewer: read-only everywhere (the built-in `view` ClusterRole, plus read access to
//     the Argo and Kargo kinds, which `view` does not cover);
//   - flightdeck-team: only inside demo-app-dev (Rollouts, AnalysisRuns, ReplicaSets, Pods) and
//     read-only on Applications in argocd; nothing cluster-wide.
package main

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const (
	viewerUser    = "flightdeck-viewer"
	teamUser      = "flightdeck-team"
	teamNamespace = "demo-app-dev"
)

var readOnly = []string{"get", "list", "watch"}

func setUpAccess(ctx context.Context, client kubernetes.Interface) error {
	for _, namespace := range []string{"argocd", teamNamespace} {
		object := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
		if _, err := client.CoreV1().Namespaces().Create(ctx, object, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	rbac := client.RbacV1()
	argoRead := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "flightdeck-argo-kargo-read"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"argoproj.io", "kargo.akuity.io"},
			Resources: []string{"*"},
			Verbs:     readOnly,
		}},
	}
	if _, err := rbac.ClusterRoles().Create(ctx, argoRead, metav1.CreateOptions{}); err != nil {
		return err
	}
	for _, role := range []string{"view", argoRead.Name} {
		binding := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: viewerUser + "-" + role},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: viewerUser, APIGroup: rbacv1.GroupName}},
			RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: role, APIGroup: rbacv1.GroupName},
		}
		if _, err := rbac.ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	all := []string{"*"}
	roles := map[string][]rbacv1.PolicyRule{
		teamNamespace: {
			{APIGroups: []string{"argoproj.io"}, Resources: []string{"rollouts", "rollouts/status", "analysisruns", "analysistemplates", "experiments"}, Verbs: all},
			{APIGroups: []string{"apps"}, Resources: []string{"replicasets"}, Verbs: all},
			{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: all},
			{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: readOnly},
		},
		"argocd": {
			{APIGroups: []string{"argoproj.io"}, Resources: []string{"applications"}, Verbs: readOnly},
		},
	}
	for namespace, rules := range roles {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: teamUser, Namespace: namespace}, Rules: rules}
		if _, err := rbac.Roles(namespace).Create(ctx, role, metav1.CreateOptions{}); err != nil {
			return err
		}
		binding := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: teamUser, Namespace: namespace},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: teamUser, APIGroup: rbacv1.GroupName}},
			RoleRef:    rbacv1.RoleRef{Kind: "Role", Name: teamUser, APIGroup: rbacv1.GroupName},
		}
		if _, err := rbac.RoleBindings(namespace).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

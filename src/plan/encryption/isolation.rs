//! How tenant namespaces are enrolled in the mesh and isolated from each other: their
//! labels and annotations, and the NetworkPolicies in every tenant namespace.
//!
//! Part of stage 3 (plan). Input: the policy's mesh. Output: a [`TenantIsolation`] that
//! the manifests target lays out and the decision record describes. Plain Kubernetes
//! NetworkPolicy, so it holds on every CNI the plan picks.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cloud::policy::Mesh;

/// Whom a tenant namespace admits.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Peer {
    /// Pods of the same namespace.
    SameNamespace,
    /// An address range.
    Cidr {
        /// The range.
        cidr: &'static str,
    },
}

/// An ingress NetworkPolicy in every tenant namespace.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IngressPolicy {
    /// Name.
    pub name: &'static str,
    /// Why it exists.
    pub why: &'static str,
    /// Whom it admits (`None`: nobody; the policy only selects, so everything else is
    /// denied).
    pub from: Option<Peer>,
    /// The only protocol it admits, on every port (`None`: every protocol).
    pub protocol: Option<&'static str>,
}

/// How tenant namespaces are enrolled in the mesh and isolated from each other.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TenantIsolation {
    /// The mesh enrollment, in words.
    pub enrollment: &'static str,
    /// Namespace labels besides the tenant label.
    pub labels: BTreeMap<&'static str, &'static str>,
    /// Namespace annotations.
    pub annotations: BTreeMap<&'static str, &'static str>,
    /// Ingress policies in every tenant namespace, by name.
    pub policies: Vec<IngressPolicy>,
}

/// Tenant namespaces under `mesh`: enrolled in it, default-deny ingress, open within the
/// namespace. Plain Kubernetes NetworkPolicy, so it holds on every CNI the plan picks.
pub fn isolation(mesh: Option<Mesh>) -> TenantIsolation {
    let mut labels = BTreeMap::new();
    let mut annotations = BTreeMap::new();
    let enrollment = match mesh {
        Some(Mesh::Istio) => {
            labels.insert("istio-injection", "enabled");
            "Istio sidecar injection"
        }
        Some(Mesh::IstioAmbient) => {
            labels.insert("istio.io/dataplane-mode", "ambient");
            "Istio ambient enrollment"
        }
        Some(Mesh::Linkerd) => {
            // Linkerd reads its injection switch from an annotation, not a label.
            annotations.insert("linkerd.io/inject", "enabled");
            "Linkerd proxy injection"
        }
        None => "no mesh",
    };
    let mut policies = Vec::new();
    if mesh == Some(Mesh::IstioAmbient) {
        // Istio rewrites every TCP connection from the node's host network namespace to a
        // local ambient pod to come from 169.254.7.127 and keeps it out of ztunnel
        // (istio/istio@1.30.3 `cni/pkg/iptables/iptables.go`: host POSTROUTING `-m owner
        // --socket-exists -p tcp ... -j SNAT --to-source 169.254.7.127`, in-pod `-s
        // 169.254.7.127 -p tcp -j ACCEPT`). Not only kubelet's probes: NetworkPolicy cannot
        // tell kubelet from another host process, and the probe ports are the tenants'
        // (unknown here), so the policy admits TCP on every port and what stays is a
        // documented limit: Pod Security keeps tenant pods off the host network.
        policies.push(IngressPolicy {
            name: "allow-ambient-kubelet-probes",
            why: "Ambient rewrites every TCP connection from the node's host network namespace (kubelet's probes, node agents) to come from 169.254.7.127, a link-local address no other host can use, and keeps it out of the mesh. TCP only (the only protocol rewritten), on every port: the probe ports are the tenant's. Pod Security keeps tenant pods off the host network (DECISIONS.md).",
            from: Some(Peer::Cidr {
                cidr: "169.254.7.127/32",
            }),
            protocol: Some("TCP"),
        });
    }
    policies.push(IngressPolicy {
        name: "allow-same-namespace",
        why: if mesh.is_some() {
            "Pods of this namespace reach each other on every port (the mesh's own ports included)."
        } else {
            "Pods of this namespace reach each other on every port."
        },
        from: Some(Peer::SameNamespace),
        protocol: None,
    });
    policies.push(IngressPolicy {
        name: "default-deny-ingress",
        why: "Selects every pod: only what the allow-* policies of this namespace admit gets in.",
        from: None,
        protocol: None,
    });
    TenantIsolation {
        enrollment,
        labels,
        annotations,
        policies,
    }
}

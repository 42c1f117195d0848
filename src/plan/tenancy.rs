//! What keeps a cluster's tenants in their namespaces, decided per cluster: the node
//! selector and toleration every tenant pod must carry (the scheduling contract), the Pod
//! Security level of each tenant namespace, the mesh opt-outs refused in tenant namespaces,
//! and, under `zeroTrust`, the mesh authorization that admits only a namespace's own
//! identities.
//!
//! Part of stage 3 (plan). Input: the cluster's tenants with their trust, its node groups
//! (the tolerations are read off the taints planned there, so the two cannot disagree), the
//! policy's mesh and `zeroTrust`, and the Kubernetes version. Output: a [`Tenancy`] that the
//! manifests target lays out (namespace labels, ValidatingAdmissionPolicies, mesh
//! authorization objects) and the docs target describes.

use serde::Serialize;

use super::{NodeGroup, TENANT_LABEL, Taint};
use crate::cloud::policy::{Mesh, Trust};
use crate::error::Error;

/// A Pod Security Standard level (<https://kubernetes.io/docs/concepts/security/pod-security-standards/>).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    /// Forbids known privilege escalations: privileged containers, host namespaces,
    /// `hostPath`, added capabilities beyond the default set.
    Baseline,
    /// Baseline plus hardening: non-root, no privilege escalation, all capabilities
    /// dropped, a seccomp profile.
    Restricted,
}

impl PodSecurityLevel {
    /// The level's name, as the `pod-security.kubernetes.io/*` labels spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }
}

/// The Pod Security labels of a tenant namespace (Pod Security Admission, built in and
/// enabled by default since Kubernetes 1.25:
/// <https://kubernetes.io/docs/concepts/security/pod-security-admission/>).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurity {
    /// `enforce`: pods violating it are rejected.
    pub enforce: PodSecurityLevel,
    /// `warn` and `audit`: violations are returned as warnings and recorded in the audit
    /// log. Always `restricted`, so a trusted tenant sees what it would take to get there.
    pub warn: PodSecurityLevel,
    /// The policy version every mode is pinned to, `v<major>.<minor>` of the cluster's
    /// Kubernetes: a control-plane upgrade does not tighten the checks under running
    /// workloads; the next generation after an upgrade moves the pin.
    pub version: String,
}

/// A tenant namespace and what its pods must carry.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TenantNamespace {
    /// The tenant; its namespace has its name.
    pub name: String,
    /// Its trust.
    pub trust: Trust,
    /// Its Pod Security labels.
    pub pod_security: PodSecurity,
    /// The toleration its pods must carry: the taint of its node groups, for an untrusted
    /// tenant; `None` when its groups are not tainted.
    pub toleration: Option<Taint>,
}

/// A pod label or annotation that takes a pod out of the mesh, or out of its mTLS.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OptOut {
    /// `label` or `annotation`.
    pub on: &'static str,
    /// The key; ending in `/` it is a prefix: every key under it.
    pub key: &'static str,
    /// The values that are allowed (empty: the key may not be set at all).
    pub allowed: Vec<&'static str>,
    /// What it does, in words.
    pub why: &'static str,
}

/// What the mesh admission policy requires of a tenant pod.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MeshAdmission {
    /// The mesh, in words.
    pub mesh: &'static str,
    /// The injected proxy container every pod must have (as a container, or as a native
    /// sidecar among the init containers); `None` for Istio ambient, which injects nothing.
    pub proxy_container: Option<&'static str>,
    /// Labels and annotations refused on tenant pods.
    pub opt_outs: Vec<OptOut>,
}

/// Mesh authorization in every tenant namespace (`zeroTrust: true`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Authorization {
    /// Istio `AuthorizationPolicy` (security.istio.io/v1): `allow-nothing` plus
    /// `allow-same-namespace` (`from.source.namespaces`: the namespace itself).
    Istio,
    /// Linkerd: the namespace's default inbound policy, and a `MeshTLSAuthentication` of
    /// the namespace's ServiceAccounts that an `AuthorizationPolicy` targeting the
    /// Namespace requires on every `Server` of it.
    Linkerd {
        /// `config.linkerd.io/default-inbound-policy` of the namespace.
        default_inbound_policy: &'static str,
    },
}

/// What keeps a cluster's tenants in their namespaces.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Tenancy {
    /// The label that names a namespace's (and a node's) tenant: pods must select it.
    pub node_selector_key: &'static str,
    /// Taint keys no tenant pod may tolerate: the system node group's taints that no
    /// tenant group carries (`CriticalAddonsOnly`).
    pub forbidden_tolerations: Vec<String>,
    /// Every tenant namespace, by name.
    pub namespaces: Vec<TenantNamespace>,
    /// What the mesh requires of tenant pods; `None` without a mesh.
    pub mesh: Option<MeshAdmission>,
    /// Mesh authorization; `None` unless `zeroTrust` with a mesh.
    pub authorization: Option<Authorization>,
}

impl Tenancy {
    /// The tenants whose node groups are tainted (untrusted tenants), by name.
    pub fn tainted(&self) -> impl Iterator<Item = &TenantNamespace> {
        self.namespaces.iter().filter(|n| n.toleration.is_some())
    }
}

/// Linkerd's default inbound policy of tenant namespaces under `zeroTrust`: only meshed
/// clients with a verified identity (linkerd.io/2-edge/reference/authorization-policy,
/// "Default policies"). `all-authenticated` rather than `cluster-authenticated`: the latter
/// also needs the client's address inside Linkerd's `clusterNetworks`, which adds nothing
/// between pods of one cluster and breaks when pod ranges fall outside the default list.
pub const LINKERD_DEFAULT_INBOUND: &str = "all-authenticated";

/// The subdirectory of `manifests/<cluster>/` that holds the tenants' Linkerd authorization
/// objects: their kinds exist only once Linkerd's CRDs are installed, so they are applied
/// after the control plane, not with the rest of the directory.
pub const LINKERD_POLICY_DIR: &str = "linkerd-policy";

/// The Pod Security level enforced for a tenant of `trust`: `restricted` for untrusted
/// tenants (they share nothing but the control plane with others, and restricted is what
/// "hard multi-tenancy" needs of a pod); `baseline` for trusted ones, which forbids what
/// escapes to the node (privileged, host namespaces, `hostPath`, added capabilities) while
/// keeping images that run as root working; `restricted` is still warned and audited.
pub fn pod_security_level(trust: Trust) -> PodSecurityLevel {
    match trust {
        Trust::Untrusted => PodSecurityLevel::Restricted,
        Trust::Trusted => PodSecurityLevel::Baseline,
    }
}

/// `v<major>.<minor>` of a Kubernetes version (`1.33` or `1.33.4`).
pub fn pod_security_version(kubernetes_version: &str) -> String {
    let minor: Vec<&str> = kubernetes_version.split('.').take(2).collect();
    format!("v{}", minor.join("."))
}

/// The pod labels and annotations that bypass or weaken `mesh`'s mTLS.
///
/// - Istio (sidecar) at 1.30: the injector webhook skips pods labelled
///   `sidecar.istio.io/inject: "false"` (its object selector) and honours the annotation of
///   the same name; `sidecar.istio.io/interceptionMode: NONE` turns redirection off; the
///   `traffic.sidecar.istio.io/*` annotations (`excludeInboundPorts`,
///   `excludeOutboundPorts`, `excludeOutboundIPRanges`, `excludeInterfaces`,
///   `includeInboundPorts`, `includeOutboundPorts`, `includeOutboundIPRanges`,
///   `kubevirtInterfaces`) narrow what the proxy captures, and traffic it does not capture
///   is plaintext (istio/api@1.30 `annotation/annotations.yaml`).
/// - Istio ambient: a pod labelled `istio.io/dataplane-mode: none` is left out of ambient
///   (istio/api@1.30 `label/labels.yaml`); the namespace label enrols every pod, so pods may
///   not set the label at all.
/// - Linkerd (edge-26.8): `linkerd.io/inject: disabled` skips injection;
///   `config.linkerd.io/skip-inbound-ports`, `skip-outbound-ports` and `skip-subnets`
///   bypass the proxy (plaintext); a pod's `config.linkerd.io/default-inbound-policy` may
///   only tighten (linkerd.io/2-edge/reference/proxy-configuration). `opaque-ports` keeps
///   mTLS between meshed pods (it only turns protocol detection off), so it is allowed.
pub fn opt_outs(mesh: Mesh) -> Vec<OptOut> {
    let refuse = |on, key, why| OptOut {
        on,
        key,
        allowed: Vec::new(),
        why,
    };
    match mesh {
        Mesh::Istio => vec![
            refuse(
                "label",
                "sidecar.istio.io/inject",
                "skips sidecar injection (the namespace label injects every pod)",
            ),
            refuse(
                "annotation",
                "sidecar.istio.io/inject",
                "skips sidecar injection",
            ),
            refuse(
                "annotation",
                "sidecar.istio.io/interceptionMode",
                "`NONE` leaves traffic unredirected",
            ),
            refuse(
                "annotation",
                "traffic.sidecar.istio.io/",
                "they exclude or narrow the ports, addresses and interfaces the sidecar captures",
            ),
        ],
        Mesh::IstioAmbient => vec![refuse(
            "label",
            "istio.io/dataplane-mode",
            "`none` takes the pod out of ambient (the namespace label enrols every pod)",
        )],
        Mesh::Linkerd => vec![
            OptOut {
                on: "annotation",
                key: "linkerd.io/inject",
                allowed: vec!["enabled"],
                why: "`disabled` skips proxy injection",
            },
            refuse(
                "annotation",
                "config.linkerd.io/skip-inbound-ports",
                "inbound ports that bypass the proxy (plaintext)",
            ),
            refuse(
                "annotation",
                "config.linkerd.io/skip-outbound-ports",
                "outbound ports that bypass the proxy (plaintext)",
            ),
            refuse(
                "annotation",
                "config.linkerd.io/skip-subnets",
                "addresses that bypass the proxy (plaintext)",
            ),
            OptOut {
                on: "annotation",
                key: "config.linkerd.io/default-inbound-policy",
                allowed: vec!["all-authenticated", "cluster-authenticated", "deny"],
                why: "a pod may tighten its inbound policy, never admit unauthenticated clients",
            },
        ],
    }
}

/// The tenancy of a cluster of `tenants` (name and trust, sorted) on `node_groups`.
pub fn tenancy(
    kubernetes_version: &str,
    zero_trust: bool,
    mesh: Option<Mesh>,
    tenants: &[(String, Trust)],
    node_groups: &[NodeGroup],
) -> Result<Tenancy, Error> {
    let version = pod_security_version(kubernetes_version);
    let mut namespaces = Vec::with_capacity(tenants.len());
    for (name, trust) in tenants {
        let toleration = match trust {
            Trust::Trusted => None,
            Trust::Untrusted => {
                let taint = node_groups
                    .iter()
                    .filter(|g| g.tenant.as_ref().is_some_and(|t| &t.name == name))
                    .flat_map(|g| &g.taints)
                    .find(|t| t.key == TENANT_LABEL)
                    .ok_or_else(|| {
                        Error::Bug(format!(
                            "untrusted tenant `{name}` has no tainted node group"
                        ))
                    })?;
                Some(taint.clone())
            }
        };
        namespaces.push(TenantNamespace {
            name: name.clone(),
            trust: *trust,
            pod_security: PodSecurity {
                enforce: pod_security_level(*trust),
                warn: PodSecurityLevel::Restricted,
                version: version.clone(),
            },
            toleration,
        });
    }
    let mesh_admission = mesh.map(|m| MeshAdmission {
        mesh: match m {
            Mesh::Istio => "Istio (sidecars)",
            Mesh::IstioAmbient => "Istio ambient",
            Mesh::Linkerd => "Linkerd",
        },
        proxy_container: match m {
            Mesh::Istio => Some("istio-proxy"),
            Mesh::IstioAmbient => None,
            Mesh::Linkerd => Some("linkerd-proxy"),
        },
        opt_outs: opt_outs(m),
    });
    let authorization = mesh.filter(|_| zero_trust).map(|m| match m {
        Mesh::Istio | Mesh::IstioAmbient => Authorization::Istio,
        Mesh::Linkerd => Authorization::Linkerd {
            default_inbound_policy: LINKERD_DEFAULT_INBOUND,
        },
    });
    let mut forbidden_tolerations: Vec<String> = node_groups
        .iter()
        .filter(|g| g.tenant.is_none())
        .flat_map(|g| &g.taints)
        .filter(|t| {
            !node_groups
                .iter()
                .filter(|g| g.tenant.is_some())
                .any(|g| g.taints.iter().any(|x| x.key == t.key))
        })
        .map(|t| t.key.clone())
        .collect();
    forbidden_tolerations.sort();
    forbidden_tolerations.dedup();
    Ok(Tenancy {
        node_selector_key: TENANT_LABEL,
        forbidden_tolerations,
        namespaces,
        mesh: mesh_admission,
        authorization,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_minor() {
        assert_eq!(pod_security_version("1.33"), "v1.33");
        assert_eq!(pod_security_version("1.34.2"), "v1.34");
    }

    #[test]
    fn untrusted_without_a_tainted_group_is_a_bug() {
        let r = tenancy("1.33", true, None, &[("u".into(), Trust::Untrusted)], &[]);
        assert!(matches!(r, Err(Error::Bug(_))));
    }

    #[test]
    fn levels_and_authorization() {
        let t = tenancy(
            "1.33",
            false,
            Some(Mesh::Linkerd),
            &[("a".into(), Trust::Trusted)],
            &[],
        )
        .expect("tenancy");
        assert_eq!(
            t.namespaces[0].pod_security.enforce,
            PodSecurityLevel::Baseline
        );
        assert_eq!(t.authorization, None, "no authorization without zeroTrust");
        let m = t.mesh.expect("mesh admission");
        assert_eq!(m.proxy_container, Some("linkerd-proxy"));
    }
}

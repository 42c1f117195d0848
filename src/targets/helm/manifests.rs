//! The manifests target: per cluster, `manifests/<cluster>/` with one file per tenant
//! (its namespace, enrolled in the mesh, and the NetworkPolicies that isolate it), the
//! mesh-wide STRICT `PeerAuthentication` for Istio, and for Linkerd the cert-manager
//! objects and the trust-manager Bundle behind its identity.
//!
//! Part of stage 4 (render). Input: each cluster's tenants and
//! [`Networking`](crate::plan::encryption::Networking). Output: files in the
//! [`OutputTree`]. No file holds key material: cert-manager and the nodes make every key
//! inside the cluster. The Bundle is JSON because the conformance kit has no schema for
//! it (see the decision record); kubectl applies JSON and YAML alike. Each template gets
//! one flat, print-ready context, built in one constructor.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::output::{HEADER, OutputTree};
use crate::plan::encryption::isolation::{IngressPolicy, Peer, TenantIsolation};
use crate::plan::encryption::stack::{IstioPlan, IstiodPort, Lifetime, LinkerdPlan};
use crate::plan::{ClusterPlan, Plan, TENANT_LABEL};
use crate::targets::templates::{
    TEMPLATE_ISTIOD_NETWORK_POLICY, TEMPLATE_LINKERD_BUNDLE, TEMPLATE_LINKERD_IDENTITY,
    TEMPLATE_PEER_AUTHENTICATION, TEMPLATE_STORAGE_CLASS, TEMPLATE_TENANT, Templates,
};

/// Context of `manifests/storage-class.yaml.tera`: the cluster's default StorageClass.
#[derive(Debug, Serialize)]
pub struct StorageClassContext<'a> {
    /// The cluster's name.
    pub cluster: &'a str,
    /// The class's name.
    pub name: &'static str,
    /// Its CSI driver.
    pub provisioner: &'static str,
    /// The driver's parameters, sorted.
    pub parameters: &'a std::collections::BTreeMap<&'static str, &'static str>,
}

/// Context of `manifests/istio-peer-authentication.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct PeerAuthenticationContext<'a> {
    /// The cluster's name.
    pub cluster: &'a str,
    /// Istio's root namespace, where the mesh-wide policy lives.
    pub root_namespace: &'static str,
    /// `spec.mtls.mode`.
    pub mtls_mode: &'static str,
}

impl<'a> PeerAuthenticationContext<'a> {
    /// The mesh-wide policy of `cluster`, from `istio`.
    pub fn new(cluster: &'a ClusterPlan, istio: &IstioPlan) -> Self {
        Self {
            cluster: &cluster.name,
            root_namespace: istio.root_namespace,
            mtls_mode: istio.mtls_mode,
        }
    }
}

/// Context of `manifests/istiod-network-policy.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct IstiodNetworkPolicyContext<'a> {
    /// The cluster's name.
    pub cluster: &'a str,
    /// istiod's namespace (Istio's root namespace).
    pub namespace: &'static str,
    /// The ports admitted, each with who uses it.
    pub ports: &'a [IstiodPort],
}

impl<'a> IstiodNetworkPolicyContext<'a> {
    /// istiod's NetworkPolicy on `cluster`, from `istio`.
    pub fn new(cluster: &'a ClusterPlan, istio: &'a IstioPlan) -> Self {
        Self {
            cluster: &cluster.name,
            namespace: istio.root_namespace,
            ports: &istio.istiod_ports,
        }
    }
}

/// A certificate's `duration`, `renewBefore` and `privateKey.rotationPolicy`.
#[derive(Debug, Serialize)]
pub struct LifetimeValues {
    /// `duration`.
    pub duration: &'static str,
    /// `renewBefore`.
    pub renew_before: &'static str,
    /// `privateKey.rotationPolicy`.
    pub rotation_policy: &'static str,
}

impl From<&Lifetime> for LifetimeValues {
    fn from(l: &Lifetime) -> Self {
        Self {
            duration: l.duration,
            renew_before: l.renew_before,
            rotation_policy: l.rotation_policy,
        }
    }
}

/// Context of `manifests/linkerd-identity.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct LinkerdIdentityContext<'a> {
    /// The cluster's name.
    pub cluster: &'a str,
    /// The namespace of every identity object (Linkerd's).
    pub namespace: &'static str,
    /// The trust anchor's lifetime.
    pub trust_anchor: LifetimeValues,
    /// The day the anchor's rotation is due (`YYYY-MM-DD`), annotated on its Certificate
    /// for `clusterwright check`.
    pub rotate_by: &'a str,
    /// The earliest day the anchor can expire (`YYYY-MM-DD`).
    pub expires_not_before: &'a str,
    /// The identity issuer's lifetime.
    pub identity_issuer: LifetimeValues,
}

impl<'a> LinkerdIdentityContext<'a> {
    /// Linkerd's identity objects on `cluster`, from `linkerd`.
    pub fn new(cluster: &'a ClusterPlan, linkerd: &'a LinkerdPlan) -> Self {
        Self {
            cluster: &cluster.name,
            namespace: linkerd.namespace,
            trust_anchor: (&linkerd.trust_anchor).into(),
            rotate_by: &linkerd.anchor_rotation.rotate_by,
            expires_not_before: &linkerd.anchor_rotation.expires_not_before,
            identity_issuer: (&linkerd.identity_issuer).into(),
        }
    }
}

/// Context of `manifests/linkerd-trust-roots-bundle.json.tera`.
#[derive(Debug, Serialize)]
pub struct TrustRootsBundleContext {
    /// The "generated, do not edit" line: JSON has no comments, so it goes into an
    /// annotation.
    pub generated: &'static str,
    /// The label of a previous trust anchor kept in the bundle during a rotation.
    pub previous_anchor_label: &'static str,
    /// The Secret the rotation procedure creates with that label.
    pub previous_anchor_secret: &'static str,
    /// The trust namespace (where the sources are) and the only target namespace.
    pub namespace: &'static str,
}

impl TrustRootsBundleContext {
    /// The trust bundle, from `linkerd`.
    pub fn new(linkerd: &LinkerdPlan) -> Self {
        Self {
            generated: HEADER,
            previous_anchor_label: linkerd.previous_anchor_label,
            previous_anchor_secret: linkerd.anchor_rotation.previous_anchor_secret,
            namespace: linkerd.namespace,
        }
    }
}

/// Whom a tenant NetworkPolicy admits: exactly one of the fields is set.
#[derive(Debug, Serialize)]
pub struct IngressValues {
    /// Pods of the same namespace.
    pub same_namespace: bool,
    /// An address range.
    pub cidr: Option<&'static str>,
}

/// One NetworkPolicy of every tenant namespace.
#[derive(Debug, Serialize)]
pub struct TenantPolicy {
    /// Name.
    pub name: &'static str,
    /// Why it exists.
    pub why: &'static str,
    /// Whom it admits (`None`: nobody; it only selects, so everything else is denied).
    pub ingress: Option<IngressValues>,
}

impl TenantPolicy {
    /// The policies of every tenant namespace under `isolation`, in order.
    pub fn all(isolation: &TenantIsolation) -> Vec<Self> {
        isolation.policies.iter().map(Self::new).collect()
    }

    fn new(policy: &IngressPolicy) -> Self {
        Self {
            name: policy.name,
            why: policy.why,
            ingress: policy.from.as_ref().map(|peer| match peer {
                Peer::SameNamespace => IngressValues {
                    same_namespace: true,
                    cidr: None,
                },
                Peer::Cidr { cidr } => IngressValues {
                    same_namespace: false,
                    cidr: Some(cidr),
                },
            }),
        }
    }
}

/// Context of `manifests/tenant.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct TenantContext<'a> {
    /// The cluster's name.
    pub cluster: &'a str,
    /// The tenant: its namespace is named after it.
    pub tenant: &'a str,
    /// The label naming a namespace's tenant.
    pub tenant_label: &'static str,
    /// The mesh enrollment, in words.
    pub enrollment: &'static str,
    /// Namespace labels besides the tenant label.
    pub labels: &'a BTreeMap<&'static str, &'static str>,
    /// Namespace annotations.
    pub annotations: &'a BTreeMap<&'static str, &'static str>,
    /// The namespace's NetworkPolicies ([`TenantPolicy::all`], the same for every
    /// tenant of the cluster).
    pub policies: &'a [TenantPolicy],
}

impl<'a> TenantContext<'a> {
    /// The manifest of `tenant` on `cluster`, with the cluster's `policies`.
    pub fn new(cluster: &'a ClusterPlan, tenant: &'a str, policies: &'a [TenantPolicy]) -> Self {
        let isolation = &cluster.networking.tenant_isolation;
        Self {
            cluster: &cluster.name,
            tenant,
            tenant_label: TENANT_LABEL,
            enrollment: isolation.enrollment,
            labels: &isolation.labels,
            annotations: &isolation.annotations,
            policies,
        }
    }
}

/// Renders `manifests/<cluster>/` for every cluster.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for cluster in &plan.clusters {
        let n = &cluster.networking;
        let dir = format!("manifests/{}", cluster.name);
        if let Some(istio) = n.istio() {
            let text = templates.render(
                TEMPLATE_PEER_AUTHENTICATION,
                &PeerAuthenticationContext::new(cluster, istio),
            )?;
            tree.insert(
                &format!("{dir}/istio-peer-authentication.yaml"),
                &text,
                TEMPLATE_PEER_AUTHENTICATION,
            )?;
            let text = templates.render(
                TEMPLATE_ISTIOD_NETWORK_POLICY,
                &IstiodNetworkPolicyContext::new(cluster, istio),
            )?;
            tree.insert(
                &format!("{dir}/istiod-network-policy.yaml"),
                &text,
                TEMPLATE_ISTIOD_NETWORK_POLICY,
            )?;
        }
        if let Some(linkerd) = n.linkerd() {
            let text = templates.render(
                TEMPLATE_LINKERD_IDENTITY,
                &LinkerdIdentityContext::new(cluster, linkerd),
            )?;
            tree.insert(
                &format!("{dir}/linkerd-identity.yaml"),
                &text,
                TEMPLATE_LINKERD_IDENTITY,
            )?;
            let text = templates.render(
                TEMPLATE_LINKERD_BUNDLE,
                &TrustRootsBundleContext::new(linkerd),
            )?;
            tree.insert(
                &format!("{dir}/linkerd-trust-roots-bundle.json"),
                &text,
                TEMPLATE_LINKERD_BUNDLE,
            )?;
        }
        if let Some(class) = &cluster.storage_class {
            let text = templates.render(
                TEMPLATE_STORAGE_CLASS,
                &StorageClassContext {
                    cluster: &cluster.name,
                    name: class.name,
                    provisioner: class.provisioner,
                    parameters: &class.parameters,
                },
            )?;
            tree.insert(
                &format!("{dir}/storage-class.yaml"),
                &text,
                TEMPLATE_STORAGE_CLASS,
            )?;
        }
        let policies = TenantPolicy::all(&n.tenant_isolation);
        for tenant in &cluster.tenants {
            let text = templates.render(
                TEMPLATE_TENANT,
                &TenantContext::new(cluster, tenant, &policies),
            )?;
            tree.insert(
                &format!("{dir}/tenant-{tenant}.yaml"),
                &text,
                TEMPLATE_TENANT,
            )?;
        }
    }
    Ok(())
}

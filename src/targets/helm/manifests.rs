//! The manifests target: per cluster, `manifests/<cluster>/` with one file per tenant
//! (its namespace, enrolled in the mesh, and the NetworkPolicies that isolate it), the
//! mesh-wide STRICT `PeerAuthentication` for Istio, and for Linkerd the cert-manager
//! objects and the trust-manager Bundle behind its identity.
//!
//! Part of stage 4 (render). Input: each cluster's tenants and
//! [`Networking`](crate::plan::encryption::Networking). Output: files in the
//! [`OutputTree`]. No file holds key material: cert-manager and the nodes make every key
//! inside the cluster. The Bundle is JSON because the conformance kit has no schema for
//! it (see the decision record); kubectl applies JSON and YAML alike.

use serde::Serialize;

use crate::error::Result;
use crate::output::{HEADER, OutputTree};
use crate::plan::encryption::stack::{IstioPlan, LinkerdPlan, TenantIsolation};
use crate::plan::{ClusterPlan, Plan, TENANT_LABEL};
use crate::targets::templates::{
    TEMPLATE_LINKERD_BUNDLE, TEMPLATE_LINKERD_IDENTITY, TEMPLATE_PEER_AUTHENTICATION,
    TEMPLATE_TENANT, Templates,
};

/// Context of `manifests/istio-peer-authentication.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct PeerAuthenticationContext<'a> {
    /// The cluster.
    pub cluster: &'a ClusterPlan,
    /// Istio's settings: root namespace and mTLS mode.
    pub istio: &'a IstioPlan,
}

/// Context of `manifests/linkerd-identity.yaml.tera` and
/// `manifests/linkerd-trust-roots-bundle.json.tera`.
#[derive(Debug, Serialize)]
pub struct LinkerdIdentityContext<'a> {
    /// The cluster.
    pub cluster: &'a ClusterPlan,
    /// Linkerd's settings: certificate lifetimes, the previous-anchor label.
    pub linkerd: &'a LinkerdPlan,
    /// The "generated, do not edit" line, for formats without comments (JSON), where it
    /// goes into an annotation instead.
    pub generated: &'static str,
}

/// Context of `manifests/tenant.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct TenantContext<'a> {
    /// The cluster.
    pub cluster: &'a ClusterPlan,
    /// The tenant: its namespace is named after it.
    pub tenant: &'a str,
    /// The label naming a namespace's tenant.
    pub tenant_label: &'static str,
    /// Mesh enrollment and NetworkPolicies.
    pub isolation: &'a TenantIsolation,
}

/// Renders `manifests/<cluster>/` for every cluster.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for cluster in &plan.clusters {
        let n = &cluster.networking;
        let dir = format!("manifests/{}", cluster.name);
        if let Some(istio) = n.istio() {
            let text = templates.render(
                TEMPLATE_PEER_AUTHENTICATION,
                &PeerAuthenticationContext { cluster, istio },
            )?;
            tree.insert(
                &format!("{dir}/istio-peer-authentication.yaml"),
                &text,
                TEMPLATE_PEER_AUTHENTICATION,
            )?;
        }
        if let Some(linkerd) = n.linkerd() {
            let context = LinkerdIdentityContext {
                cluster,
                linkerd,
                generated: HEADER,
            };
            let text = templates.render(TEMPLATE_LINKERD_IDENTITY, &context)?;
            tree.insert(
                &format!("{dir}/linkerd-identity.yaml"),
                &text,
                TEMPLATE_LINKERD_IDENTITY,
            )?;
            let text = templates.render(TEMPLATE_LINKERD_BUNDLE, &context)?;
            tree.insert(
                &format!("{dir}/linkerd-trust-roots-bundle.json"),
                &text,
                TEMPLATE_LINKERD_BUNDLE,
            )?;
        }
        for tenant in &cluster.tenants {
            let text = templates.render(
                TEMPLATE_TENANT,
                &TenantContext {
                    cluster,
                    tenant,
                    tenant_label: TENANT_LABEL,
                    isolation: &n.tenant_isolation,
                },
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

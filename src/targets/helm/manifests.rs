//! The manifests target: per cluster, `manifests/<cluster>/` with one file per tenant
//! (its namespace, enrolled in the mesh, with its Pod Security labels, the
//! NetworkPolicies that isolate it and, under `zeroTrust` with Istio, its
//! AuthorizationPolicies), `admission-tenants.yaml` (the ValidatingAdmissionPolicies that
//! keep tenant pods on their node groups and in the mesh, and tenant namespaces as
//! planned), the mesh-wide STRICT `PeerAuthentication` for Istio, and for Linkerd the
//! cert-manager objects and the trust-manager Bundle behind its identity, and under
//! `zeroTrust` `linkerd-policy/tenant-<tenant>.json` (applied once Linkerd's CRDs exist).
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
use crate::plan::tenancy::{Authorization, LINKERD_POLICY_DIR, OptOut, Tenancy, TenantNamespace};
use crate::plan::{ClusterPlan, Plan, TENANT_LABEL};
use crate::targets::templates::{
    TEMPLATE_ISTIOD_NETWORK_POLICY, TEMPLATE_LINKERD_BUNDLE, TEMPLATE_LINKERD_IDENTITY,
    TEMPLATE_LINKERD_TENANT_POLICY, TEMPLATE_PEER_AUTHENTICATION, TEMPLATE_STORAGE_CLASS,
    TEMPLATE_TENANT, TEMPLATE_TENANT_ADMISSION, Templates,
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
    /// The only protocol admitted, on every port (`None`: every protocol).
    pub protocol: Option<&'static str>,
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
            protocol: policy.protocol,
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
    /// Namespace labels besides the tenant label: the mesh's and Pod Security's.
    pub labels: BTreeMap<&'static str, String>,
    /// Namespace annotations.
    pub annotations: BTreeMap<&'static str, &'static str>,
    /// The namespace's NetworkPolicies ([`TenantPolicy::all`], the same for every
    /// tenant of the cluster).
    pub policies: &'a [TenantPolicy],
    /// Whether the namespace gets Istio's `allow-nothing` and `allow-same-namespace`
    /// AuthorizationPolicies.
    pub istio_authorization: bool,
}

/// The Pod Security labels of `namespace`: `enforce` at its level, `warn` and `audit` at
/// `restricted`, every mode pinned to the cluster's Kubernetes minor
/// (kubernetes.io/docs/concepts/security/pod-security-admission, "Pod Security Admission
/// labels for namespaces").
pub fn pod_security_labels(namespace: &TenantNamespace) -> BTreeMap<&'static str, String> {
    let p = &namespace.pod_security;
    BTreeMap::from([
        (
            "pod-security.kubernetes.io/enforce",
            p.enforce.name().to_owned(),
        ),
        (
            "pod-security.kubernetes.io/enforce-version",
            p.version.clone(),
        ),
        ("pod-security.kubernetes.io/warn", p.warn.name().to_owned()),
        ("pod-security.kubernetes.io/warn-version", p.version.clone()),
        ("pod-security.kubernetes.io/audit", p.warn.name().to_owned()),
        (
            "pod-security.kubernetes.io/audit-version",
            p.version.clone(),
        ),
    ])
}

/// The namespace annotations of every tenant namespace of `cluster`: the mesh's
/// enrollment, and Linkerd's default inbound policy under `zeroTrust`.
pub fn namespace_annotations(cluster: &ClusterPlan) -> BTreeMap<&'static str, &'static str> {
    let mut annotations = cluster.networking.tenant_isolation.annotations.clone();
    if let Some(Authorization::Linkerd {
        default_inbound_policy,
    }) = &cluster.tenancy.authorization
    {
        annotations.insert(
            "config.linkerd.io/default-inbound-policy",
            default_inbound_policy,
        );
    }
    annotations
}

impl<'a> TenantContext<'a> {
    /// The manifest of `namespace` on `cluster`, with the cluster's `policies`.
    pub fn new(
        cluster: &'a ClusterPlan,
        namespace: &'a TenantNamespace,
        policies: &'a [TenantPolicy],
    ) -> Self {
        let isolation = &cluster.networking.tenant_isolation;
        let mut labels: BTreeMap<&'static str, String> = isolation
            .labels
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        labels.extend(pod_security_labels(namespace));
        Self {
            cluster: &cluster.name,
            tenant: &namespace.name,
            tenant_label: TENANT_LABEL,
            enrollment: isolation.enrollment,
            labels,
            annotations: namespace_annotations(cluster),
            policies,
            istio_authorization: cluster.tenancy.authorization == Some(Authorization::Istio),
        }
    }
}

/// One CEL validation of a ValidatingAdmissionPolicy.
#[derive(Debug, Serialize)]
pub struct Validation {
    /// The CEL expression; the object is admitted when it is true.
    pub expression: String,
    /// The message of a refusal.
    pub message: String,
}

/// Context of `manifests/admission-tenants.yaml.tera`: the cluster's tenant admission
/// policies (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30:
/// kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy).
#[derive(Debug, Serialize)]
pub struct AdmissionContext<'a> {
    /// The cluster's name.
    pub cluster: &'a str,
    /// The label naming a namespace's tenant.
    pub tenant_label: &'static str,
    /// CEL: the tenant of the pod's namespace.
    pub tenant_of_namespace: String,
    /// CEL: whether a namespace is labelled as a tenant's, before or after the change.
    pub is_tenant_namespace: String,
    /// The tenants whose node groups are tainted, as a CEL list literal.
    pub tainted: String,
    /// The scheduling policy's validations.
    pub scheduling: Vec<Validation>,
    /// The mesh in words, when the mesh policy is generated.
    pub mesh: Option<&'static str>,
    /// The mesh policy's validations (empty without a mesh).
    pub mesh_rules: Vec<Validation>,
    /// The namespace policy: each tenant and its enforced Pod Security level, as a CEL
    /// map literal.
    pub levels: String,
    /// The namespace policy's validations.
    pub namespace_rules: Vec<Validation>,
}

/// `'a'` as a CEL string literal; every value quoted here is a DNS label, a label key or a
/// label value, none of which holds a quote or a backslash.
fn cel(s: &str) -> String {
    format!("'{s}'")
}

/// `['a', 'b']` as a CEL list literal.
fn cel_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let items: Vec<String> = items.into_iter().map(cel).collect();
    format!("[{}]", items.join(", "))
}

/// `map.k` is set to one of `allowed` or not at all (a key ending in `/`: no key under it).
fn opt_out_rule(o: &OptOut) -> Validation {
    let map = if o.on == "label" {
        "object.metadata.labels"
    } else {
        "object.metadata.annotations"
    };
    let absent = if o.key.ends_with('/') {
        format!("{map}.all(k, !k.startsWith({}))", cel(o.key))
    } else if o.allowed.is_empty() {
        format!("!({} in {map})", cel(o.key))
    } else {
        format!(
            "!({k} in {map}) || {map}[{k}] in {}",
            cel_list(o.allowed.iter().copied()),
            k = cel(o.key)
        )
    };
    let what = if o.key.ends_with('/') {
        format!("pod {}s under {} may not be set", o.on, o.key)
    } else if o.allowed.is_empty() {
        format!("pod {} {} may not be set", o.on, o.key)
    } else {
        format!(
            "pod {} {} may only be {}",
            o.on,
            o.key,
            o.allowed.join(", ")
        )
    };
    Validation {
        expression: format!("!has({map}) || {absent}"),
        message: format!("{what} in a tenant namespace ({})", o.why),
    }
}

/// The scheduling policy's validations under `t`: the node selector, the toleration of
/// tainted (untrusted) tenants, and no toleration that opens another node group.
fn scheduling_rules(t: &Tenancy) -> Vec<Validation> {
    let key = cel(t.node_selector_key);
    let forbidden = cel_list(t.forbidden_tolerations.iter().map(String::as_str));
    vec![
        Validation {
            expression: format!(
                "has(object.spec.nodeSelector) && {key} in object.spec.nodeSelector && object.spec.nodeSelector[{key}] == variables.tenant"
            ),
            message: format!(
                "a pod in a tenant namespace sets spec.nodeSelector {}: <the namespace's tenant> (README.md, \"Tenant pods\")",
                t.node_selector_key
            ),
        },
        Validation {
            expression: format!(
                "!(variables.tenant in variables.tainted) || (has(object.spec.tolerations) && object.spec.tolerations.exists(t, has(t.key) && t.key == {key} && has(t.value) && t.value == variables.tenant))"
            ),
            message: format!(
                "an untrusted tenant's pod tolerates its node groups' taint {}=<tenant>:NoSchedule (README.md, \"Tenant pods\")",
                t.node_selector_key
            ),
        },
        Validation {
            expression: format!(
                "!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && t.key != '' && !(t.key in {forbidden}) && (t.key != {key} || (has(t.value) && t.value == variables.tenant && (!has(t.operator) || t.operator == 'Equal'))))"
            ),
            message: format!(
                "a tenant pod tolerates no taint of another node group: no toleration without a key (operator Exists matches every taint), none of {}, no {} but its own tenant's",
                t.forbidden_tolerations.join(", "),
                t.node_selector_key
            ),
        },
    ]
}

/// The mesh policy's validations under `t` (none without a mesh): the injected proxy, and
/// no opt-out.
fn mesh_rules(t: &Tenancy) -> Vec<Validation> {
    let mut mesh_rules = Vec::new();
    if let Some(m) = &t.mesh {
        if let Some(proxy) = m.proxy_container {
            let p = cel(proxy);
            mesh_rules.push(Validation {
                expression: format!(
                    "object.spec.containers.exists(c, c.name == {p}) || (has(object.spec.initContainers) && object.spec.initContainers.exists(c, c.name == {p}))"
                ),
                message: format!(
                    "a pod in a tenant namespace runs with the mesh's proxy ({proxy}): it was not injected (injector down, or injection skipped)"
                ),
            });
        }
        mesh_rules.extend(m.opt_outs.iter().map(opt_out_rule));
    }
    mesh_rules
}

/// The namespace policy's validations on `cluster`: tenant label, enforced level (or
/// stricter), pinned version (or later), mesh labels and annotations. `matches` is CEL's
/// standard regex function; `substring` is of cel-go's strings extension, which Kubernetes
/// enables for admission expressions (kubernetes.io/docs/reference/using-api/cel,
/// "Kubernetes CEL libraries" and "Strings").
fn namespace_rules(cluster: &ClusterPlan) -> Vec<Validation> {
    let t = &cluster.tenancy;
    let key = cel(t.node_selector_key);
    let labels = "object.metadata.labels";
    let annotations = "object.metadata.annotations";
    let enforce = cel("pod-security.kubernetes.io/enforce");
    let version = cel("pod-security.kubernetes.io/enforce-version");
    let minor = t
        .namespaces
        .first()
        .and_then(|n| n.pod_security.version.rsplit('.').next())
        .unwrap_or("0")
        .to_owned();
    let mut namespace_rules = vec![
        Validation {
            expression: format!(
                "has({labels}) && {key} in {labels} && {labels}[{key}] == object.metadata.name && object.metadata.name in variables.levels"
            ),
            message: format!(
                "a namespace labelled {} is named after its tenant, one of this cluster's; the label stays",
                t.node_selector_key
            ),
        },
        Validation {
            expression: format!(
                "!(object.metadata.name in variables.levels) || (has({labels}) && {enforce} in {labels} && ({labels}[{enforce}] == 'restricted' || ({labels}[{enforce}] == 'baseline' && variables.levels[object.metadata.name] == 'baseline')))"
            ),
            message: "a tenant namespace enforces at least its planned Pod Security level (DECISIONS.md, \"Tenant isolation\")".to_owned(),
        },
        Validation {
            expression: format!(
                "has({labels}) && {version} in {labels} && ({labels}[{version}] == 'latest' || ({labels}[{version}].matches('^v1[.][0-9]+$') && int({labels}[{version}].substring(3)) >= {minor}))"
            ),
            message: format!(
                "a tenant namespace pins pod-security.kubernetes.io/enforce-version to v1.{minor} or later"
            ),
        },
    ];
    for (k, v) in &cluster.networking.tenant_isolation.labels {
        namespace_rules.push(Validation {
            expression: format!(
                "has({labels}) && {k} in {labels} && {labels}[{k}] == {v}",
                k = cel(k),
                v = cel(v)
            ),
            message: format!("a tenant namespace keeps its mesh label {k}: {v}"),
        });
    }
    for (k, v) in namespace_annotations(cluster) {
        namespace_rules.push(Validation {
            expression: format!(
                "has({annotations}) && {k} in {annotations} && {annotations}[{k}] == {v}",
                k = cel(k),
                v = cel(v)
            ),
            message: format!("a tenant namespace keeps its annotation {k}: {v}"),
        });
    }
    namespace_rules
}

impl<'a> AdmissionContext<'a> {
    /// The admission policies of `cluster`.
    pub fn new(cluster: &'a ClusterPlan) -> Self {
        let t: &Tenancy = &cluster.tenancy;
        let key = cel(t.node_selector_key);
        let levels: Vec<String> = t
            .namespaces
            .iter()
            .map(|n| format!("{}: {}", cel(&n.name), cel(n.pod_security.enforce.name())))
            .collect();
        Self {
            cluster: &cluster.name,
            tenant_label: TENANT_LABEL,
            tenant_of_namespace: format!("namespaceObject.metadata.labels[{key}]"),
            is_tenant_namespace: format!(
                "(has(object.metadata.labels) && {key} in object.metadata.labels) || (oldObject != null && has(oldObject.metadata.labels) && {key} in oldObject.metadata.labels)"
            ),
            tainted: cel_list(t.tainted().map(|n| n.name.as_str())),
            scheduling: scheduling_rules(t),
            mesh: t.mesh.as_ref().map(|m| m.mesh),
            mesh_rules: mesh_rules(t),
            levels: format!("{{{}}}", levels.join(", ")),
            namespace_rules: namespace_rules(cluster),
        }
    }
}

/// Context of `manifests/linkerd-tenant-policy.json.tera`: a tenant namespace's Linkerd
/// authorization under `zeroTrust`.
#[derive(Debug, Serialize)]
pub struct LinkerdTenantPolicyContext<'a> {
    /// The "generated, do not edit" line, as an annotation (JSON has no comments).
    pub generated: &'static str,
    /// The tenant; its namespace has its name.
    pub tenant: &'a str,
    /// The label naming a namespace's tenant.
    pub tenant_label: &'static str,
}

/// Renders `manifests/<cluster>/` for every cluster.
pub fn render(plan: &Plan, templates: &Templates, tree: &mut OutputTree) -> Result<()> {
    for cluster in &plan.clusters {
        let n = &cluster.networking;
        let dir = format!("manifests/{}", cluster.name);
        if let Some(istio) = n.istio() {
            emit(
                templates,
                tree,
                &format!("{dir}/istio-peer-authentication.yaml"),
                TEMPLATE_PEER_AUTHENTICATION,
                &PeerAuthenticationContext::new(cluster, istio),
            )?;
            emit(
                templates,
                tree,
                &format!("{dir}/istiod-network-policy.yaml"),
                TEMPLATE_ISTIOD_NETWORK_POLICY,
                &IstiodNetworkPolicyContext::new(cluster, istio),
            )?;
        }
        if let Some(linkerd) = n.linkerd() {
            emit(
                templates,
                tree,
                &format!("{dir}/linkerd-identity.yaml"),
                TEMPLATE_LINKERD_IDENTITY,
                &LinkerdIdentityContext::new(cluster, linkerd),
            )?;
            emit(
                templates,
                tree,
                &format!("{dir}/linkerd-trust-roots-bundle.json"),
                TEMPLATE_LINKERD_BUNDLE,
                &TrustRootsBundleContext::new(linkerd),
            )?;
        }
        if let Some(class) = &cluster.storage_class {
            emit(
                templates,
                tree,
                &format!("{dir}/storage-class.yaml"),
                TEMPLATE_STORAGE_CLASS,
                &StorageClassContext {
                    cluster: &cluster.name,
                    name: class.name,
                    provisioner: class.provisioner,
                    parameters: &class.parameters,
                },
            )?;
        }
        if !cluster.tenancy.namespaces.is_empty() {
            emit(
                templates,
                tree,
                &format!("{dir}/admission-tenants.yaml"),
                TEMPLATE_TENANT_ADMISSION,
                &AdmissionContext::new(cluster),
            )?;
        }
        let policies = TenantPolicy::all(&n.tenant_isolation);
        let linkerd_authorization = matches!(
            cluster.tenancy.authorization,
            Some(Authorization::Linkerd { .. })
        );
        for namespace in &cluster.tenancy.namespaces {
            let tenant = &namespace.name;
            emit(
                templates,
                tree,
                &format!("{dir}/tenant-{tenant}.yaml"),
                TEMPLATE_TENANT,
                &TenantContext::new(cluster, namespace, &policies),
            )?;
            if linkerd_authorization {
                emit(
                    templates,
                    tree,
                    &format!("{dir}/{LINKERD_POLICY_DIR}/tenant-{tenant}.json"),
                    TEMPLATE_LINKERD_TENANT_POLICY,
                    &LinkerdTenantPolicyContext {
                        generated: HEADER,
                        tenant,
                        tenant_label: TENANT_LABEL,
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// Renders `template` with `context` into `path` of `tree`.
fn emit(
    templates: &Templates,
    tree: &mut OutputTree,
    path: &str,
    template: &str,
    context: &impl Serialize,
) -> Result<()> {
    let text = templates.render(template, context)?;
    tree.insert(path, &text, template)
}

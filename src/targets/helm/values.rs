//! The values files of the Helm target: one context per `helm/*.values.yaml.tera`,
//! chosen by the kind of release, flat and print-ready.
//!
//! Part of stage 4 (render). Input: a cluster and one of its [`Release`]s. Output: the
//! release's values file, rendered. Each context's constructor turns the release's
//! settings into exactly the strings, numbers and switches its template prints.

use std::collections::BTreeMap;

use serde::Serialize;

use super::bug;
use crate::cloud::policy::NetworkEncryption;
use crate::error::Result;
use crate::plan::cluster::CRITICAL_ADDONS_ONLY;
use crate::plan::encryption::charts;
use crate::plan::encryption::stack::{
    CiliumIntegration, CiliumPlan, GatewayApi, IstioPlan, LinkerdPlan, Release,
};
use crate::plan::{ClusterPlan, TENANT_LABEL};
use crate::targets::templates::{
    TEMPLATE_CILIUM_VALUES, TEMPLATE_ISTIO_BASE_VALUES, TEMPLATE_ISTIO_CNI_VALUES,
    TEMPLATE_ISTIOD_VALUES, TEMPLATE_LINKERD_CNI_VALUES, TEMPLATE_LINKERD_CONTROL_PLANE_VALUES,
    TEMPLATE_LINKERD_CRDS_VALUES, TEMPLATE_ZTUNNEL_VALUES, Templates,
};

/// A rendered values file.
#[derive(Debug)]
pub struct Rendered {
    /// The template it was rendered from.
    pub template: &'static str,
    /// Its text.
    pub text: String,
}

/// Renders `release`'s values file for `cluster`; `None` where the helmfile holds its
/// values inline.
pub fn render(
    templates: &Templates,
    cluster: &ClusterPlan,
    release: &Release,
) -> Result<Option<Rendered>> {
    let name = cluster.name.as_str();
    match release {
        Release::Cilium(c) => file(
            templates,
            TEMPLATE_CILIUM_VALUES,
            &CiliumValuesContext::new(cluster, c)?,
        ),
        Release::IstioBase(i) => file(
            templates,
            TEMPLATE_ISTIO_BASE_VALUES,
            &IstioBaseValuesContext::new(name, i),
        ),
        Release::Istiod(i) => file(
            templates,
            TEMPLATE_ISTIOD_VALUES,
            &IstiodValuesContext::new(name, i),
        ),
        Release::IstioCni(i) => file(
            templates,
            TEMPLATE_ISTIO_CNI_VALUES,
            &IstioCniValuesContext::new(name, i),
        ),
        Release::Ztunnel(i) => file(
            templates,
            TEMPLATE_ZTUNNEL_VALUES,
            &ZtunnelValuesContext::new(name, i),
        ),
        Release::LinkerdCni(l) => file(
            templates,
            TEMPLATE_LINKERD_CNI_VALUES,
            &LinkerdCniValuesContext::new(name, l),
        ),
        Release::LinkerdCrds(l) => file(
            templates,
            TEMPLATE_LINKERD_CRDS_VALUES,
            &LinkerdCrdsValuesContext::new(name, l),
        ),
        Release::LinkerdControlPlane(l) => file(
            templates,
            TEMPLATE_LINKERD_CONTROL_PLANE_VALUES,
            &LinkerdControlPlaneValuesContext::new(name, l),
        ),
        Release::CertManager | Release::TrustManager => Ok(None),
    }
}

fn file(
    templates: &Templates,
    template: &'static str,
    context: &impl Serialize,
) -> Result<Option<Rendered>> {
    Ok(Some(Rendered {
        template,
        text: templates.render(template, context)?,
    }))
}

/// Cilium's ENI settings on EKS.
#[derive(Debug, Serialize)]
pub struct EniValues<'a> {
    /// `eni.iamRole`: the ARN of the role cilium-operator assumes.
    pub iam_role: &'a str,
    /// The subnet tag that marks this cluster's pod subnets, as `<key>=<value>`.
    pub subnet_tag: String,
    /// `eni.nodeSpec.firstInterfaceIndex`: the first ENI pods take addresses from.
    pub first_interface_index: u32,
    /// `eni.eniTags`: the tag every ENI cilium-operator creates carries, `cluster` = the
    /// cluster's name, which the operator's IAM policy requires on the ENIs it may change.
    pub eni_tags: BTreeMap<&'static str, &'a str>,
}

/// The tag key every AWS resource of a cluster carries with the cluster's name (the
/// launch template's instances and ENIs, the IAM roles); the cilium-operator policy
/// (templates/terraform/modules/aws-cluster/iam.tf) conditions its writes on it.
pub const AWS_CLUSTER_TAG: &str = "cluster";

/// Cilium's `cni` section, when anything in it differs from the chart's defaults.
#[derive(Debug, Serialize)]
pub struct CniValues {
    /// `cni.binPath`, where the cloud keeps CNI binaries elsewhere.
    pub bin_path: Option<&'static str>,
    /// Whether a CNI plugin chains after Cilium's (`cni.exclusive: false`).
    pub chained: bool,
}

/// Cilium's cluster-pool IPAM.
#[derive(Debug, Serialize)]
pub struct ClusterPoolValues<'a> {
    /// The pod ranges.
    pub cidrs: &'a [String],
    /// Prefix length of each node's pod block.
    pub mask_size: u8,
}

/// Where Cilium reads the API server's host (`k8sServiceHostRef`) and its port.
#[derive(Debug, Serialize)]
pub struct ServiceHostValues {
    /// The ConfigMap.
    pub name: &'static str,
    /// Its key.
    pub key: &'static str,
    /// `k8sServicePort`.
    pub port: u16,
}

/// Cilium's `encryption.strictMode`.
#[derive(Debug, Serialize)]
pub struct StrictModeValues<'a> {
    /// Strict egress, where the address plan allows it.
    pub egress: Option<StrictEgressValues<'a>>,
    /// Strict ingress.
    pub ingress: bool,
}

/// Cilium's strict egress.
#[derive(Debug, Serialize)]
pub struct StrictEgressValues<'a> {
    /// The pod range reached only encrypted.
    pub cidr: &'a str,
    /// `allowRemoteNodeIdentities`.
    pub allow_remote_node_identities: bool,
}

/// The Secret holding Cilium's IPsec key.
#[derive(Debug, Serialize)]
pub struct IpsecValues {
    /// `encryption.ipsec.secretName`.
    pub secret_name: &'static str,
    /// `encryption.ipsec.keyFile`.
    pub key_file: &'static str,
}

/// Context of `helm/cilium.values.yaml.tera`.
#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)] // each flag switches one block of the file
pub struct CiliumValuesContext<'a> {
    /// Chart version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// ENI settings (EKS); exactly one of `eni`, `gke` and `aks_byocni` is set.
    pub eni: Option<EniValues<'a>>,
    /// Whether Cilium runs on GKE's legacy datapath (`gke.enabled`).
    pub gke: bool,
    /// Whether Cilium is AKS's bring-your-own CNI (`aksbyocni.enabled`).
    pub aks_byocni: bool,
    /// The transparent encryption, as prose names it (`WireGuard`, `IPsec`).
    pub encryption_name: &'static str,
    /// `encryption.type`.
    pub encryption_type: NetworkEncryption,
    /// `encryption.nodeEncryption`.
    pub node_encryption: bool,
    /// Whether a mesh runs on Cilium (the file then carries the settings it needs).
    pub for_mesh: bool,
    /// `cluster.name`.
    pub cluster_name: &'a str,
    /// `ipam.mode`.
    pub ipam_mode: &'static str,
    /// Cluster-pool IPAM (AKS).
    pub cluster_pool: Option<ClusterPoolValues<'a>>,
    /// `routingMode`, where it must be set.
    pub routing_mode: Option<&'static str>,
    /// `ipv4NativeRoutingCIDR` (GKE, EKS): the cluster's pod range.
    pub native_routing_cidr: Option<&'a str>,
    /// `nodeinit.enabled` (GKE).
    pub node_init: bool,
    /// The `cni` section, when it is written.
    pub cni: Option<CniValues>,
    /// `kubeProxyReplacement`.
    pub kube_proxy_replacement: bool,
    /// `k8sServiceHostRef` and `k8sServicePort` (EKS).
    pub k8s_service_host: Option<ServiceHostValues>,
    /// `encryption.strictMode`, when any strict mode is on.
    pub strict_mode: Option<StrictModeValues<'a>>,
    /// `encryption.ipsec` (IPsec).
    pub ipsec: Option<IpsecValues>,
    /// `socketLB.hostNamespaceOnly: true`.
    pub socket_lb_host_namespace_only: bool,
    /// `bpf.masquerade: false`.
    pub disable_bpf_masquerade: bool,
    /// `bpf.hostLegacyRouting: true`.
    pub host_legacy_routing: bool,
    /// The key of the system node group's taint, which cilium-operator tolerates (the
    /// chart's defaults do not): they run on the system node group.
    pub system_toleration: &'static str,
}

impl<'a> CiliumValuesContext<'a> {
    /// The context of `cluster`'s Cilium values, from `cilium`.
    pub fn new(cluster: &'a ClusterPlan, cilium: &'a CiliumPlan) -> Result<Self> {
        let c = cilium;
        let (mut eni, mut gke, mut aks_byocni) = (None, false, false);
        // Each integration needs its part of the plan: one missing is a bug, never a
        // file without it.
        match c.integration {
            CiliumIntegration::Eni => {
                let aws = cluster
                    .resources
                    .aws()
                    .ok_or_else(|| bug(cluster, "Cilium in ENI mode off AWS"))?;
                let role = aws.cilium_operator_role.as_ref().ok_or_else(|| {
                    bug(cluster, "Cilium in ENI mode but no cilium-operator role")
                })?;
                let tag = aws
                    .pod_subnet_tag
                    .as_ref()
                    .ok_or_else(|| bug(cluster, "Cilium in ENI mode but no pod subnet tag"))?;
                let first_interface_index = c.eni_first_interface_index.ok_or_else(|| {
                    bug(cluster, "Cilium in ENI mode but no first interface index")
                })?;
                if c.native_routing_cidr.is_none() {
                    return Err(bug(cluster, "Cilium in ENI mode but no pod range"));
                }
                eni = Some(EniValues {
                    iam_role: &role.arn,
                    subnet_tag: format!("{}={}", tag.key, tag.value),
                    first_interface_index,
                    eni_tags: BTreeMap::from([(AWS_CLUSTER_TAG, cluster.name.as_str())]),
                });
            }
            CiliumIntegration::Gke => {
                if c.native_routing_cidr.is_none() {
                    return Err(bug(cluster, "Cilium on GKE but no pod range"));
                }
                gke = true;
            }
            CiliumIntegration::AksByocni => {
                if c.cluster_pool.is_none() {
                    return Err(bug(cluster, "Cilium on AKS but no overlay pod range"));
                }
                aks_byocni = true;
            }
        }
        let chained = !c.cni_exclusive;
        let strict_egress = c.strict_egress.as_ref().map(|e| StrictEgressValues {
            cidr: &e.cidr,
            allow_remote_node_identities: e.allow_remote_node_identities,
        });
        Ok(Self {
            version: charts::CILIUM.version,
            cluster: &cluster.name,
            eni,
            gke,
            aks_byocni,
            encryption_name: match c.encryption {
                NetworkEncryption::Wireguard => "WireGuard",
                NetworkEncryption::Ipsec => "IPsec",
            },
            encryption_type: c.encryption,
            node_encryption: c.node_encryption,
            // Set exactly when a mesh runs (see `CiliumPlan`).
            for_mesh: c.socket_lb_host_namespace_only,
            cluster_name: &c.cluster_name,
            ipam_mode: c.ipam_mode,
            cluster_pool: c.cluster_pool.as_ref().map(|p| ClusterPoolValues {
                cidrs: &p.cidrs,
                mask_size: p.mask_size,
            }),
            routing_mode: c.routing_mode,
            native_routing_cidr: c.native_routing_cidr.as_deref(),
            node_init: c.node_init,
            cni: (c.cni_bin_path.is_some() || chained).then_some(CniValues {
                bin_path: c.cni_bin_path,
                chained,
            }),
            kube_proxy_replacement: c.kube_proxy_replacement,
            k8s_service_host: c.k8s_service_host_ref.as_ref().map(|h| ServiceHostValues {
                name: h.config_map.name,
                key: h.config_map.key,
                port: h.port,
            }),
            strict_mode: (c.strict_ingress || strict_egress.is_some()).then_some(
                StrictModeValues {
                    egress: strict_egress,
                    ingress: c.strict_ingress,
                },
            ),
            ipsec: c.ipsec_secret.as_ref().map(|s| IpsecValues {
                secret_name: s.name,
                key_file: s.key,
            }),
            socket_lb_host_namespace_only: c.socket_lb_host_namespace_only,
            disable_bpf_masquerade: c.disable_bpf_masquerade,
            host_legacy_routing: c.host_legacy_routing,
            system_toleration: CRITICAL_ADDONS_ONLY,
        })
    }
}

/// Context of `helm/istio-base.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct IstioBaseValuesContext<'a> {
    /// Istio's version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
}

impl<'a> IstioBaseValuesContext<'a> {
    /// The context of `cluster`'s Istio base values, from `istio`.
    pub fn new(cluster: &'a str, istio: &IstioPlan) -> Self {
        Self {
            version: istio.version,
            cluster,
        }
    }
}

/// Context of `helm/istiod.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct IstiodValuesContext<'a> {
    /// Istio's version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// The data-plane mode, as prose names it (`ambient`, `sidecar`).
    pub mode: &'static str,
    /// `profile`, where one is set.
    pub profile: Option<&'static str>,
    /// `platform`, where the cloud needs one.
    pub platform: Option<&'static str>,
    /// `cni.enabled: true`: sidecars rely on the CNI agent instead of istio-init (the
    /// ambient profile turns it on by itself).
    pub cni_enabled: bool,
    /// `autoscaleMin`.
    pub min_replicas: u32,
    /// The key of the system node group's taint, which this release's pods tolerate (the
    /// chart's defaults do not): they run on the system node group.
    pub system_toleration: &'static str,
}

impl<'a> IstiodValuesContext<'a> {
    /// The context of `cluster`'s istiod values, from `istio`.
    pub fn new(cluster: &'a str, istio: &IstioPlan) -> Self {
        Self {
            version: istio.version,
            cluster,
            mode: if istio.ambient { "ambient" } else { "sidecar" },
            profile: istio.profile,
            platform: istio.platform,
            cni_enabled: !istio.ambient,
            min_replicas: istio.istiod_min_replicas,
            system_toleration: CRITICAL_ADDONS_ONLY,
        }
    }
}

/// Context of `helm/istio-cni.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct IstioCniValuesContext<'a> {
    /// Istio's version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// Ambient mode: the agent redirects enrolled pods' traffic to ztunnel.
    pub ambient: bool,
    /// Whether the agent chains after Cilium's CNI configuration.
    pub chained_after_cilium: bool,
    /// `profile`, where one is set.
    pub profile: Option<&'static str>,
    /// `platform`, where the cloud needs one.
    pub platform: Option<&'static str>,
    /// `cni.cniBinDir`, where the cloud keeps CNI binaries elsewhere (GKE).
    pub cni_bin_dir: Option<&'static str>,
}

impl<'a> IstioCniValuesContext<'a> {
    /// The context of `cluster`'s istio-cni values, from `istio`.
    pub fn new(cluster: &'a str, istio: &IstioPlan) -> Self {
        Self {
            version: istio.version,
            cluster,
            ambient: istio.ambient,
            chained_after_cilium: istio.chained_after_cilium,
            profile: istio.profile,
            platform: istio.platform,
            cni_bin_dir: istio.cni_bin_dir,
        }
    }
}

/// Context of `helm/ztunnel.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct ZtunnelValuesContext<'a> {
    /// Istio's version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// `platform`, where the cloud needs one.
    pub platform: Option<&'static str>,
}

impl<'a> ZtunnelValuesContext<'a> {
    /// The context of `cluster`'s ztunnel values, from `istio`.
    pub fn new(cluster: &'a str, istio: &IstioPlan) -> Self {
        Self {
            version: istio.version,
            cluster,
            platform: istio.platform,
        }
    }
}

/// Context of `helm/linkerd-crds.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct LinkerdCrdsValuesContext<'a> {
    /// Linkerd's chart version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// The Gateway API release the helmfile applies before the chart; `None`: the cloud
    /// manages the Gateway API.
    pub upstream_gateway_api: Option<&'static str>,
}

impl<'a> LinkerdCrdsValuesContext<'a> {
    /// The context of `cluster`'s linkerd-crds values, from `linkerd`.
    pub fn new(cluster: &'a str, linkerd: &LinkerdPlan) -> Self {
        Self {
            version: linkerd.version,
            cluster,
            upstream_gateway_api: match linkerd.gateway_api {
                GatewayApi::Cloud => None,
                GatewayApi::Upstream { version, .. } => Some(version),
            },
        }
    }
}

/// Context of `helm/linkerd-control-plane.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct LinkerdControlPlaneValuesContext<'a> {
    /// Linkerd's chart version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// `proxy.defaultInboundPolicy`.
    pub default_inbound_policy: &'static str,
    /// `controllerReplicas`.
    pub controller_replicas: u32,
    /// The label that marks tenant namespaces (the proxy injector sees only those).
    pub tenant_label: &'static str,
    /// `cniEnabled`: linkerd2-cni redirects traffic, so no `linkerd-init` is injected.
    pub cni_enabled: bool,
    /// `proxyInit.ignoreInboundPorts` and `ignoreOutboundPorts` (empty: none).
    pub ignored_ports: &'static str,
}

impl<'a> LinkerdControlPlaneValuesContext<'a> {
    /// The context of `cluster`'s Linkerd control-plane values, from `linkerd`.
    pub fn new(cluster: &'a str, linkerd: &LinkerdPlan) -> Self {
        Self {
            version: linkerd.version,
            cluster,
            default_inbound_policy: linkerd.default_inbound_policy,
            controller_replicas: linkerd.controller_replicas,
            tenant_label: TENANT_LABEL,
            cni_enabled: linkerd.cni_enabled,
            ignored_ports: linkerd.ignored_ports,
        }
    }
}

/// Context of `helm/linkerd2-cni.values.yaml.tera`.
#[derive(Debug, Serialize)]
pub struct LinkerdCniValuesContext<'a> {
    /// Linkerd's chart version.
    pub version: &'static str,
    /// The cluster's name.
    pub cluster: &'a str,
    /// `ignoreInboundPorts` and `ignoreOutboundPorts` (empty: none), the same as the
    /// control plane's.
    pub ignored_ports: &'static str,
    /// `destCNIBinDir`, where the cloud keeps CNI binaries elsewhere.
    pub cni_bin_dir: Option<&'static str>,
}

impl<'a> LinkerdCniValuesContext<'a> {
    /// The context of `cluster`'s linkerd2-cni values, from `linkerd`.
    pub fn new(cluster: &'a str, linkerd: &LinkerdPlan) -> Self {
        Self {
            version: linkerd.version,
            cluster,
            ignored_ports: linkerd.ignored_ports,
            cni_bin_dir: linkerd.cni_bin_dir,
        }
    }
}

//! The software a cluster's networking stack installs: the Helm releases in order, each
//! a [`Release`] carrying the settings of its chart (Cilium, Istio, Linkerd and what
//! Linkerd's identity needs).
//!
//! Part of stage 3 (plan). Input: the resolved policy, the cluster's cloud, name and
//! address plan. Output: plain data that the Helm and manifest templates lay out without
//! deciding anything. Each choice below says why; the reasons reviewers read are in
//! [`super::coverage`](mod@super::coverage).

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::anchor::{ANCHOR_DURATION, ANCHOR_RENEW_BEFORE, AnchorRotation};
use super::charts::{self, Chart};
use crate::cloud::Cloud;
use crate::cloud::policy::{Mesh, NetworkEncryption};
use crate::plan::network::ClusterNetwork;

/// What the IPsec key Secret's value must look like: `<key id>[+] rfc4106(gcm(aes))
/// <40 hex digits> 128`. The key id is 1 to 15 (Cilium keeps it in 4 bits of the packet
/// mark; rotation raises it and wraps from 15 to 1), `+` asks for per-tunnel keys, 40 hex
/// digits are 20 bytes (a 128-bit AES key and a 32-bit salt) and 128 is the ICV length in
/// bits (cilium/cilium v1.20 `Documentation/security/network/encryption-ipsec.rst`,
/// "Generate & Import the PSK" and "Key Rotation"; `pkg/datapath/linux/ipsec/ipsec_linux.go`
/// `LoadIPSecKeys`).
pub const IPSEC_KEY_FORMAT: &str =
    "^([1-9]|1[0-5])[+]? rfc4106[(]gcm[(]aes[)][)] [0-9a-f]{40} 128$";

/// Cilium's `cluster.name` is at most 32 characters (chart `templates/validate.yaml`).
pub const CILIUM_CLUSTER_NAME_MAX: usize = 32;

/// The first ENI Cilium takes pod addresses from on EKS: 1, never the node's primary ENI.
pub const ENI_FIRST_INTERFACE_INDEX: u32 = 1;

/// The label that marks a Linkerd trust anchor kept during a rotation: trust-manager
/// adds every Secret carrying it to the trust bundle.
pub const PREVIOUS_ANCHOR_LABEL: &str = "clusterwright.io/linkerd-previous-anchor";

/// Linkerd's namespace: its control plane, its identity's cert-manager objects (the trust
/// anchor included) and trust-manager, which reads the anchor's certificate there.
pub const LINKERD_NAMESPACE: &str = "linkerd";

/// Where a value is read from: a key of a ConfigMap or Secret.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectKey {
    /// Namespace.
    pub namespace: &'static str,
    /// Object name.
    pub name: &'static str,
    /// Key in its data.
    pub key: &'static str,
}

/// How Cilium is fitted to the cloud.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CiliumIntegration {
    /// EKS: ENI IPAM, pods take VPC addresses, native routing.
    Eni,
    /// GKE with the legacy datapath: Kubernetes IPAM over the pod secondary range.
    Gke,
    /// AKS bring-your-own-CNI: cluster-pool IPAM on a VXLAN overlay.
    AksByocni,
}

/// Cilium's strict egress mode: pod traffic to the range is encrypted or dropped.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StrictEgress {
    /// The pod range that must only be reached encrypted.
    pub cidr: String,
    /// Whether remote nodes' identities are looked up (needed with tunnelling).
    pub allow_remote_node_identities: bool,
}

/// Where Cilium reads the API server's address from, when it is known only after apply.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct K8sServiceHost {
    /// The ConfigMap key holding the host (`k8sServiceHostRef`).
    pub config_map: ObjectKey,
    /// The API server's port (`k8sServicePort`).
    pub port: u16,
}

/// Cilium's cluster-pool IPAM: the ranges pods take addresses from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPool {
    /// The pod ranges (AKS: the plan's overlay range).
    pub cidrs: Vec<String>,
    /// Prefix length of the pod block each node gets.
    pub mask_size: u8,
}

/// The settings of the Cilium chart.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_excessive_bools)] // each flag is one chart setting
pub struct CiliumPlan {
    /// `cluster.name`: the cluster's name, shortened with a hash past 32 characters. It
    /// also tags the ENIs Cilium creates, so it must never change.
    pub cluster_name: String,
    /// How Cilium fits the cloud.
    pub integration: CiliumIntegration,
    /// ENI mode (EKS): `eni.nodeSpec.firstInterfaceIndex`, the first ENI pods take
    /// addresses from. 1: never the node's primary ENI, which sits in the routable node
    /// subnet; pods take addresses only on ENIs Cilium creates in the pod subnets.
    pub eni_first_interface_index: Option<u32>,
    /// `ipam.mode`.
    pub ipam_mode: &'static str,
    /// Cluster-pool IPAM's ranges, with cluster-pool IPAM (AKS). `None` there only if
    /// the address plan has no overlay range, which the Helm target reports as a bug.
    pub cluster_pool: Option<ClusterPool>,
    /// `routingMode`, where it must be set.
    pub routing_mode: Option<&'static str>,
    /// `ipv4NativeRoutingCIDR`: the range routed natively (GKE and EKS: the pod range).
    /// `None` there only if the address plan has no pod range, which the Helm target
    /// reports as a bug.
    pub native_routing_cidr: Option<String>,
    /// Whether the node-init DaemonSet prepares GKE nodes.
    pub node_init: bool,
    /// `cni.binPath`, where the cloud keeps CNI binaries elsewhere.
    pub cni_bin_path: Option<&'static str>,
    /// Whether Cilium replaces kube-proxy (EKS: the cluster has no kube-proxy).
    pub kube_proxy_replacement: bool,
    /// Where the API server's host is read from, when it is not known before apply.
    pub k8s_service_host_ref: Option<K8sServiceHost>,
    /// Transparent encryption.
    pub encryption: NetworkEncryption,
    /// Node-to-node encryption (WireGuard only).
    pub node_encryption: bool,
    /// Strict ingress: unencrypted pod traffic from other nodes is dropped (WireGuard only).
    pub strict_ingress: bool,
    /// Strict egress, where the address plan allows it (WireGuard or IPsec).
    pub strict_egress: Option<StrictEgress>,
    /// The Secret holding the IPsec key (created by the operator, never generated).
    pub ipsec_secret: Option<ObjectKey>,
    /// `socketLB.hostNamespaceOnly`: service translation only for the host, so a mesh
    /// sees the service address (Istio requires it; Linkerd's routing needs it). Set
    /// exactly when a mesh runs.
    pub socket_lb_host_namespace_only: bool,
    /// `cni.exclusive`: false leaves a chained CNI plugin (istio-cni) in place.
    pub cni_exclusive: bool,
    /// Whether `bpf.masquerade: false` is written out: Istio ambient refuses BPF
    /// masquerading (false is also the chart's default; written, a change shows in review).
    pub disable_bpf_masquerade: bool,
    /// `bpf.hostLegacyRouting: true`: routing through the host's netfilter stack, which
    /// Istio ambient's kubelet probes need under kube-proxy replacement (EKS).
    pub host_legacy_routing: bool,
}

/// The settings of the Istio charts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IstioPlan {
    /// Chart version.
    pub version: &'static str,
    /// Ambient mode (ztunnel) instead of sidecars.
    pub ambient: bool,
    /// The profile of istiod and istio-cni (`ambient` in ambient mode; `None`: the
    /// charts' default).
    pub profile: Option<&'static str>,
    /// Istio's platform profile, where the cloud needs one (`gke`).
    pub platform: Option<&'static str>,
    /// istio-cni's `cni.cniBinDir`, where the cloud keeps CNI binaries elsewhere than
    /// `/opt/cni/bin` (GKE: `/home/kubernetes/bin`), set explicitly rather than left to the
    /// chart's render-time detection.
    pub cni_bin_dir: Option<&'static str>,
    /// Gateway API CRDs (ambient: waypoints are Gateway API resources); `None` in
    /// sidecar mode.
    pub gateway_api: Option<GatewayApi>,
    /// The root namespace: mesh-wide policy lives here.
    pub root_namespace: &'static str,
    /// Namespace of the CNI node agent.
    pub cni_namespace: &'static str,
    /// Mesh-wide `PeerAuthentication` mode.
    pub mtls_mode: &'static str,
    /// Fewest istiod replicas.
    pub istiod_min_replicas: u32,
    /// Whether istio-cni chains after Cilium's CNI configuration.
    pub chained_after_cilium: bool,
    /// The only ports of istiod its NetworkPolicy admits traffic on (the policy is
    /// generated; the chart's own is off). Every other port admits nothing.
    pub istiod_ports: Vec<IstiodPort>,
}

/// A port of istiod that its NetworkPolicy opens, and to whom.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IstiodPort {
    /// TCP port.
    pub port: u16,
    /// Who connects there, and why it is safe to admit from any source.
    pub why: &'static str,
}

/// istiod's ports that its NetworkPolicy opens (the chart's own policy, istio/istio
/// `manifests/charts/istio-control/istio-discovery/templates/networkpolicy.yaml`, rendered
/// at 1.30.3 by the mesh review, opens
/// these and 15010, 15011, 8080 and 15014 to every pod in the cluster).
///
/// Left closed: 15010 serves xDS in plaintext without authentication, so any pod could ask
/// for any proxy's configuration, other tenants' routes and endpoints included
/// (`pilot/pkg/xds/auth.go`: a non-TLS stream has no identity to check); 15011 is its
/// legacy mTLS twin; 8080 is the debug interface (also switched off with
/// `ENABLE_DEBUG_ON_HTTP=false`, as Istio's security best practices advise); 15014 is
/// monitoring, which nothing here scrapes: a monitoring stack adds its own policy for it.
/// Sources are not narrowed: the API server reaches 15017 from addresses outside the
/// cluster's pods (EKS, AKS, GKE control planes), and sidecars, gateways and ztunnel
/// connect to 15012 from any namespace, authenticated by mTLS and their service account
/// tokens.
pub fn istiod_ports() -> Vec<IstiodPort> {
    vec![
        IstiodPort {
            port: 15012,
            why: "xDS and certificate signing over mTLS, each request authenticated by a service account token: sidecars, gateways and ztunnel",
        },
        IstiodPort {
            port: 15017,
            why: "the sidecar injector and config validation webhooks, called by the API server",
        },
    ]
}

/// A certificate's lifetime, as cert-manager spells durations.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Lifetime {
    /// Validity.
    pub duration: &'static str,
    /// Renewed this long before it expires.
    pub renew_before: &'static str,
    /// `privateKey.rotationPolicy`: `Always` (a new key on every renewal) or `Never`
    /// (renewals keep the key; a new one only when the Secret has none).
    pub rotation_policy: &'static str,
}

/// Where the Gateway API CRDs Linkerd needs come from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", tag = "source")]
pub enum GatewayApi {
    /// The cloud manages them (GKE's Gateway API, enabled on the cluster by Terraform).
    Cloud,
    /// Installed from the upstream release before Linkerd.
    Upstream {
        /// Release.
        version: &'static str,
        /// Its standard-channel CRDs.
        url: &'static str,
    },
}

/// The settings of Linkerd and of the cert-manager objects behind its identity.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkerdPlan {
    /// Chart version.
    pub version: &'static str,
    /// The trust anchor (root of mesh identity): long-lived, its key never changed by
    /// cert-manager on its own ([`anchor`](mod@super::anchor)).
    pub trust_anchor: Lifetime,
    /// When the trust anchor must be rotated by the documented procedure.
    pub anchor_rotation: AnchorRotation,
    /// The identity issuer (signs proxies' certificates), rotated by cert-manager.
    pub identity_issuer: Lifetime,
    /// The namespace of the control plane and of every identity object: the anchor, its
    /// namespaced CA `Issuer` (which no Certificate outside it can use) and the trust
    /// bundle's sources.
    pub namespace: &'static str,
    /// Whether pods' traffic is redirected by the linkerd2-cni node agent instead of the
    /// privileged `linkerd-init` container (`cniEnabled`), so tenant namespaces can
    /// enforce Pod Security.
    pub cni_enabled: bool,
    /// `proxyInit.ignoreInboundPorts` and `ignoreOutboundPorts`, and linkerd2-cni's: the
    /// ports that bypass the proxy, in plaintext. Empty: none (the chart's default skips
    /// 4567 and 4568).
    pub ignored_ports: &'static str,
    /// linkerd2-cni's `destCNIBinDir`, where the cloud keeps CNI binaries elsewhere than
    /// `/opt/cni/bin` (GKE: `/home/kubernetes/bin`, as Cilium's `cni.binPath` there).
    pub cni_bin_dir: Option<&'static str>,
    /// `proxy.defaultInboundPolicy`: whom meshed pods accept by default.
    pub default_inbound_policy: &'static str,
    /// Control-plane replicas.
    pub controller_replicas: u32,
    /// Label on a previous trust anchor kept in the bundle during a rotation.
    pub previous_anchor_label: &'static str,
    /// Gateway API CRDs.
    pub gateway_api: GatewayApi,
}

/// When a helmfile hook runs.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum HookEvent {
    /// Before the release is installed or upgraded.
    Presync,
    /// After it is.
    Postsync,
}

/// What a helmfile hook does.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum HookAction {
    /// Reads the EKS API endpoint (in the plan's account only) into the ConfigMap that
    /// Cilium's `k8sServiceHostRef` names.
    EksServiceHost {
        /// The ConfigMap key.
        target: ObjectKey,
    },
    /// Stops the install unless the Secret exists and its key holds a key Cilium's IPsec
    /// can load, in the format [`IPSEC_KEY_FORMAT`] describes.
    RequireIpsecKey {
        /// The Secret and its key.
        secret: ObjectKey,
        /// The extended regular expression the decoded value must match.
        pattern: &'static str,
    },
    /// Applies upstream manifests from a pinned URL, server-side, unless the cluster
    /// already has a newer bundle of them.
    ApplyUrl {
        /// What they are.
        what: &'static str,
        /// Pinned URL.
        url: &'static str,
        /// The bundle's version, compared with the one the cluster has (never downgraded).
        version: &'static str,
    },
    /// Applies `manifests/<cluster>/`.
    ApplyManifests,
    /// Applies `manifests/<cluster>/linkerd-policy/` ([`LINKERD_POLICY_DIR`]), the tenants'
    /// Linkerd authorization, once the control plane (and so its CRDs and policy
    /// controller) runs.
    ///
    /// [`LINKERD_POLICY_DIR`]: crate::plan::tenancy::LINKERD_POLICY_DIR
    ApplyLinkerdPolicy,
}

/// A helmfile hook.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    /// When.
    pub event: HookEvent,
    /// What.
    pub action: HookAction,
}

/// A value set on the command line (`--set`) rather than in the values file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SetValue {
    /// Dotted key.
    pub name: &'static str,
    /// Value, as helm's `--set` parses it.
    pub value: &'static str,
}

/// Values set on the command line, and why they are not in the values file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SetValues {
    /// Why `--set` is used instead of the values file.
    pub reason: &'static str,
    /// The values, in order.
    pub values: Vec<SetValue>,
}

/// A Helm release the stack installs, with the settings of its chart: no release
/// exists without its settings, and nothing downstream tells releases apart by name.
///
/// The serialized tag is the release's name ([`Release::name`]).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "name", content = "settings", rename_all = "kebab-case")]
pub enum Release {
    /// Cilium: the CNI and its transparent encryption.
    Cilium(CiliumPlan),
    /// Istio `base`: CRDs and cluster-wide resources.
    IstioBase(IstioPlan),
    /// `istiod`: Istio's control plane.
    Istiod(IstioPlan),
    /// Istio's CNI node agent.
    IstioCni(IstioPlan),
    /// ztunnel: the per-node proxy of ambient mode.
    Ztunnel(IstioPlan),
    /// cert-manager: issues and rotates Linkerd's trust anchor and identity issuer. Its
    /// few values are the same everywhere (written inline in the helmfile).
    CertManager,
    /// trust-manager: publishes the trust anchor's certificate for Linkerd. Its few
    /// values are the same everywhere (written inline in the helmfile).
    TrustManager,
    /// linkerd2-cni: the node agent that sets up pods' traffic redirection, so meshed
    /// pods need no NET_ADMIN/NET_RAW `linkerd-init`.
    #[serde(rename = "linkerd2-cni")]
    LinkerdCni(LinkerdPlan),
    /// Linkerd's CRDs.
    LinkerdCrds(LinkerdPlan),
    /// Linkerd's control plane.
    LinkerdControlPlane(LinkerdPlan),
}

impl Release {
    /// The release's name.
    pub fn name(&self) -> &'static str {
        match self {
            Release::Cilium(_) => "cilium",
            Release::IstioBase(_) => "istio-base",
            Release::Istiod(_) => "istiod",
            Release::IstioCni(_) => "istio-cni",
            Release::Ztunnel(_) => "ztunnel",
            Release::CertManager => "cert-manager",
            Release::TrustManager => "trust-manager",
            Release::LinkerdCni(_) => "linkerd2-cni",
            Release::LinkerdCrds(_) => "linkerd-crds",
            Release::LinkerdControlPlane(_) => "linkerd-control-plane",
        }
    }

    /// The namespace it is installed in.
    pub fn namespace(&self) -> &'static str {
        match self {
            Release::Cilium(_) => "kube-system",
            Release::IstioBase(i) | Release::Istiod(i) | Release::Ztunnel(i) => i.root_namespace,
            Release::IstioCni(i) => i.cni_namespace,
            Release::CertManager => "cert-manager",
            // trust-manager reads Secrets only in its trust namespace: the anchor's, which
            // is Linkerd's (the namespaced CA Issuer must sit beside the anchor). Installed
            // there, it also creates that namespace before anything else needs it.
            Release::TrustManager | Release::LinkerdCrds(_) | Release::LinkerdControlPlane(_) => {
                LINKERD_NAMESPACE
            }
            // The chart's documented namespace (linkerd/website `2-edge/features/cni.md`).
            Release::LinkerdCni(_) => "linkerd-cni",
        }
    }

    /// The pinned chart.
    pub fn chart(&self) -> Chart {
        match self {
            Release::Cilium(_) => charts::CILIUM,
            Release::IstioBase(_) => charts::ISTIO_BASE,
            Release::Istiod(_) => charts::ISTIOD,
            Release::IstioCni(_) => charts::ISTIO_CNI,
            Release::Ztunnel(_) => charts::ZTUNNEL,
            Release::CertManager => charts::CERT_MANAGER,
            Release::TrustManager => charts::TRUST_MANAGER,
            Release::LinkerdCni(_) => charts::LINKERD_CNI,
            Release::LinkerdCrds(_) => charts::LINKERD_CRDS,
            Release::LinkerdControlPlane(_) => charts::LINKERD_CONTROL_PLANE,
        }
    }

    /// Whether helm creates the namespace: not where the manifests create it, with the
    /// labels the mesh needs (the linkerd namespace).
    pub fn creates_namespace(&self) -> bool {
        match self {
            Release::LinkerdCrds(_) | Release::LinkerdControlPlane(_) => false,
            Release::Cilium(_)
            | Release::IstioBase(_)
            | Release::Istiod(_)
            | Release::IstioCni(_)
            | Release::Ztunnel(_)
            | Release::CertManager
            | Release::TrustManager
            | Release::LinkerdCni(_) => true,
        }
    }
}

/// One step of a cluster's install: a release, the release it waits for, and how it
/// is installed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InstallStep {
    /// The release and its settings.
    #[serde(flatten)]
    pub release: Release,
    /// The release installed just before (`<namespace>/<name>`).
    pub needs: Option<String>,
    /// Values set on the command line rather than in the values file, and why.
    pub set: Option<SetValues>,
    /// Hooks, in the order they run.
    pub hooks: Vec<Hook>,
    /// Why helmfile must not wait for the release's pods (`None`: it waits).
    pub no_wait: Option<&'static str>,
    /// Why the release's first install runs on its own, without waiting, from the
    /// cluster's bootstrap helmfile (`None`: no bootstrap). Every later install waits.
    pub bootstrap: Option<&'static str>,
}

impl InstallStep {
    /// The release's name.
    pub fn name(&self) -> &'static str {
        self.release.name()
    }

    /// The release's namespace.
    pub fn namespace(&self) -> &'static str {
        self.release.namespace()
    }
}

/// Cilium's `cluster.name` for `cluster`: the name itself when it fits 32 characters,
/// else its first 23 characters and 8 hex digits of its SHA-256 — deterministic, unique
/// per name, and still a valid DNS label.
pub fn cilium_cluster_name(cluster: &str) -> String {
    if cluster.len() <= CILIUM_CLUSTER_NAME_MAX {
        return cluster.to_owned();
    }
    let digest = Sha256::digest(cluster.as_bytes());
    let mut hex = String::new();
    for byte in digest.iter().take(4) {
        let _ = write!(hex, "{byte:02x}");
    }
    // Cluster names are DNS labels (ASCII): 23 characters are 23 bytes.
    let head: String = cluster.chars().take(23).collect();
    format!("{}-{hex}", head.trim_end_matches('-'))
}

/// Cilium's settings on `cloud` for the cluster `name` with `network`.
pub fn cilium(
    cloud: Cloud,
    name: &str,
    network: &ClusterNetwork,
    encryption: NetworkEncryption,
    mesh: Option<Mesh>,
) -> CiliumPlan {
    let wireguard = encryption == NetworkEncryption::Wireguard;
    let mut c = CiliumPlan {
        cluster_name: cilium_cluster_name(name),
        integration: CiliumIntegration::Eni,
        eni_first_interface_index: None,
        ipam_mode: "eni",
        cluster_pool: None,
        routing_mode: None,
        native_routing_cidr: None,
        node_init: false,
        cni_bin_path: None,
        kube_proxy_replacement: false,
        k8s_service_host_ref: None,
        encryption,
        node_encryption: wireguard,
        strict_ingress: wireguard,
        strict_egress: None,
        ipsec_secret: (!wireguard).then_some(ObjectKey {
            namespace: "kube-system",
            name: "cilium-ipsec-keys",
            key: "keys",
        }),
        // Istio refuses socket load balancing for pods (its validation demands
        // bpf-lb-sock-hostns-only); Linkerd's routing needs the service address too.
        socket_lb_host_namespace_only: mesh.is_some(),
        // istio-cni and linkerd2-cni chain onto Cilium's configuration; exclusive mode
        // would remove them (linkerd/website `2-edge/features/cni.md`).
        cni_exclusive: mesh.is_none(),
        disable_bpf_masquerade: mesh == Some(Mesh::IstioAmbient),
        host_legacy_routing: false,
    };
    // GKE and AKS always have a pod range in the address plan; were it missing, the
    // settings that need it stay unset and the Helm target reports the bug (the plan
    // cannot fail here, and a made-up range would be worse).
    let pod_cidr = network.pod_cidr.clone();
    match cloud {
        Cloud::Aws => {
            // EKS is created without aws-node and kube-proxy: Cilium is the CNI and the
            // service proxy. Its endpoint is only known after apply, so the helmfile
            // writes it into a ConfigMap first.
            c.routing_mode = Some("native");
            // Pod ENIs only: the primary ENI (index 0) is the node's, in the routable node
            // subnet; with 1, Cilium allocates pod addresses only on the ENIs it creates in
            // the pod subnets (CiliumNode `spec.eni.first-interface-index`, "if the node has
            // eth0, eth1, eth2 and FirstInterfaceIndex is set to 1, then only eth1 and eth2
            // will be used for IP allocation": cilium/cilium `pkg/aws/eni/types/types.go`;
            // chart 1.20.0 values.yaml `eni.nodeSpec.firstInterfaceIndex`).
            c.eni_first_interface_index = Some(ENI_FIRST_INTERFACE_INDEX);
            c.kube_proxy_replacement = true;
            c.k8s_service_host_ref = Some(K8sServiceHost {
                config_map: ObjectKey {
                    namespace: "kube-system",
                    name: "cilium-k8s-service-host",
                    key: "host",
                },
                port: 443,
            });
            // Pods live in the cluster's pod range (a secondary VPC range of their own, see
            // network.rs): it is the native routing range, so pod-to-pod traffic is never
            // masqueraded while traffic to the rest of the VPC leaves with the node's
            // address. Cilium accepts a native routing range that is any of the VPC's
            // ranges, secondary ones included (cilium/cilium#18653, "Also take secondary
            // CIDRs into account when checking for validity of IPv4NativeRoutingCIDR"). It
            // holds pods alone, so strict egress covers it, remote-node identities not
            // exempted (no node address is in it; chart 1.20.0 values.yaml
            // `encryption.strictMode.egress.allowRemoteNodeIdentities`: "required when
            // tunneling is used or ... the node CIDR and pod CIDR overlap").
            c.native_routing_cidr.clone_from(&pod_cidr);
            c.strict_egress = pod_cidr.map(|cidr| StrictEgress {
                cidr,
                allow_remote_node_identities: false,
            });
            // Ambient's kubelet probes come from 169.254.7.127 (SNAT in the host's
            // netfilter); with kube-proxy replacement, eBPF host routing drops the replies
            // before netfilter can reverse it (cilium/cilium#36022, open;
            // istio/istio#52208). IPsec forces legacy routing today ("IPsec encryption
            // currently does not work with BPF Host Routing", encryption-ipsec.rst,
            // Limitations), but a change of encryption or a Cilium that lifts that limit
            // would silently switch it: pinned whenever ambient runs here.
            c.host_legacy_routing = mesh == Some(Mesh::IstioAmbient);
        }
        Cloud::Gcp => {
            c.integration = CiliumIntegration::Gke;
            c.ipam_mode = "kubernetes";
            c.native_routing_cidr.clone_from(&pod_cidr);
            c.node_init = true;
            c.cni_bin_path = Some("/home/kubernetes/bin");
            // The pod range is a secondary range of its own and routing is native:
            // nothing else lives in it. Strict egress works with WireGuard and, since
            // Cilium 1.19, with IPsec ("Both IPsec and WireGuard transparent encryption
            // modes now support a 'strict mode'", cilium/cilium v1.19.0 release notes,
            // cilium#39239, #42115; the 1.20.0 chart restricts only strict *ingress* to
            // WireGuard, values.yaml `encryption.strictMode`).
            c.strict_egress = pod_cidr.map(|cidr| StrictEgress {
                cidr,
                allow_remote_node_identities: false,
            });
        }
        Cloud::Azure => {
            c.integration = CiliumIntegration::AksByocni;
            c.ipam_mode = "cluster-pool";
            c.cluster_pool = pod_cidr.clone().map(|cidr| ClusterPool {
                cidrs: vec![cidr],
                // network.rs gives each Azure node a /24 of the overlay.
                mask_size: 24,
            });
            // Tunnelling: the chart says strict egress then needs remote node identities.
            // With WireGuard or IPsec alike (see GKE above).
            c.strict_egress = pod_cidr.map(|cidr| StrictEgress {
                cidr,
                allow_remote_node_identities: true,
            });
        }
    }
    c
}

/// Istio's settings for `mesh` on `cloud`.
pub fn istio(cloud: Cloud, mesh: Mesh, on_cilium: bool) -> IstioPlan {
    IstioPlan {
        version: charts::ISTIO_VERSION,
        ambient: mesh == Mesh::IstioAmbient,
        // The ambient profile turns on ztunnel support in istiod and the CNI agent.
        profile: (mesh == Mesh::IstioAmbient).then_some("ambient"),
        // GKE admits node-critical pods only in namespaces with a ResourceQuota, which the
        // gke platform profile creates.
        platform: (cloud == Cloud::Gcp).then_some("gke"),
        // GKE keeps CNI binaries in /home/kubernetes/bin. The gke profile leaves
        // `cni.cniBinDir` empty for the chart to guess from the live server's version
        // (`-gke`), so `helm template`, GitOps renders and CI diffs put the plugin in
        // /opt/cni/bin and every new pod fails; set, it wins (istio/istio@1.30.3
        // `manifests/charts/istio-cni/files/profile-platform-gke.yaml`,
        // `templates/zzy_descope_legacy.yaml`, `templates/daemonset.yaml`).
        cni_bin_dir: (cloud == Cloud::Gcp).then_some("/home/kubernetes/bin"),
        gateway_api: (mesh == Mesh::IstioAmbient).then_some(GatewayApi::Upstream {
            version: charts::ISTIO_GATEWAY_API_VERSION,
            url: charts::ISTIO_GATEWAY_API_CRDS,
        }),
        root_namespace: "istio-system",
        cni_namespace: "kube-system",
        mtls_mode: "STRICT",
        // The chart's PodDisruptionBudget keeps one istiod: with one replica a node
        // drain would block.
        istiod_min_replicas: 2,
        chained_after_cilium: on_cilium,
        istiod_ports: istiod_ports(),
    }
}

/// Linkerd's settings on `cloud`.
pub fn linkerd(cloud: Cloud) -> LinkerdPlan {
    LinkerdPlan {
        version: charts::LINKERD_VERSION,
        // The anchor lives ten years and keeps its key (see `anchor`); the issuer's
        // lifetime is that of Linkerd's cert-manager task
        // (2-edge/tasks/automatically-rotating-control-plane-tls-credentials.md), and
        // the identity controller reloads it by itself.
        trust_anchor: Lifetime {
            duration: ANCHOR_DURATION,
            renew_before: ANCHOR_RENEW_BEFORE,
            rotation_policy: "Never",
        },
        anchor_rotation: AnchorRotation::new(),
        identity_issuer: Lifetime {
            duration: "48h0m0s",
            renew_before: "25h0m0s",
            rotation_policy: "Always",
        },
        namespace: LINKERD_NAMESPACE,
        cni_enabled: true,
        // Linkerd's chart skips 4567,4568 (Galera) in both directions by default
        // (linkerd2@edge-26.8.3 `charts/linkerd-control-plane/values.yaml`, proxyInit):
        // those connections would leave in plaintext, so nothing is skipped.
        ignored_ports: "",
        // GKE nodes keep CNI binaries in /home/kubernetes/bin (the same path Cilium's
        // GKE settings and Istio's `platform: gke` use).
        cni_bin_dir: (cloud == Cloud::Gcp).then_some("/home/kubernetes/bin"),
        default_inbound_policy: "all-authenticated",
        controller_replicas: 3,
        previous_anchor_label: PREVIOUS_ANCHOR_LABEL,
        gateway_api: if cloud == Cloud::Gcp {
            GatewayApi::Cloud
        } else {
            GatewayApi::Upstream {
                version: charts::GATEWAY_API_VERSION,
                url: charts::GATEWAY_API_CRDS,
            }
        },
    }
}

fn step(release: Release) -> InstallStep {
    InstallStep {
        release,
        needs: None,
        set: None,
        hooks: Vec::new(),
        no_wait: None,
        bootstrap: None,
    }
}

/// Istio's releases in install order: base (after the Gateway API CRDs where waypoints
/// need them), istiod, the CNI agent and, in ambient mode, ztunnel.
fn istio_steps(i: IstioPlan) -> Vec<InstallStep> {
    let mut steps = Vec::new();
    let mut base = step(Release::IstioBase(i.clone()));
    // Waypoints (L7 authorization in ambient) are Gateway API resources: the CRDs go in
    // before istiod, which watches them from its start.
    if let Some(GatewayApi::Upstream { url, version }) = &i.gateway_api {
        base.hooks.push(Hook {
            event: HookEvent::Presync,
            action: HookAction::ApplyUrl {
                what: "Gateway API CRDs",
                url,
                version,
            },
        });
    }
    steps.push(base);
    steps.push(step(Release::Istiod(i.clone())));
    let mut cni = step(Release::IstioCni(i.clone()));
    cni.set = i.cni_bin_dir.map(|dir| SetValues {
        reason: "the chart reads `cni.cniBinDir` (its gke profile sets it, and `templates/zzy_descope_legacy.yaml` copies `cni.*` over the top-level keys), but its values.yaml declares only the top-level key, which that copy overwrites (DECISIONS.md)",
        values: vec![SetValue {
            name: "cni.cniBinDir",
            value: dir,
        }],
    });
    steps.push(cni);
    if i.ambient {
        steps.push(step(Release::Ztunnel(i)));
    }
    steps
}

/// The Helm releases of a stack with `cilium`, `istio` and `linkerd` (each when
/// installed), in install order, each needing the one before.
pub fn releases(
    cilium: Option<CiliumPlan>,
    istio: Option<IstioPlan>,
    linkerd: Option<LinkerdPlan>,
) -> Vec<InstallStep> {
    let mut out = Vec::new();
    if let Some(c) = cilium {
        let mut hooks = Vec::new();
        if let Some(host) = &c.k8s_service_host_ref {
            hooks.push(Hook {
                event: HookEvent::Presync,
                action: HookAction::EksServiceHost {
                    target: host.config_map.clone(),
                },
            });
        }
        if let Some(secret) = &c.ipsec_secret {
            hooks.push(Hook {
                event: HookEvent::Presync,
                action: HookAction::RequireIpsecKey {
                    secret: secret.clone(),
                    pattern: IPSEC_KEY_FORMAT,
                },
            });
        }
        // The API endpoint is known only after apply on EKS, where Cilium goes in
        // between the cluster and its node groups.
        // The first install on EKS happens before any node exists (between the cluster
        // and its node groups): its pods cannot start, so that one install does not wait.
        // Every later one (upgrades) waits, so a Cilium that breaks the datapath stops the
        // sync before the mesh and the manifests go on top of it.
        let bootstrap = c.k8s_service_host_ref.is_some().then_some(
            "on EKS, Cilium's first install goes in before the node groups (the first apply's \
             second step), and its pods start only once nodes join",
        );
        let set = c.node_init.then(|| SetValues {
            reason: "the chart reads them, but its values.yaml does not declare them (DECISIONS.md)",
            values: vec![
                SetValue {
                    name: "nodeinit.reconfigureKubelet",
                    value: "true",
                },
                SetValue {
                    name: "nodeinit.removeCbrBridge",
                    value: "true",
                },
            ],
        });
        out.push(InstallStep {
            release: Release::Cilium(c),
            needs: None,
            set,
            hooks,
            no_wait: None,
            bootstrap,
        });
    }
    if let Some(i) = istio {
        out.extend(istio_steps(i));
    }
    if let Some(l) = linkerd {
        let mut crds = step(Release::LinkerdCrds(l.clone()));
        if let GatewayApi::Upstream { url, version } = &l.gateway_api {
            crds.hooks.push(Hook {
                event: HookEvent::Presync,
                action: HookAction::ApplyUrl {
                    what: "Gateway API CRDs",
                    url,
                    version,
                },
            });
        }
        // Namespace, certificates and trust bundle must exist before the control plane.
        crds.hooks.push(Hook {
            event: HookEvent::Presync,
            action: HookAction::ApplyManifests,
        });
        out.extend([
            step(Release::CertManager),
            step(Release::TrustManager),
            // The CNI agent must run on a node before any meshed pod starts there: the
            // proxy injector adds no linkerd-init once `cniEnabled` is set.
            step(Release::LinkerdCni(l.clone())),
            crds,
            step(Release::LinkerdControlPlane(l)),
        ]);
    } else if let Some(last) = out.last_mut() {
        // Istio's validating webhook must be up before the PeerAuthentication is applied;
        // without a mesh, the pod network must be.
        last.hooks.push(Hook {
            event: HookEvent::Postsync,
            action: HookAction::ApplyManifests,
        });
    }
    let mut previous: Option<String> = None;
    for r in &mut out {
        r.needs = previous.take();
        previous = Some(format!("{}/{}", r.namespace(), r.name()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cluster_names_are_shortened_stably_for_cilium() {
        assert_eq!(
            cilium_cluster_name("acme-prod-retail-03"),
            "acme-prod-retail-03"
        );
        let long = "acme-staging-supplier-portal-gateway-011";
        let short = cilium_cluster_name(long);
        assert_eq!(short, cilium_cluster_name(long));
        assert!(short.len() <= CILIUM_CLUSTER_NAME_MAX, "{short}");
        assert!(short.starts_with("acme-staging-supplier-p-"), "{short}");
        // A dash at the cut is dropped, so no `--` appears.
        let dashed = cilium_cluster_name("acme-staging-supplier--portal-gateway-01");
        assert!(!dashed.contains("--"), "{dashed}");
        assert_ne!(
            cilium_cluster_name("acme-staging-supplier-portal-gateway-012"),
            short
        );
    }

    #[test]
    fn releases_need_the_one_before_and_manifests_follow_the_mesh() {
        let i = istio(Cloud::Aws, Mesh::IstioAmbient, true);
        let net = ClusterNetwork::default();
        let c = cilium(
            Cloud::Aws,
            "x",
            &net,
            NetworkEncryption::Wireguard,
            Some(Mesh::IstioAmbient),
        );
        let r = releases(Some(c), Some(i), None);
        let names: Vec<&str> = r.iter().map(InstallStep::name).collect();
        assert_eq!(
            names,
            ["cilium", "istio-base", "istiod", "istio-cni", "ztunnel"]
        );
        assert_eq!(r[0].needs, None);
        assert_eq!(r[4].needs.as_deref(), Some("kube-system/istio-cni"));
        assert_eq!(r[4].hooks[0].action, HookAction::ApplyManifests);
        let l = linkerd(Cloud::Azure);
        let r = releases(None, None, Some(l));
        assert_eq!(r[2].name(), "linkerd2-cni");
        assert_eq!(r[3].name(), "linkerd-crds");
        assert!(!r[3].release.creates_namespace());
        assert_eq!(r[3].hooks.len(), 2, "Gateway API CRDs, then the manifests");
        assert!(releases(None, None, None).is_empty());
    }

    #[test]
    fn a_release_is_serialized_under_its_name() {
        let i = istio(Cloud::Gcp, Mesh::IstioAmbient, false);
        let l = linkerd(Cloud::Gcp);
        let c = cilium(
            Cloud::Aws,
            "x",
            &ClusterNetwork::default(),
            NetworkEncryption::Ipsec,
            None,
        );
        for step in releases(Some(c), Some(i), Some(l)) {
            let json = serde_json::to_value(&step).unwrap();
            assert_eq!(json["name"], step.name(), "{json}");
        }
    }
}

//! What the chosen encryption covers, per stack: what is encrypted and what is not, who
//! is authenticated (a node or a workload), how to see it on a live cluster, the choices
//! made for the stack with their reasons and sources, and what an operator or the
//! infrastructure must provide. The encryption section of the decision record.
//!
//! Part of stage 3 (plan). The stack of a cluster depends only on the policy and the
//! cloud, so there is one [`StackCoverage`] per cloud the platform uses. Commands use
//! `<cluster>`, `<tenant>` and `<pod>` as placeholders; the kube context is named after the
//! cluster.

use serde::Serialize;

use super::anchor::{AnchorRotation, EARLIEST_ISSUE, days_from_civil, iso_date};
use super::stack::{LINKERD_NAMESPACE, PREVIOUS_ANCHOR_LABEL};
use crate::cloud::Cloud;
use crate::cloud::policy::{Encryption, Mesh, NetworkEncryption};

/// The encryption section of the decision record.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// One line: the choice.
    pub summary: String,
    /// Who is authenticated: nodes, workloads, or nobody.
    pub identity: String,
    /// The stack on each cloud the platform uses.
    pub stacks: Vec<StackCoverage>,
    /// What the encryption costs beyond the clusters (the decision record's trade-off).
    pub costs: Vec<String>,
}

/// One cloud's stack.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StackCoverage {
    /// The cloud.
    pub cloud: Cloud,
    /// The stack in a few words (without the cloud, which `cloud` names).
    pub title: String,
    /// Traffic that is encrypted.
    pub encrypted: Vec<String>,
    /// Traffic that is not.
    pub not_encrypted: Vec<String>,
    /// What proves identity, layer by layer.
    pub identity: Vec<String>,
    /// Commands that show it on a live cluster.
    pub verify: Vec<String>,
    /// The choices made for this stack.
    pub decisions: Vec<Decision>,
    /// What an operator does once per cluster before the first install.
    pub before_install: Vec<String>,
    /// What the cluster's infrastructure (the Terraform or Crossplane target) provides.
    pub infrastructure: Vec<String>,
    /// The mesh's trust anchor rotation, where it is a manual procedure (Linkerd).
    pub anchor_rotation: Option<AnchorRunbook>,
}

/// When and how the mesh's trust anchor is rotated: the dates `clusterwright check` holds
/// the output to, and the procedure, step by step.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AnchorRunbook {
    /// The day the rotation is due (`YYYY-MM-DD`).
    pub rotate_by: String,
    /// The earliest day an anchor can expire (`YYYY-MM-DD`).
    pub expires_not_before: String,
    /// How the dates are known.
    pub dates: String,
    /// The steps, in order.
    pub steps: Vec<String>,
}

/// Linkerd's trust anchor rotation: the upstream procedure (linkerd/website
/// `2-edge/tasks/automatically-rotating-control-plane-tls-credentials.md`, "Rotating the
/// trust anchor"), with the previous anchor kept by its certificate only and the new key
/// made by deleting the anchor's Secret (`rotationPolicy: Never` makes a key only when the
/// Secret has none, so `cmctl renew` alone would keep the old one).
fn linkerd_anchor_runbook() -> AnchorRunbook {
    let r = AnchorRotation::new();
    let (ns, prev, label) = (
        LINKERD_NAMESPACE,
        r.previous_anchor_secret,
        PREVIOUS_ANCHOR_LABEL,
    );
    AnchorRunbook {
        dates: format!(
            "cert-manager stamps the anchor's validity when it first issues it, which the generator cannot know; no anchor of this configuration exists before {}, so none expires before {}. The exact date of a cluster's anchor: `kubectl --context <cluster> -n {ns} get certificate linkerd-trust-anchor -o jsonpath='{{.status.notAfter}}'`. `clusterwright check` warns from the due date on (the date is annotated `clusterwright.io/rotate-by` on the anchor's Certificate); cert-manager's `certmanager_certificate_expiration_timestamp_seconds` and `linkerd check` warn on the live cluster.",
            iso_earliest_issue(),
            r.expires_not_before,
        ),
        steps: vec![
            format!("Keep the current anchor trusted: copy its certificate, never its key, into Secret {ns}/{prev} with the label trust-manager adds to the bundle: `kubectl --context <cluster> -n {ns} create secret generic {prev} --from-literal=tls.crt=\"$(kubectl --context <cluster> -n {ns} get secret linkerd-trust-anchor -o jsonpath='{{.data.tls\\.crt}}' | base64 -d)\" && kubectl --context <cluster> -n {ns} label secret {prev} {label}=true`."),
            format!("Make the new anchor: `kubectl --context <cluster> -n {ns} delete secret linkerd-trust-anchor`; cert-manager issues a new one with a new key. Go on to the next step within hours: from now on the identity issuer renews from the new anchor, and the running identity controller rejects it (keeping its current issuer, at most 25 hours) until it restarts. Wait until `kubectl --context <cluster> -n {ns} get configmap linkerd-identity-trust-roots -o jsonpath='{{.data.ca-bundle\\.crt}}' | grep -c -- '-----END'` prints 2: the bundle holds the old and the new anchor."),
            format!("Restart the control plane, the identity controller first: `kubectl --context <cluster> -n {ns} rollout restart deploy/linkerd-identity && kubectl --context <cluster> -n {ns} rollout status deploy/linkerd-identity`, then `kubectl --context <cluster> -n {ns} rollout restart deploy` and `rollout status`."),
            "Restart every meshed workload, so each proxy is injected with both anchors: `kubectl --context <cluster> -n <tenant> rollout restart deploy,statefulset,daemonset` in every tenant namespace.".to_owned(),
            format!("Sign the identity issuer with the new anchor: `cmctl renew --context <cluster> -n {ns} linkerd-identity-issuer`; `kubectl --context <cluster> -n {ns} get events --field-selector reason=IssuerUpdated` shows Linkerd took it."),
            "Restart the control plane and every meshed workload again, so every proxy holds a certificate from the new issuer.".to_owned(),
            format!("Drop the old anchor: `kubectl --context <cluster> -n {ns} delete secret {prev}` (the bundle then holds one certificate), and restart the control plane and the workloads a last time."),
        ],
        rotate_by: r.rotate_by,
        expires_not_before: r.expires_not_before,
    }
}

/// [`EARLIEST_ISSUE`] as `YYYY-MM-DD`.
fn iso_earliest_issue() -> String {
    let (y, m, d) = EARLIEST_ISSUE;
    iso_date(days_from_civil(y, m, d))
}

/// One choice, why it was made, and where that is documented.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// What was chosen.
    pub choice: String,
    /// Why.
    pub why: String,
    /// The upstream source.
    pub source: String,
}

fn decision(choice: &str, why: &str, source: &str) -> Decision {
    Decision {
        choice: choice.to_owned(),
        why: why.to_owned(),
        source: source.to_owned(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The coverage of `encryption` with `network_encryption` and `mesh`, on `clouds`.
pub fn coverage(
    encryption: Encryption,
    network_encryption: Option<NetworkEncryption>,
    mesh: Option<Mesh>,
    clouds: &[Cloud],
) -> Coverage {
    let (summary, identity) = match encryption {
        Encryption::None => (
            "None: traffic between workloads is not encrypted in transit",
            "nobody: workloads and nodes are not authenticated to each other",
        ),
        Encryption::Network => (
            "Network: Cilium transparent encryption",
            "nodes: every pod on a node speaks with the node's key; workloads have no identity of their own",
        ),
        Encryption::Mtls => (
            "mTLS: service-mesh mutual TLS, mesh-wide strict",
            "workloads: each has a certificate bound to its service account",
        ),
        Encryption::DefenseInDepth => (
            "Defense-in-depth: Cilium transparent encryption under service-mesh mutual TLS",
            "workloads (mesh certificates), on top of node keys (Cilium)",
        ),
        Encryption::CloudHardware => (
            "Cloud-hardware: the cloud encrypts traffic on the wire",
            "none beyond the cloud's: the encryption identifies machines, not workloads",
        ),
    };
    // Validation resolves the protocol whenever Cilium encrypts; were it missing, no
    // Cilium is installed either (the Helm target reports that bug), and none is described.
    let cilium = network_encryption
        .filter(|_| matches!(encryption, Encryption::Network | Encryption::DefenseInDepth));
    let mesh = mesh.filter(|_| matches!(encryption, Encryption::Mtls | Encryption::DefenseInDepth));
    let mut costs = Vec::new();
    if let (Some(NetworkEncryption::Ipsec), Some(m)) = (cilium, mesh) {
        let proxy = match m {
            Mesh::Istio => "sidecar-to-sidecar mutual TLS",
            Mesh::IstioAmbient => "ztunnel's HBONE (mutual TLS)",
            Mesh::Linkerd => "Linkerd's mutual TLS",
        };
        costs.push(format!("Double encryption: every TCP connection between meshed pods on different nodes is encrypted twice, by {proxy} in user space and again by Cilium's IPsec (ESP) in the kernel, and decrypted twice. IPsec decryption runs on a single CPU core per tunnel (\"Decryption with Cilium IPsec is limited to a single CPU core per IPsec tunnel\", cilium v1.20 `Documentation/security/network/encryption-ipsec.rst`, Limitations), so the throughput between two nodes is bounded by one core, whatever the node size. That is the price of the second layer (it covers what the mesh does not: UDP, pods outside the mesh); measure it between two tenant nodes (`iperf3` between two meshed pods) before placing throughput-heavy units, and consider `networkEncryption: wireguard`, which is not limited to one core per tunnel and needs no pre-shared key."));
    }
    Coverage {
        summary: summary.to_owned(),
        identity: identity.to_owned(),
        costs,
        stacks: clouds
            .iter()
            .map(|cloud| stack(*cloud, encryption, cilium, mesh))
            .collect(),
    }
}

/// The stack on `cloud`: Cilium with `cilium` encryption (when used), and `mesh`.
fn stack(
    cloud: Cloud,
    encryption: Encryption,
    cilium: Option<NetworkEncryption>,
    mesh: Option<Mesh>,
) -> StackCoverage {
    let cni = match (cilium, cloud) {
        (Some(_), Cloud::Aws) => "Cilium in ENI mode on EKS",
        (Some(_), Cloud::Gcp) => "self-managed Cilium on the GKE legacy datapath",
        (Some(_), Cloud::Azure) => "Cilium on AKS bring-your-own-CNI",
        (None, Cloud::Aws) => "the AWS VPC CNI",
        (None, Cloud::Gcp) => "GKE Dataplane V2",
        (None, Cloud::Azure) => "Azure CNI powered by Cilium",
    };
    let mut title = cni.to_owned();
    match cilium {
        Some(NetworkEncryption::Wireguard) => {
            title.push_str(" with WireGuard, node-to-node (beta upstream) included");
        }
        Some(NetworkEncryption::Ipsec) => title.push_str(" with IPsec"),
        None => {}
    }
    match encryption {
        Encryption::CloudHardware => title.push_str(match cloud {
            Cloud::Aws => " on Nitro instances that encrypt in transit",
            Cloud::Gcp => " with inter-node transparent encryption",
            Cloud::Azure => " in a VNet with Virtual Network encryption",
        }),
        Encryption::None => title.push_str(", no encryption"),
        Encryption::Network | Encryption::Mtls | Encryption::DefenseInDepth => {}
    }
    if let Some(m) = mesh {
        title.push_str(match m {
            Mesh::Istio => ", Istio sidecars with mesh-wide STRICT mTLS",
            Mesh::IstioAmbient => ", Istio ambient with mesh-wide STRICT mTLS",
            Mesh::Linkerd => ", Linkerd with mesh-wide mTLS",
        });
    }
    let mut s = StackCoverage {
        cloud,
        title,
        encrypted: Vec::new(),
        not_encrypted: Vec::new(),
        identity: Vec::new(),
        verify: Vec::new(),
        decisions: Vec::new(),
        before_install: Vec::new(),
        anchor_rotation: None,
        infrastructure: Vec::new(),
    };
    if let Some(protocol) = cilium {
        cilium_coverage(&mut s, cloud, protocol, mesh);
        cilium_decisions(&mut s, cloud, protocol, mesh);
    }
    if let Some(m) = mesh {
        mesh_coverage(&mut s, m, cilium.is_some());
        mesh_decisions(&mut s, cloud, m);
    }
    match encryption {
        Encryption::None => {
            s.not_encrypted
                .push("All traffic between pods and nodes.".to_owned());
            s.identity
                .push("Nobody is authenticated by the network.".to_owned());
        }
        Encryption::CloudHardware => cloud_hardware(&mut s, cloud),
        Encryption::Network | Encryption::Mtls | Encryption::DefenseInDepth => {}
    }
    if encryption != Encryption::None {
        s.not_encrypted.push("Traffic to the Kubernetes API server: TLS by Kubernetes itself; the managed control plane is not a cluster node, so node-level encryption never covers it.".to_owned());
        s.not_encrypted.push("Traffic leaving the cluster (to the internet, cloud services, other hosts in the network) and from outside clients up to the first node: protect it with TLS at the application.".to_owned());
    }
    if cilium.is_none() && cloud == Cloud::Aws {
        s.infrastructure.push("The VPC CNI's custom networking (`AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true`, one ENIConfig per zone named after it, `ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone`), in the add-on's configuration: pods take addresses in the cluster's pod subnets (its secondary VPC range from 100.64.0.0/10), never on the node's primary network interface, with the cluster security group.".to_owned());
    }
    if cilium.is_none() {
        s.infrastructure.push(match cloud {
            Cloud::Aws => "The VPC CNI add-on with network policy enforcement on (`enableNetworkPolicy`), in strict mode (`NETWORK_POLICY_ENFORCING_MODE=strict`): without it the tenant NetworkPolicies are not enforced, and in the default standard mode a new pod accepts every connection until its policies are loaded.",
            Cloud::Gcp => "Dataplane V2 (`ADVANCED_DATAPATH`), which enforces NetworkPolicy.",
            Cloud::Azure => "Azure CNI powered by Cilium (`network_plugin = \"azure\"`, overlay, `network_data_plane = \"cilium\"`, `network_policy = \"cilium\"`), which enforces NetworkPolicy.",
        }.to_owned());
    }
    s.before_install.insert(0, match cloud {
        Cloud::Aws => "A kube context named after the cluster: `aws eks update-kubeconfig --region <region> --name <cluster> --alias <cluster>`, with credentials for the cluster's account.",
        Cloud::Gcp => "A kube context named after the cluster: `gcloud container clusters get-credentials <cluster> --region <region> --project <project>`, then `kubectl config rename-context gke_<project>_<region>_<cluster> <cluster>`.",
        Cloud::Azure => "A kube context named after the cluster: `az aks get-credentials --resource-group <resource-group> --name <cluster>` (the context takes the cluster's name).",
    }.to_owned());
    s
}

fn cilium_coverage(
    s: &mut StackCoverage,
    cloud: Cloud,
    protocol: NetworkEncryption,
    mesh: Option<Mesh>,
) {
    let same_node = if mesh.is_some() {
        " The mesh still encrypts it between meshed pods; between pods outside the mesh (kube-system add-ons, the mesh's and Cilium's own agents) it is plaintext."
    } else {
        " No mesh covers it."
    };
    let verify_agent = "kubectl --context <cluster> -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg encrypt status";
    match protocol {
        NetworkEncryption::Wireguard => {
            s.encrypted.push("Pod to pod on different nodes and pod to remote node: Cilium WireGuard (UDP 51871), Service traffic included. Node to node, node to remote pod and host-network pods: Cilium's node-to-node encryption, which Cilium documents as beta (`Documentation/security/network/encryption-wireguard.rst`, \"Node-to-Node Encryption (beta)\").".to_owned());
            s.encrypted.push("Strict ingress mode: a node drops pod traffic from another node that did not arrive through WireGuard. It decides on arrival, so a plaintext packet has already crossed the network when it is dropped (a UDP payload such as a DNS query has leaked; it only stops the pod from receiving it). Sources Cilium treats as remote nodes are exempt, and the Kubernetes API server counts as one (cilium/cilium `bpf/lib/identity.h`, `identity_is_remote_node()`): plaintext from host-network pods and nodes is never dropped.".to_owned());
            match cloud {
                Cloud::Aws => s.encrypted.push("Strict egress mode for the cluster's pod range (its secondary VPC range, which holds pods alone), remote-node identities not exempted: pod-to-pod traffic leaves a node encrypted or not at all.".to_owned()),
                Cloud::Gcp => s.encrypted.push("Strict egress mode for the cluster's pod range, remote-node identities not exempted: pod-to-pod traffic leaves a node encrypted or not at all.".to_owned()),
                Cloud::Azure => s.encrypted.push("Strict egress mode for the cluster's overlay pod range: pod-to-pod traffic leaves a node encrypted or not at all (remote-node identities are looked up, as tunnelling requires).".to_owned()),
            }
            s.not_encrypted.push(format!("Traffic between pods on the same node: WireGuard encrypts only what leaves a node, by design.{same_node}"));
            s.identity.push("WireGuard: **node** identity. Each node creates its own key pair and publishes the public key in the `network.cilium.io/wg-pub-key` annotation of its CiliumNode; clusterwright generates and stores no key.".to_owned());
            s.verify.extend(strings(&[
                "cilium encryption status --context <cluster>",
                verify_agent,
                "kubectl --context <cluster> -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status | grep Encryption   # Wireguard [NodeEncryption: Enabled, cilium_wg0 ...]",
                "kubectl --context <cluster> -n kube-system get configmap cilium-config -o jsonpath='{.data.enable-wireguard} {.data.encrypt-node} {.data.enable-encryption-strict-mode-ingress} {.data.enable-encryption-strict-mode-egress} {.data.encryption-strict-egress-cidr}{\"\\n\"}'",
            ]));
        }
        NetworkEncryption::Ipsec => {
            s.encrypted.push("Pod to pod on different nodes: Cilium IPsec (ESP, AES-GCM with a 128-bit key, per-tunnel keys derived from the pre-shared key in Secret kube-system/cilium-ipsec-keys).".to_owned());
            s.not_encrypted.push("Node-to-node and host-network traffic (kubelet, node exporters, host-network pods): Cilium encrypts node traffic only with WireGuard (rule `encryption-coverage`).".to_owned());
            s.not_encrypted.push(format!("Traffic between pods on the same node: IPsec encrypts only what leaves a node.{same_node}"));
            s.encrypted.push("Strict egress mode for the cluster's pod range: pod-to-pod traffic leaves a node encrypted or not at all (Cilium supports it with IPsec since 1.19).".to_owned());
            s.not_encrypted
                .push("No strict ingress: Cilium supports it with WireGuard only.".to_owned());
            s.identity.push("IPsec: a cluster-wide pre-shared key, created by the operator in Secret kube-system/cilium-ipsec-keys and never written to this repository. Every node holds it, and each tunnel's key is derived from it and public facts (the two nodes' addresses and boot IDs, published in their CiliumNode objects; cilium/cilium `pkg/datapath/linux/ipsec/ipsec_linux.go`, `computeNodeIPsecKey`): root on any one node, a container escape included, yields the keys of every node pair of the cluster, not only that node's traffic. Rotate the key after such a compromise (below); WireGuard has no shared secret.".to_owned());
            s.verify.extend(strings(&[
                "cilium encryption status --context <cluster>",
                verify_agent,
                "kubectl --context <cluster> -n kube-system get configmap cilium-config -o jsonpath='{.data.enable-ipsec} {.data.ipsec-key-file}{\"\\n\"}'",
            ]));
            s.before_install.push("Create the IPsec key before the first `helmfile sync` (20 random bytes in 40 hex digits: a 128-bit AES key and a 32-bit salt; key id 3 as in Cilium's guide; `+` selects per-tunnel keys), and store it nowhere else. The key goes through a pipe, never onto a command line (`printf` is a shell builtin), and the length check stops an empty key: `key=\"$(openssl rand -hex 20)\" && [ \"${#key}\" -eq 40 ] && printf '3+ rfc4106(gcm(aes)) %s 128' \"$key\" | kubectl --context <cluster> -n kube-system create secret generic cilium-ipsec-keys --from-file=keys=/dev/stdin; unset key`. The cilium release's presync hook checks the format and stops the install if it is wrong.".to_owned());
            s.before_install.push("Rotate the IPsec key every 90 days, after any suspected node compromise, and when someone who could read kube-system Secrets leaves; never during a Cilium upgrade (all nodes on one Cilium version). Rotation raises the key id (1 to 15, then back to 1): `id=\"$(kubectl --context <cluster> -n kube-system get secret cilium-ipsec-keys -o jsonpath='{.data.keys}' | base64 -d | cut -d' ' -f1 | tr -d +)\" && key=\"$(openssl rand -hex 20)\" && [ \"${#key}\" -eq 40 ] && printf '{\"stringData\":{\"keys\":\"%s+ rfc4106(gcm(aes)) %s 128\"}}' \"$((id % 15 + 1))\" \"$key\" | kubectl --context <cluster> -n kube-system patch secret cilium-ipsec-keys --patch-file /dev/stdin; unset key`. Each agent's key watcher loads the new key and keeps the old one for `encryption.ipsec.keyRotationDuration` (5 minutes) while every node switches; `cilium encryption status` shows the new key id on every node when it is done (cilium v1.20 `Documentation/security/network/encryption-ipsec.rst`, \"Key Rotation\"). 90 days is this plan's cadence, not Cilium's: with per-tunnel keys and extended sequence numbers no key wears out sooner; the cadence bounds how long a leaked key is useful.".to_owned());
        }
    }
}

fn cilium_decisions(
    s: &mut StackCoverage,
    cloud: Cloud,
    protocol: NetworkEncryption,
    mesh: Option<Mesh>,
) {
    let wireguard = protocol == NetworkEncryption::Wireguard;
    match cloud {
        Cloud::Aws => {
            s.decisions.push(decision(
                "ENI mode: `eni.enabled`, `ipam.mode: eni`, `routingMode: native`; pod ENIs only in the cluster's pod subnets (tagged `clusterwright.io/pod-subnet=<cluster>`, in the secondary VPC range from 100.64.0.0/10), never on the node's primary ENI (`eni.nodeSpec.firstInterfaceIndex: 1`); `ipv4NativeRoutingCIDR` = the pod range. Pod ENIs get the security groups of the node's primary ENI (the cluster security group).",
                "Pods take VPC addresses, so the EKS control plane reaches webhooks on pods directly, but not routable ones: the environment's range holds nodes, load balancers and control-plane interfaces only. Without a subnet filter the operator picks any subnet of the cluster's VPC in the zone, its node and public subnets included; with index 0 pods would also take node-subnet addresses. Traffic from pods to the rest of the VPC leaves with the node's address (outside the native routing range), pod to pod never.",
                "cilium/cilium `Documentation/network/concepts/ipam/eni.rst` (`spec.eni.first-interface-index`, `spec.eni.security-groups`: \"If unspecified, the security group IDs of eth0 will be used\"); cilium 1.20.0 `values.yaml` (`eni.nodeSpec.subnetTags`, `eni.nodeSpec.firstInterfaceIndex`); cilium/cilium#18653 (a secondary VPC range as native routing range)",
            ));
            s.decisions.push(decision(
                "Kube-proxy replacement with the API server read from ConfigMap kube-system/cilium-k8s-service-host (`k8sServiceHostRef`, port 443). The cilium release's presync hook writes it from `aws eks describe-cluster`, after checking that the caller is in the cluster's account.",
                "The cluster is created without kube-proxy, and its endpoint is unknown until the infrastructure is applied. `k8sServiceHost: auto` would need a Helm lookup of kube-public/cluster-info at render time, which fails offline and which EKS is not documented to provide.",
                "cilium 1.20.0 `values.yaml` (`k8sServiceHostRef`), `templates/cilium-agent/daemonset.yaml`",
            ));
            s.before_install.push("The `aws` CLI with credentials for the cluster's account (the presync hook of the cilium release reads the API endpoint with it).".to_owned());
            s.infrastructure.extend(strings(&[
                "EKS without the self-managed add-ons (`bootstrap_self_managed_addons = false`): no VPC CNI, no kube-proxy; CoreDNS as an EKS add-on once Cilium runs.",
                "The cluster's pod subnets (one per zone, in its secondary VPC range, routed to the NAT gateways) tagged `clusterwright.io/pod-subnet=<cluster>`; node and public subnets not.",
                "EC2 ENI permissions for kube-system/cilium-operator (EKS Pod Identity or IRSA).",
            ]));
        }
        Cloud::Gcp => {
            s.decisions.push(decision(
                "`gke.enabled` (native routing), `ipam.mode: kubernetes`, `ipv4NativeRoutingCIDR` = the cluster's pod range, node-init with `cni.binPath: /home/kubernetes/bin`; kube-proxy stays.",
                "GKE has no switch to leave out the CNI: Cilium runs on the legacy datapath without Calico. Dataplane V2 is Google's managed Cilium and cannot be configured with the Cilium chart.",
                "cilium/cilium `Documentation/installation/k8s-install-helm.rst` (GKE), `requirements-gke.rst`",
            ));
            s.decisions.push(decision(
                "`nodeinit.reconfigureKubelet` and `nodeinit.removeCbrBridge` are set by the helmfile's `set:` for the cilium release, not in cilium.values.yaml.",
                "Without them GKE's containerd brings back its own CNI configuration after a node reboot. The chart reads them in its node-init script but does not declare them in its values.yaml, so the conformance kit, which follows values.yaml, rejects them in a values file; its owners are told.",
                "cilium-1.20.0 `files/nodeinit/startup.bash`; cilium/cilium#21049",
            ));
            s.infrastructure.push("GKE with the legacy datapath (`LEGACY_DATAPATH`) and without Calico network policy; node pools tainted `node.cilium.io/agent-not-ready=true:NoExecute` (in the plan).".to_owned());
        }
        Cloud::Azure => {
            s.decisions.push(decision(
                "`aksbyocni.enabled` (VXLAN tunnel), cluster-pool IPAM over the plan's overlay range with a /24 per node; kube-proxy stays.",
                "With bring-your-own-CNI Cilium owns IPAM; Azure IPAM needs the Azure CNI.",
                "cilium/cilium `Documentation/installation/requirements-aks.rst`; cilium 1.20.0 `values.yaml` (`aksbyocni`)",
            ));
            s.infrastructure.push(
                "AKS with bring-your-own-CNI (`network_profile { network_plugin = \"none\" }`)."
                    .to_owned(),
            );
        }
    }
    let strict = match (protocol, cloud) {
        (NetworkEncryption::Ipsec, _) => (
            "Strict egress for the pod range; no strict ingress.",
            "Cilium supports strict egress with IPsec since 1.19 (v1.19.0 release notes: \"Both IPsec and WireGuard transparent encryption modes now support a 'strict mode'\"); strict ingress requires WireGuard.",
        ),
        (NetworkEncryption::Wireguard, Cloud::Aws | Cloud::Gcp) => (
            "Strict ingress on; strict egress for the pod range, remote-node identities not exempted.",
            "The pod range is a secondary range of its own (on EKS a secondary VPC range that holds pods alone) and routing is native: the case where Cilium needs no exemption.",
        ),
        (NetworkEncryption::Wireguard, Cloud::Azure) => (
            "Strict ingress on; strict egress for the overlay pod range with remote-node identities looked up.",
            "The chart requires remote-node identities when tunnelling.",
        ),
    };
    s.decisions.push(decision(
        strict.0,
        strict.1,
        "cilium 1.20.0 `values.yaml` (`encryption.strictMode.egress`, `.ingress`: 1.20 reads only these keys; only ingress says it requires WireGuard); cilium/cilium v1.19.0 release notes (strict mode for IPsec and WireGuard, cilium#39239, #42115)",
    ));
    if wireguard {
        s.infrastructure
            .push("UDP 51871 (WireGuard) open between nodes.".to_owned());
    } else {
        if cloud == Cloud::Gcp {
            s.infrastructure.push("ESP (IP protocol 50) admitted between the cluster's node and pod ranges by a firewall rule of its own (`<cluster>-cilium-ipsec`): with native routing Cilium's ESP packets carry each node's CiliumInternalIP, from the pod range, and GKE's auto-created rules admit ESP only from the pod range, which a change of theirs or of Cilium's could undo.".to_owned());
        }
        s.decisions.push(decision(
            "The IPsec key is Secret kube-system/cilium-ipsec-keys (key `keys`), created by the operator; the cilium release's presync hook stops the install unless it matches `<key id 1-15>[+] rfc4106(gcm(aes)) <40 hex digits> 128`.",
            "Private key material is never generated or written to the repository. A malformed key (an empty one from a failed generator, a wrong data key, a key id above 15) passes a check of existence and then stops every cilium-agent, and with it the cluster's pod network.",
            "cilium/cilium v1.20 `Documentation/security/network/encryption-ipsec.rst` (\"Generate & Import the PSK\", \"Key Rotation\"), `pkg/datapath/linux/ipsec/ipsec_linux.go` (`LoadIPSecKeys`)",
        ));
    }
    mesh_on_cilium(s, cloud, mesh);
}

/// The Cilium settings `mesh` needs on `cloud`, and why.
fn mesh_on_cilium(s: &mut StackCoverage, cloud: Cloud, mesh: Option<Mesh>) {
    if cloud == Cloud::Aws && mesh == Some(Mesh::IstioAmbient) {
        s.decisions.push(decision(
            "`bpf.hostLegacyRouting: true` (EKS with Istio ambient).",
            "Istio ambient SNATs kubelet's probes to 169.254.7.127 in the host's netfilter; with kube-proxy replacement and eBPF host routing, Cilium drops the replies before netfilter can reverse that, and every ambient pod fails its probes (an open Cilium issue). IPsec forces legacy host routing today, so it works by accident; pinned, a switch to WireGuard or a Cilium that lifts the IPsec limit cannot silently break every probe.",
            "cilium/cilium#36022 (\"Incompatibility between Istio ambient mode readiness probes and Cilium eBPF Routing\", open); istio/istio#52208; cilium v1.20 `Documentation/security/network/encryption-ipsec.rst` (Limitations: IPsec does not work with BPF host routing); cilium 1.20.0 `values.yaml` (`bpf.hostLegacyRouting`)",
        ));
    }
    match mesh {
        Some(Mesh::Istio | Mesh::IstioAmbient) => s.decisions.push(decision(
            if mesh == Some(Mesh::IstioAmbient) {
                "`cni.exclusive: false`, `socketLB.hostNamespaceOnly: true`, `bpf.masquerade: false`."
            } else {
                "`cni.exclusive: false`, `socketLB.hostNamespaceOnly: true`."
            },
            "istio-cni chains onto Cilium's CNI configuration, which exclusive mode would remove. Istio's validation refuses socket load balancing for pods and, with ztunnel, BPF masquerading.",
            "istio/istio@1.30.3 `operator/pkg/apis/validation/validation.go`; istio.io ambient platform prerequisites (Cilium)",
        )),
        Some(Mesh::Linkerd) => s.decisions.push(decision(
            "`socketLB.hostNamespaceOnly: true`.",
            "Linkerd needs a Service's ClusterIP on packets for its load balancing and routing; socket-level load balancing would rewrite it first.",
            "linkerd/website `2-edge/reference/cluster-configuration.md` (Cilium)",
        )),
        None => {}
    }
}

fn mesh_coverage(s: &mut StackCoverage, mesh: Mesh, on_cilium: bool) {
    match mesh {
        Mesh::Istio => {
            s.encrypted.push("Every connection between two meshed workloads, on the same node or not: sidecar-to-sidecar mutual TLS. The mesh-wide PeerAuthentication istio-system/default (STRICT) makes meshed workloads refuse plaintext.".to_owned());
            s.identity.push("Istio: **workload** identity, X.509 SPIFFE certificates `spiffe://cluster.local/ns/<namespace>/sa/<service-account>` issued by istiod, whose self-signed CA stays in Secret istio-system/istio-ca-secret inside the cluster.".to_owned());
            s.verify.extend(strings(&[
                "kubectl --context <cluster> get peerauthentication -A   # istio-system/default STRICT",
                "istioctl --context <cluster> x describe pod <pod> -n <tenant>",
                "istioctl --context <cluster> proxy-config secret <pod> -n <tenant>   # the workload's certificate",
            ]));
        }
        Mesh::IstioAmbient => {
            s.encrypted.push("Every TCP connection between two ambient-enrolled workloads, on the same node or not: ztunnel carries it as HBONE (mutual TLS, port 15008). The mesh-wide PeerAuthentication istio-system/default (STRICT) makes enrolled workloads refuse plaintext TCP.".to_owned());
            s.not_encrypted.push(if on_cilium {
                "UDP and SCTP between enrolled pods (statsd, QUIC, gossip protocols): ambient captures TCP only (DNS excepted, which ztunnel proxies), so this traffic is neither HBONE nor subject to STRICT. Between nodes, Cilium's encryption is its one layer; on the same node it is plaintext (istio/istio@1.30.3 `cni/pkg/iptables/iptables.go`: the in-pod redirection matches `-p tcp`, UDP only for port 53; istio.io/latest/docs/ambient/architecture/traffic-redirection).".to_owned()
            } else {
                "UDP and SCTP between enrolled pods (statsd, QUIC, gossip protocols): ambient captures TCP only (DNS excepted, which ztunnel proxies), so this traffic is neither HBONE nor subject to STRICT, and with mTLS alone nothing encrypts it, on the same node or between nodes (istio/istio@1.30.3 `cni/pkg/iptables/iptables.go`: the in-pod redirection matches `-p tcp`, UDP only for port 53; istio.io/latest/docs/ambient/architecture/traffic-redirection).".to_owned()
            });
            s.not_encrypted.push("TCP from the node's host network namespace to ambient pods on that node: Istio rewrites every such connection, not only kubelet's probes, to come from 169.254.7.127 and keeps it out of ztunnel, so it is plaintext, unauthenticated and exempt from STRICT and the AuthorizationPolicies; the tenant NetworkPolicy `allow-ambient-kubelet-probes` admits it, TCP only, on every port (the tenants' probe ports are not known here). Only the node's own processes are in that namespace: tenant namespaces enforce Pod Security `baseline` or `restricted`, which refuse `hostNetwork`, host ports and NET_ADMIN (istio/istio@1.30.3 `cni/pkg/iptables/iptables.go`, host `POSTROUTING` `--socket-exists -p tcp ... SNAT --to-source 169.254.7.127`; kubernetes.io/docs/concepts/security/pod-security-standards).".to_owned());
            s.identity.push("Istio ambient: **workload** identity, X.509 SPIFFE certificates `spiffe://cluster.local/ns/<namespace>/sa/<service-account>` that ztunnel requests from istiod for the service accounts on its node.".to_owned());
            s.verify.extend(strings(&[
                "kubectl --context <cluster> get peerauthentication -A   # istio-system/default STRICT",
                "kubectl --context <cluster> get namespace -L istio.io/dataplane-mode",
                "istioctl --context <cluster> ztunnel-config workloads --workload-namespace <tenant>   # PROTOCOL HBONE",
                "istioctl --context <cluster> ztunnel-config certificates",
            ]));
        }
        Mesh::Linkerd => {
            s.encrypted.push("Every TCP connection between two meshed pods, on the same node or not, on every port (no port skips the proxy: the chart's default skips 4567 and 4568, which would be plaintext): Linkerd's automatic mutual TLS. `proxy.defaultInboundPolicy: all-authenticated` (Linkerd's counterpart of STRICT) makes meshed pods accept only authenticated mesh clients; kubelet probes are still admitted by Linkerd's default authorizations.".to_owned());
            s.identity.push("Linkerd: **workload** identity. Each proxy holds a 24-hour certificate for `<service-account>.<namespace>.serviceaccount.identity.linkerd.cluster.local`, issued by Linkerd's identity controller with the identity issuer (Secret linkerd/linkerd-identity-issuer, 48 hours, rotated by cert-manager), chained to the trust anchor (Secret linkerd/linkerd-trust-anchor, ten years, its key never changed by cert-manager on its own: rotated by the procedure below, published by trust-manager as ConfigMap linkerd/linkerd-identity-trust-roots). No key material is in the repository.".to_owned());
            s.verify.extend(strings(&[
                "linkerd --context <cluster> check",
                "linkerd --context <cluster> check --proxy -n <tenant>",
                "linkerd --context <cluster> identity -n <tenant> <pod>   # the proxy's certificate",
                "linkerd --context <cluster> diagnostics proxy-metrics -n <tenant> po/<pod> | grep 'tls=\"true\"'",
                "kubectl --context <cluster> get certificate -A   # linkerd-trust-anchor, linkerd-identity-issuer: Ready",
                "kubectl --context <cluster> get bundle linkerd-identity-trust-roots   # Synced",
                "kubectl --context <cluster> -n linkerd get certificate linkerd-trust-anchor -o jsonpath='{.status.notAfter}'   # the anchor's expiry",
                "kubectl --context <cluster> -n linkerd-cni get daemonset linkerd-cni   # one ready pod per node",
            ]));
        }
    }
    if !on_cilium {
        let outside = match mesh {
            Mesh::Linkerd => "cert-manager, trust-manager",
            Mesh::Istio | Mesh::IstioAmbient => "istiod, the Istio CNI agent",
        };
        s.not_encrypted.push(format!("Everything outside the mesh (rule `mesh-addon-traffic`): DNS to CoreDNS, kube-system and cloud-managed add-ons, {outside}, host-network and node traffic."));
    }
}

/// What the cloud's own encryption covers on `cloud`.
fn cloud_hardware(s: &mut StackCoverage, cloud: Cloud) {
    match cloud {
        Cloud::Aws => {
            s.encrypted.push("Traffic between Nitro instances that support encryption in transit, in the same or a peered VPC (AEAD, 256-bit, by the hardware).".to_owned());
            s.not_encrypted.push("Traffic through load balancers, NAT gateways and transit gateways without encryption support, and traffic of instance types without it.".to_owned());
            s.verify.push("aws ec2 describe-instance-types --instance-types <type> --query 'InstanceTypes[].NetworkInfo.EncryptionInTransitSupported'".to_owned());
            s.infrastructure.push("Node groups only on instance types that encrypt in transit (rule `cloud-hardware-instance` checks the blueprint's units).".to_owned());
        }
        Cloud::Gcp => {
            s.encrypted.push("Pod traffic between nodes: GKE inter-node transparent encryption (WireGuard inside Dataplane V2).".to_owned());
            s.not_encrypted
                .push("Host-network traffic and traffic between pods on the same node.".to_owned());
            s.verify.push("gcloud container clusters describe <cluster> --region <region> --format 'value(networkConfig.inTransitEncryptionConfig)'".to_owned());
            s.infrastructure.push("Inter-node transparent encryption on the cluster (`in_transit_encryption_config = \"IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT\"`, which needs Dataplane V2).".to_owned());
        }
        Cloud::Azure => {
            s.encrypted.push("Traffic between VMs of supported series in the VNet (Virtual Network encryption, DTLS).".to_owned());
            s.not_encrypted.push("Traffic of VMs without encryption support: the VNet lets it through unencrypted (`AllowUnencrypted` is the only enforcement Azure offers).".to_owned());
            s.verify
                .push("az network vnet show --ids <vnet-id> --query encryption".to_owned());
            s.infrastructure.push("Virtual Network encryption on the VNet (`encryption { enforcement = \"AllowUnencrypted\" }`) and node pools of supported series with Accelerated Networking.".to_owned());
        }
    }
    s.identity.push(
        "The cloud's: hosts are authenticated by the cloud's fabric, workloads are not.".to_owned(),
    );
}

fn mesh_decisions(s: &mut StackCoverage, cloud: Cloud, mesh: Mesh) {
    match mesh {
        Mesh::Istio | Mesh::IstioAmbient => {
            s.decisions.push(decision(
                "Mesh-wide STRICT mutual TLS: PeerAuthentication `default` in the root namespace istio-system, without a selector.",
                "In the root namespace and without a selector it applies to every workload of the mesh, so plaintext to a meshed workload is refused.",
                "istio/istio@1.30.3 `manifests/charts/base/files/crd-all.gen.yaml` (`security.istio.io/v1`), `pkg/config/mesh/mesh.go` (root namespace)",
            ));
            s.decisions.push(if mesh == Mesh::IstioAmbient {
                decision(
                    "Ambient mode: `profile: ambient` for istiod and istio-cni, then ztunnel; installed base, istiod, istio-cni, ztunnel in that order. Tenant namespaces are enrolled with `istio.io/dataplane-mode: ambient`.",
                    "The ambient profile turns on ztunnel support in istiod and the CNI agent; the order is Istio's.",
                    "istio/istio@1.30.3 `manifests/charts/*/files/profile-ambient.yaml`; istio.io ambient Helm install",
                )
            } else {
                decision(
                    "Sidecar mode with the Istio CNI agent (`cni.enabled` in istiod); tenant namespaces are labelled `istio-injection: enabled`.",
                    "The CNI agent sets up traffic redirection, so tenant pods need no privileged istio-init container (NET_ADMIN, NET_RAW).",
                    "istio/istio@1.30.3 `manifests/charts/istio-cni/README.md`",
                )
            });
            if mesh == Mesh::IstioAmbient {
                s.decisions.push(decision(
                    "Gateway API v1.4.0 CRDs (standard channel), applied by the istio-base release's presync hook (never over a newer bundle); no waypoint is generated.",
                    "Waypoints, ambient's L7 proxies (HTTP attributes, JWT), are Gateway API `Gateway`s of class `istio-waypoint`: without the CRDs no tenant could deploy one. None is generated: the tenant AuthorizationPolicies (zero trust) check only the source's namespace identity, an L4 attribute that ztunnel enforces on every node, and a waypoint per namespace would add an Envoy Deployment per tenant and cluster and a hop to every request for nothing these policies need. A tenant that needs L7 policy deploys a waypoint in its namespace (`istioctl waypoint generate -n <tenant>`), puts its pods on the tenant's node group with the node selector and toleration the admission policy requires (`spec.infrastructure.parametersRef`: a ConfigMap with a `deployment` overlay), labels the namespace `istio.io/use-waypoint: waypoint`, and binds L7 AuthorizationPolicies to the waypoint with `targetRefs` (group gateway.networking.k8s.io, kind Gateway): ztunnel enforces L4 only and fails closed on an L7 rule. Behind a waypoint, ztunnel sees the waypoint's identity, so the namespace's own-identity rule is then bound to the waypoint too.",
                    "istio.io/latest/docs/ambient/usage/waypoint, istio.io/latest/docs/ambient/usage/l4-policy, istio.io/latest/docs/ambient/usage/l7-features; istio.io/latest/docs/setup/additional-setup/gateway (\"Automated deployment\", `parametersRef`); istio.io/latest/docs/ambient/getting-started (Gateway API v1.4.0)",
                ));
            }
            s.decisions.push(decision(
                "istio-cni in kube-system; istiod with at least two replicas (`autoscaleMin: 2`); the CNI agent's and ztunnel's own NetworkPolicies (`global.networkPolicy.enabled`).",
                "The CNI agent is system-node-critical, which kube-system always admits. The istiod PodDisruptionBudget keeps one replica, so a single replica would block node drains.",
                "istio/istio@1.30.3 `manifests/charts/istio-cni/README.md`, `istio-discovery/values.yaml`",
            ));
            s.decisions.push(decision(
                "istiod's NetworkPolicy is generated (`manifests/<cluster>/istiod-network-policy.yaml`), not the chart's: it admits TCP 15012 (xDS and certificate signing over mTLS) and 15017 (webhooks, from the API server) from any source, and nothing else; `ENABLE_DEBUG_ON_HTTP=false`.",
                "The chart's policy also admits, from every pod of every namespace, 15010 (xDS in plaintext, without authentication: any tenant pod could read any proxy's configuration, other tenants' routes and endpoints included), 15011, 8080 (debug) and 15014 (monitoring). Nothing here scrapes istiod: a monitoring stack adds a policy for 15014 from its own namespace.",
                "istio/istio@1.30.3 `manifests/charts/istio-control/istio-discovery/templates/networkpolicy.yaml`, `pilot/pkg/xds/auth.go`; istio.io security best practices (`ENABLE_DEBUG_ON_HTTP`)",
            ));
            if cloud == Cloud::Gcp {
                s.decisions.push(decision(
                    "`platform: gke` for istiod, istio-cni and ztunnel; istio-cni's `cni.cniBinDir: /home/kubernetes/bin` set explicitly (in the helmfile's `set:`: the chart's values.yaml declares only the top-level `cniBinDir`, which the chart overwrites with `cni.cniBinDir`, so the conformance kit, which follows values.yaml, refuses `cni:` in a values file).",
                    "GKE admits node-critical pods only in namespaces with a ResourceQuota, which the gke platform profile creates. GKE keeps CNI binaries in /home/kubernetes/bin, but the profile leaves `cni.cniBinDir` empty for the chart to guess from the live server's version (`-gke`): `helm template`, GitOps renderers and CI diffs without it put the plugin in /opt/cni/bin, and every new pod sandbox fails. Set explicitly, it is the same in every render.",
                    "istio/istio@1.30.3 `manifests/charts/istio-cni/files/profile-platform-gke.yaml` (\"intentionally unset for gke to allow template-based autodetection\"), `templates/zzy_descope_legacy.yaml`, `templates/daemonset.yaml`; istio.io/latest/docs/ambient/install/platform-prerequisites (GKE)",
                ));
                s.infrastructure.push("Private clusters: a firewall rule from the control plane's range to the nodes on TCP 15017 (istiod's webhooks).".to_owned());
            }
        }
        Mesh::Linkerd => {
            s.anchor_rotation = Some(linkerd_anchor_runbook());
            s.decisions.push(decision(
                "External CA: `identity.externalCA: true`, `identity.issuer.scheme: kubernetes.io/tls`. cert-manager creates the trust anchor (ECDSA, valid ten years) from a self-signed Issuer, and creates and rotates the identity issuer (valid 48 hours, renewed after 23, a new key each time) from a CA Issuer backed by the anchor; trust-manager publishes the anchor's certificate as ConfigMap linkerd/linkerd-identity-trust-roots.",
                "No key material in the repository: cert-manager makes every key inside the cluster. Linkerd reloads a new identity issuer by itself, but reads the trust roots only at start (the identity controller) or at injection (each proxy): the issuer rotates on its own, the anchor only by the procedure below. A private CA or Vault issuer can replace the self-signed Issuer to keep the root key off the cluster.",
                "linkerd/website `2-edge/tasks/automatically-rotating-control-plane-tls-credentials.md`; linkerd2@edge-26.8.3 `charts/linkerd-control-plane/values.yaml`, `controller/cmd/identity/main.go`",
            ));
            s.decisions.push(decision(
                "The trust anchor keeps its key: `privateKey.rotationPolicy: Never`, `duration: 87600h`, `renewBefore: 720h`. Its rotation is the explicit procedure below, with the old and the new anchor in the bundle until every proxy has restarted.",
                "An anchor that cert-manager replaced with a new key while Linkerd runs (the upstream task's one-year anchor, renewed with a new key two months after issue) breaks mTLS across the mesh within a day: the running identity controller rejects the new issuer, and old and new proxies reject each other. With `Never`, cert-manager's renewal 30 days before expiry re-signs the same key, so even an anchor nobody rotated never breaks a chain (restart the control plane and workloads after it).",
                "linkerd/website `2-edge/tasks/automatically-rotating-control-plane-tls-credentials.md` (\"Rotating the trust anchor\": manual intervention, or let the anchor live as long as the cluster); https://cert-manager.io/docs/usage/certificate/#configuring-private-key-rotation",
            ));
            s.decisions.push(decision(
                "Every identity object is in the linkerd namespace: the anchor, its self-signed Issuer, the CA Issuer `linkerd-identity-issuer` (namespaced, not a ClusterIssuer) and the identity issuer.",
                "An Issuer issues only to Certificates in its own namespace, so no tenant, even one given cert-manager rights in its namespace for ingress certificates, can have the mesh's CA sign an identity or an intermediate CA; cert-manager RBAC on the linkerd namespace is part of the mesh's trusted base. Linkerd's service accounts have no right to read Secrets (its identity controller mounts only its issuer). trust-manager runs there too, because it reads Secrets only in its trust namespace.",
                "https://cert-manager.io/docs/concepts/issuer/ (namespaces); linkerd2@edge-26.8.3 `charts/linkerd-control-plane/templates/identity-rbac.yaml`; cert-manager/trust-manager@v0.24.0 `deploy/charts/trust-manager/values.yaml` (`app.trust.namespace`)",
            ));
            s.decisions.push(decision(
                "trust-manager writes only to the linkerd namespace: `app.targetNamespaces: [linkerd]`, and the Bundle's target selects `kubernetes.io/metadata.name: linkerd`.",
                "Only Linkerd's control plane reads the trust roots (proxies get them at injection). By default trust-manager holds a ClusterRole to write ConfigMaps in every namespace; with target namespaces it gets a Role in each instead.",
                "cert-manager/trust-manager@v0.24.0 `deploy/charts/trust-manager/values.yaml`, `templates/rbac-per-namespace.yaml`, `templates/clusterrole.yaml`",
            ));
            s.decisions.push(decision(
                "linkerd2-cni installed before the control plane (namespace linkerd-cni, tolerating every taint so it runs on every node group), and `cniEnabled: true`.",
                "Without it every meshed pod gets the linkerd-init container, which needs NET_ADMIN and NET_RAW, and tenant namespaces could not enforce Pod Security `baseline` or `restricted`. The plugin chains onto the cluster's CNI (self-managed Cilium with `cni.exclusive: false`); chaining onto the clouds' managed CNIs (GKE Dataplane V2, AKS-managed Cilium, the AWS VPC CNI) is not verified in a live account.",
                "linkerd/website `2-edge/features/cni.md`; linkerd2@edge-26.8.3 `charts/linkerd2-cni/values.yaml`",
            ));
            s.decisions.push(decision(
                "No port skips the proxy: `proxyInit.ignoreInboundPorts` and `ignoreOutboundPorts` empty, and linkerd2-cni's too.",
                "The chart skips 4567 and 4568 (Galera) by default, and a skipped port carries plaintext. A server-speaks-first protocol on a tenant's port is marked opaque (`config.linkerd.io/opaque-ports`), which keeps mTLS.",
                "linkerd2@edge-26.8.3 `charts/linkerd-control-plane/values.yaml` (`proxyInit`, `proxy.opaquePorts`)",
            ));
            s.decisions.push(decision(
                "The trust-manager Bundle is `manifests/<cluster>/linkerd-trust-roots-bundle.json`, in JSON.",
                "The conformance kit has no schema for trust-manager's Bundle and fails any YAML manifest it cannot check; kubectl applies JSON the same way. The kit's owners are told; the Bundle moves to YAML once the kit knows it.",
                "cert-manager/trust-manager@v0.24.0 `deploy/crds/trust.cert-manager.io_bundles.yaml`",
            ));
            s.decisions.push(decision(
                "The Bundle takes the current anchor by name and a previous anchor by label (`clusterwright.io/linkerd-previous-anchor: \"true\"`), which only the rotation procedure's Secret linkerd/linkerd-previous-anchor carries.",
                "A named source that does not exist fails the whole Bundle, while a selector that matches nothing is skipped: outside a rotation no Secret has to exist, and the procedure copies only the old anchor's certificate, never its private key.",
                "cert-manager/trust-manager@v0.24.0 `pkg/bundle/internal/source/source.go`",
            ));
            s.decisions.push(decision(
                "cert-manager and trust-manager with `global.rbac.aggregateClusterRoles: false`.",
                "By default cert-manager adds Certificate rights to the built-in admin and edit roles, so every namespace admin (the linkerd namespace's included) could request certificates.",
                "cert-manager v1.21.1 chart `templates/rbac.yaml`",
            ));
            s.decisions.push(decision(
                "`proxy.defaultInboundPolicy: all-authenticated`; three controller replicas with anti-affinity and disruption budgets; `webhookFailurePolicy: Fail` with the proxy injector limited to tenant namespaces.",
                "Meshed pods accept only mesh clients. A tenant pod is never created without its proxy, and an injector outage cannot block system namespaces.",
                "linkerd/website `2-edge/reference/authorization-policy.md`; linkerd2@edge-26.8.3 `charts/linkerd-control-plane/values-ha.yaml`",
            ));
            s.decisions.push(if cloud == Cloud::Gcp {
                decision(
                    "Gateway API CRDs from GKE (`installGatewayAPI: false`).",
                    "Linkerd 2.20 needs Gateway API 1.2.1 to 1.5.1; GKE manages these CRDs when the Gateway API is enabled on the cluster, and a second copy would fight it.",
                    "linkerd/website `2-edge/features/gateway-api.md`",
                )
            } else {
                decision(
                    "Gateway API v1.2.1 CRDs applied by the linkerd-crds release's presync hook (`installGatewayAPI: false`).",
                    "Linkerd 2.20 needs Gateway API 1.2.1 to 1.5.1 and recommends 1.2.1; the chart would install older ones.",
                    "linkerd/website `2-edge/features/gateway-api.md`",
                )
            });
            if cloud == Cloud::Gcp {
                s.infrastructure
                    .push("The Gateway API enabled on the cluster (standard channel).".to_owned());
                s.infrastructure.push("Private clusters: a firewall rule from the control plane's range to the nodes on TCP 6443 (trust-manager's webhook), 8443 (Linkerd's proxy injector and service-profile validator) and 9443 (Linkerd's policy validator).".to_owned());
            }
        }
    }
}

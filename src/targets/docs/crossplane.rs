//! What the README and DECISIONS.md say about the Crossplane target: what it does not build
//! that the Terraform target does (with the reason), and what it decides differently because
//! a control plane reconciles instead of applying in order. The Crossplane target's own
//! output is checked against these words (tests/crossplane_runtime.rs, the parity test), and
//! `generate` warns of each gap of a cloud it emits Crossplane for ([`warnings`]).

use crate::cloud::Cloud;
use crate::plan::Plan;
use crate::plan::encryption::Cni;
use crate::plan::resources::EnvironmentCloud;

/// Something the Terraform target builds on a cloud and the Crossplane target does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// What is not built, as a noun phrase naming the Terraform resource type.
    pub what: &'static str,
    /// Why, and what to do instead.
    pub why: &'static str,
}

impl Gap {
    /// The README's line for the gap on `cloud`.
    pub fn readme(&self, cloud: Cloud) -> String {
        format!("{}: {}: {}", label(cloud), self.what, self.why)
    }

    /// The one-line warning `generate` prints for the gap on `cloud`.
    pub fn warning(&self, cloud: Cloud) -> String {
        format!(
            "warning: Crossplane on {} does not build {} (README.md, \"What Crossplane does not build\", says why and what to do)",
            label(cloud),
            self.what
        )
    }
}

/// How the README names `cloud`.
fn label(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "AWS",
        Cloud::Gcp => "GCP",
        Cloud::Azure => "Azure",
    }
}

/// The clouds `plan` emits Crossplane for: those of its environments with clusters, sorted.
pub fn clouds(plan: &Plan) -> Vec<Cloud> {
    let mut clouds: Vec<Cloud> = plan
        .environments
        .iter()
        .filter(|e| !e.clusters.is_empty())
        .map(|e| e.cloud)
        .collect();
    clouds.sort();
    clouds.dedup();
    clouds
}

/// The warnings `generate` prints for `plan`: one line per gap of `plan`'s Crossplane output
/// ([`gaps_of`]), so no gap is dropped silently (the README says why).
pub fn warnings(plan: &Plan) -> Vec<String> {
    // The module declares the VPC Encryption Control for every AWS environment (the README
    // lists the gap), but creates it only under `cloud-hardware`: warned only then.
    let nitro = plan.environments.iter().any(|e| {
        matches!(&e.resources.cloud, EnvironmentCloud::Aws(aws) if aws.nitro)
            && !e.clusters.is_empty()
    });
    // Likewise the ENIConfigs: the README lists them, `generate` warns where a cluster
    // runs the VPC CNI.
    let vpc_cni = plan
        .clusters
        .iter()
        .any(|c| c.cloud == Cloud::Aws && c.networking.cni != Cni::Cilium);
    gaps_of(plan)
        .into_iter()
        .filter(|(_, gap)| nitro || *gap != VPC_ENCRYPTION_CONTROL)
        .filter(|(_, gap)| vpc_cni || *gap != VPC_CNI_ENI_CONFIGS)
        .map(|(cloud, gap)| gap.warning(cloud))
        .collect()
}

/// The gaps of `plan`'s Crossplane output, by cloud in the order aws, gcp, azure: those of
/// every cloud it emits Crossplane for ([`gaps`]), and first on Azure [`PLATFORM_KEYS`] when
/// an Azure environment with clusters names no `directory`.
pub fn gaps_of(plan: &Plan) -> Vec<(Cloud, Gap)> {
    let mut out = Vec::new();
    for cloud in clouds(plan) {
        let without_directory = plan
            .environments
            .iter()
            .any(|e| e.cloud == cloud && !e.clusters.is_empty() && e.directory.is_none());
        if cloud == Cloud::Azure && without_directory {
            out.push((cloud, PLATFORM_KEYS));
        }
        if cloud == Cloud::Aws {
            out.push((cloud, VPC_ENCRYPTION_CONTROL));
        }
        out.extend(gaps(cloud).iter().map(|gap| (cloud, *gap)));
    }
    out
}

/// The VPC Encryption Control of an AWS environment under `encryption: cloud-hardware`.
pub const VPC_ENCRYPTION_CONTROL: Gap = Gap {
    what: "the VPC Encryption Control of `encryption: cloud-hardware` (`aws_vpc_encryption_control`, monitor mode)",
    why: "provider-upjet-aws v2.6.0 has no kind for it. Flow logs still record `encryption-status`; create the control with the AWS CLI (`aws ec2 create-vpc-encryption-control`) or with Terraform.",
};

/// The VPC CNI's ENIConfigs of an AWS cluster without Cilium (custom networking).
pub const VPC_CNI_ENI_CONFIGS: Gap = Gap {
    what: "the VPC CNI's ENIConfigs of a cluster without Cilium (one per zone, named after the zone: its pod subnet and the cluster security group; the `eniConfig` configuration of the `vpc-cni` add-on, `aws_eks_addon`, in the Terraform target)",
    why: "they name the pod subnets' ids and the zones' names, which a composite resource does not know when it is written. The add-on runs with custom networking on, so pods get no address until they exist: before annotating the node groups `clusterwright.io/cni-ready`, apply one `crd.k8s.amazonaws.com/v1alpha1` ENIConfig per zone (`metadata.name`: the zone's name, `spec.subnet`: the id of the subnet `<cluster>-pods-<n>` in it, `spec.securityGroups`: the cluster security group).",
};

/// The customer-managed keys of an Azure environment that names no `directory`.
pub const PLATFORM_KEYS: Gap = Gap {
    what: "the customer-managed keys (Key Vault, disk key, disk encryption set, the etcd KMS key and their role assignments) of an environment that names no Entra ID `directory`",
    why: "a Key Vault needs the directory (tenant) id, which Terraform reads from its credentials and a Crossplane manifest must state. Such clusters keep Azure's platform-managed keys for disks and etcd; name `environments.<env>.directory` in the blueprint (for new clusters: AKS cannot change a cluster's disk encryption set), or provision with Terraform.",
};

/// What the Crossplane target does not build on `cloud` that the Terraform target does, each
/// with the reason: the README lists them (a test holds them to the Terraform resource kinds).
pub fn gaps(cloud: Cloud) -> &'static [Gap] {
    match cloud {
        Cloud::Aws => &[
            Gap {
                what: "the rule that admits 443 from the whole VPC to the cluster's security group (`aws_vpc_security_group_ingress_rule`)",
                why: "a composite resource knows its cluster's range, not the VPC's, so a runner must sit in the cluster's node subnets to reach the private endpoint.",
            },
            Gap {
                what: "the secrets key's alias (`aws_kms_alias`)",
                why: "a name only; the key carries the cluster's tags.",
            },
            VPC_CNI_ENI_CONFIGS,
        ],
        Cloud::Gcp => &[Gap {
            what: "the GKE service agent (`google_project_service_identity`, google-beta only)",
            why: "it appears when the container API is enabled (`network.yaml` enables it); the key grant is retried until it exists.",
        }],
        Cloud::Azure => &[
            Gap {
                what: "the cluster-admin role assignments for `access.admins` and the custom role for `az aks command invoke`",
                why: "grant `Azure Kubernetes Service RBAC Cluster Admin` on the cluster by hand.",
            },
            Gap {
                what: "the Container Insights data collection rule and its association, and the security rules of each cluster's subnet (the isolation-partition and load-balancer rules)",
                why: "not composed yet; the subnet's security group has Azure's default rules only.",
            },
        ],
    }
}
/// How the Crossplane target decides differently from the Terraform target on `cloud`,
/// because a control plane reconciles instead of applying in order: DECISIONS.md lists them.
pub fn decisions(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::Aws => &[
            "EKS day 0 waits for two signals the operator sets: node groups are created once their `KubernetesNodeGroup` is annotated `clusterwright.io/cni-ready`, CoreDNS and the EBS CSI driver once the `KubernetesCluster` is annotated `clusterwright.io/nodes-ready`. Why: the clusters have no self-managed add-ons, so nodes stay NotReady until Cilium or the VPC CNI runs, EKS fails such a node group for good after about 20 minutes (`CREATE_FAILED`, it must be recreated), and a missing annotation waits where a race would fail. A node group is ready only when EKS reports it `ACTIVE`: the provider reports any node group that exists as available. Source: provider-upjet-aws `config/namespaced/eks/config.go` (`ExternalNameIfClusterActive`), crossplane/upjet `pkg/controller/external_tfpluginsdk.go`, terraform-aws-modules/terraform-aws-eks#1910.",
            "EKS administrators are access entries with `AmazonEKSClusterAdminPolicy` (the environment's `access.admins`, or the provisioning role), and the creator is none (`bootstrapClusterCreatorAdminPermissions: false`, which cannot change after creation), as in the Terraform target.",
        ],
        Cloud::Gcp => &[],
        Cloud::Azure => &[
            "Azure customer-managed keys (environments that name their `directory`): each cluster composes its own disk encryption set on the environment's disk key, where Terraform has one per environment, because the set's identity must be granted Key Vault Crypto Service Encryption User and only a Composition can pass a principal id between resources (`RoleAssignment` has no reference to a principal). The cluster is created only once its keys and their three grants exist (`status.azure.keysReady`): AKS cannot change a cluster's disk encryption set afterwards. The Crossplane service principal needs Key Vault Crypto Officer on the environment's resource group (`environment.yaml` gives the command), which Terraform grants its applier itself.",
            "Azure resource providers are registered by `ResourceProviderRegistration`s named by their id, so a registered one is adopted, and never deleted: unregistering acts on the whole subscription.",
        ],
    }
}

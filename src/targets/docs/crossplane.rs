//! What the README and DECISIONS.md say about the Crossplane target: what it does not build
//! that the Terraform target does (with the reason), and what it decides differently because
//! a control plane reconciles instead of applying in order. The Crossplane target's own
//! output is checked against these words (tests/crossplane_runtime.rs, the parity test).

use crate::cloud::Cloud;

/// What the Crossplane target does not build on `cloud` that the Terraform target does, each
/// with the reason: the README lists them (a test holds them to the Terraform resource kinds).
pub fn gaps(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::Aws => &[
            "AWS, `encryption: cloud-hardware`: the VPC Encryption Control (`aws_vpc_encryption_control`, monitor mode): provider-upjet-aws v2.6.0 has no kind for it. Flow logs still record `encryption-status`; create the control with the AWS CLI (`aws ec2 create-vpc-encryption-control`) or with Terraform.",
            "AWS: the rule that admits 443 from the whole VPC to the cluster's security group (`aws_vpc_security_group_ingress_rule`): a composite resource knows its cluster's range, not the VPC's, so a runner must sit in the cluster's node subnets to reach the private endpoint.",
            "AWS: the secrets key's alias (`aws_kms_alias`): a name only; the key carries the cluster's tags.",
        ],
        Cloud::Gcp => &[
            "GCP: the GKE service agent (`google_project_service_identity`, google-beta only): it appears when the container API is enabled (`network.yaml` enables it); the key grant is retried until it exists.",
        ],
        Cloud::Azure => &[
            "Azure: the customer-managed keys (Key Vault, disk key, disk encryption set, the etcd KMS key and their role assignments): a Key Vault needs the environment's Entra ID `directory` and a data-plane role for the identity that creates keys, which this target does not carry yet. AKS disks use platform-managed keys and etcd has no KMS key under Crossplane; provision with Terraform where the blueprint requires customer-managed keys.",
            "Azure: the cluster-admin role assignments for `access.admins` and the custom role for `az aks command invoke`: grant `Azure Kubernetes Service RBAC Cluster Admin` on the cluster by hand.",
            "Azure: the Container Insights data collection rule and its association, and the security rules of each cluster's subnet (the isolation-partition and load-balancer rules): not composed yet; the subnet's security group has Azure's default rules only.",
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
            "Azure resource providers are registered by `ResourceProviderRegistration`s named by their id, so a registered one is adopted, and never deleted: unregistering acts on the whole subscription.",
        ],
    }
}

//! Domain facts about the three managed Kubernetes services: quotas, name and id shapes,
//! and which instance types the cloud encrypts on the wire.
//!
//! Stage: shared by `blueprint::validate` (to refuse what a cloud cannot do) and `plan` (to
//! size clusters within the service limits). Pure data and pure functions; every figure
//! names its source so a reviewer can check it (see `../shared/domain/FACTS.md`).

use super::Cloud;

/// The limits of one managed Kubernetes service that bound how a cluster is packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Node groups (node pools) per cluster, the system group included; `None` where the
    /// service publishes no such limit.
    pub node_groups_per_cluster: Option<u32>,
    /// Nodes in one node group.
    pub nodes_per_group: u32,
    /// Nodes in one cluster.
    pub nodes_per_cluster: u32,
    /// Where the figures come from.
    pub source: &'static str,
}

/// The default quotas of the managed service of `cloud`.
///
/// - EKS: 30 managed node groups per cluster, 450 nodes per group (EKS service quotas,
///   adjustable); nodes per cluster bounded by the upstream 5,000-node envelope.
/// - GKE Standard: 1,000 nodes per node pool, 15,000 nodes per cluster; no node-pool
///   count limit is published.
/// - AKS: 100 node pools per cluster, 1,000 nodes per pool, 5,000 nodes per cluster.
pub fn quotas(cloud: Cloud) -> Quotas {
    match cloud {
        Cloud::Aws => Quotas {
            node_groups_per_cluster: Some(30),
            nodes_per_group: 450,
            nodes_per_cluster: 5_000,
            source: "EKS service quotas (30 managed node groups per cluster, 450 nodes per node group); Kubernetes large-cluster envelope (5,000 nodes)",
        },
        Cloud::Gcp => Quotas {
            node_groups_per_cluster: None,
            nodes_per_group: 1_000,
            nodes_per_cluster: 15_000,
            source: "GKE quotas (1,000 nodes per node pool, 15,000 nodes per cluster)",
        },
        Cloud::Azure => Quotas {
            node_groups_per_cluster: Some(100),
            nodes_per_group: 1_000,
            nodes_per_cluster: 5_000,
            source: "AKS quotas (100 node pools per cluster, 1,000 nodes per pool, 5,000 nodes per cluster)",
        },
    }
}

/// The availability zones every cluster spreads over: its subnets (AWS), node pools (GKE's
/// regional pools) and node pools' zones (AKS).
pub const ZONES: u32 = 3;

/// Nodes of the system node group every cluster gets next to its tenants' groups (it runs
/// CoreDNS, the CNI operator, the mesh control plane). Three, one per availability zone.
pub const SYSTEM_NODES: u32 = 3;

/// Instance type of the system node group: small general-purpose machines that the cloud
/// also encrypts on the wire, so `cloud-hardware` encryption holds on them too.
pub fn system_instance_type(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "m6i.large",
        Cloud::Gcp => "n2-standard-4",
        Cloud::Azure => "Standard_D4s_v5",
    }
}

/// What the identifier of a cloud account looks like, for error messages.
pub fn account_shape(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "an AWS account id: exactly 12 digits, quoted (\"111111111111\")",
        Cloud::Gcp => {
            "a GCP project id: 6 to 30 characters, lowercase letters, digits and `-`, starting with a letter and not ending with `-`"
        }
        Cloud::Azure => {
            "an Azure subscription id: a UUID such as 00000000-0000-0000-0000-000000000000"
        }
    }
}

/// Whether `account` has the shape of an account identifier on `cloud`.
pub fn is_valid_account(cloud: Cloud, account: &str) -> bool {
    match cloud {
        Cloud::Aws => account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
        Cloud::Gcp => {
            (6..=30).contains(&account.len())
                && account.starts_with(|c: char| c.is_ascii_lowercase())
                && !account.ends_with('-')
                && account
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }
        Cloud::Azure => is_uuid(account),
    }
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What a region name looks like on `cloud`, for error messages.
pub fn region_shape(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "an AWS region such as `eu-central-1`",
        Cloud::Gcp => "a GCP region such as `europe-west3`",
        Cloud::Azure => "an Azure region such as `westeurope`",
    }
}

/// Whether `region` has the shape of a region name on `cloud`. Only the shape is checked:
/// new regions appear every year and the tool must not go stale with them.
pub fn is_valid_region(cloud: Cloud, region: &str) -> bool {
    let lower_alnum = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    match cloud {
        // eu-central-1, us-gov-west-1, ap-southeast-4
        Cloud::Aws => {
            let parts: Vec<&str> = region.split('-').collect();
            parts.len() >= 3
                && parts
                    .first()
                    .is_some_and(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
                && parts
                    .last()
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                && parts.iter().all(|p| lower_alnum(p))
        }
        // europe-west3, us-central1, northamerica-northeast1
        Cloud::Gcp => {
            let parts: Vec<&str> = region.split('-').collect();
            parts.len() == 2
                && parts
                    .first()
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
                && parts.get(1).is_some_and(|p| {
                    p.starts_with(|c: char| c.is_ascii_lowercase())
                        && p.ends_with(|c: char| c.is_ascii_digit())
                        && lower_alnum(p)
                })
        }
        // westeurope, eastus2, germanywestcentral
        Cloud::Azure => region.starts_with(|c: char| c.is_ascii_lowercase()) && lower_alnum(region),
    }
}

/// What an instance type looks like on `cloud`, for error messages.
pub fn instance_shape(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "an EC2 instance type such as `m6i.xlarge` (family, a dot, size)",
        Cloud::Gcp => "a Compute Engine machine type such as `n2-standard-4`",
        Cloud::Azure => "an Azure VM size such as `Standard_D4s_v5`",
    }
}

/// Whether `instance_type` has the shape of an instance type on `cloud`.
pub fn is_valid_instance_type(cloud: Cloud, instance_type: &str) -> bool {
    match cloud {
        Cloud::Aws => aws_family(instance_type).is_some(),
        Cloud::Gcp => {
            instance_type.starts_with(|c: char| c.is_ascii_lowercase())
                && instance_type.contains('-')
                && !instance_type.ends_with('-')
                && instance_type
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }
        Cloud::Azure => azure_series(instance_type).is_some(),
    }
}

/// The family of an EC2 instance type (`m6i` of `m6i.xlarge`), if it has the shape of one.
fn aws_family(instance_type: &str) -> Option<&str> {
    let (family, size) = instance_type.split_once('.')?;
    let ok_family = family.starts_with(|c: char| c.is_ascii_lowercase())
        && family
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_size = !size.is_empty()
        && size
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (ok_family && ok_size).then_some(family)
}

/// An Azure VM size taken apart: `Standard_D4ads_v5` is family `D`, features `ads`,
/// version 5.
#[derive(Debug, PartialEq, Eq)]
struct AzureSeries<'a> {
    family: &'a str,
    features: &'a str,
    version: Option<u32>,
}

fn azure_series(size: &str) -> Option<AzureSeries<'_>> {
    let rest = size.strip_prefix("Standard_")?;
    let (head, version) = match rest.rsplit_once("_v") {
        Some((head, v)) => (head, Some(v.parse().ok()?)),
        None => (rest, None),
    };
    // Accelerator suffixes (`_A100`) belong to the head; drop them for the series.
    let head = head.split('_').next()?;
    let family_len = head.bytes().take_while(u8::is_ascii_uppercase).count();
    let (family, tail) = head.split_at(family_len);
    let digits = tail
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'-')
        .count();
    let (cpus, features) = tail.split_at(digits);
    let ok =
        !family.is_empty() && !cpus.is_empty() && features.bytes().all(|b| b.is_ascii_lowercase());
    ok.then_some(AzureSeries {
        family,
        features,
        version,
    })
}

/// Where the lists of instance types that encrypt on the wire come from.
pub fn in_transit_source(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => {
            "EC2 'encryption in transit' (Nitro) instance families; confirm with `aws ec2 describe-instance-types --filters Name=network-info.encryption-in-transit-supported,Values=true`"
        }
        Cloud::Gcp => {
            "GKE inter-node transparent encryption (Dataplane V2); Compute Engine does not depend on the machine type for it"
        }
        Cloud::Azure => {
            "Azure Virtual Network encryption (DTLS between VMs) supported VM series, with Accelerated Networking"
        }
    }
}

/// EC2 families whose traffic between instances Nitro encrypts on the wire.
///
/// From the EC2 user guide, "Encryption in transit" (FACTS.md §6, marked unverified there:
/// a third-party copy of the list). The list only grows; a family missing here is refused
/// with a hint to check it with the AWS CLI and to waive `cloud-hardware-instance` if AWS
/// confirms it.
const AWS_IN_TRANSIT_FAMILIES: &[&str] = &[
    // general purpose
    "m5dn", "m5n", "m5zn", "m6a", "m6i", "m6id", "m6idn", "m6in", "m7a", "m7g", "m7gd", "m7i",
    "m7i-flex", "m8a", "m8g", "m8gd", "m8i", "m8i-flex", // compute optimized
    "c5n", "c6a", "c6gn", "c6i", "c6id", "c6in", "c7a", "c7g", "c7gd", "c7gn", "c7i", "c7i-flex",
    "c8g", "c8gd", "c8i", // memory optimized
    "r5dn", "r5n", "r6a", "r6i", "r6id", "r6idn", "r6in", "r7a", "r7g", "r7gd", "r7i", "r7iz",
    "r8g", "r8i", "x2idn", "x2iedn", "x2iezn", // storage optimized
    "d3", "d3en", "i3en", "i4g", "i4i", "i7i", // accelerated computing
    "g4ad", "g4dn", "g5", "g6", "g6e", "inf1", "inf2", "p3dn", "p4d", "p5", "trn1", "trn2",
    // high-performance computing
    "hpc6a", "hpc7a", "hpc7g",
];

/// Azure VM series that support Virtual Network encryption, as family + features +
/// version (`Dsv5` is `Standard_D<n>s_v5`), from "What is Azure Virtual Network
/// encryption?" (learn.microsoft.com, requirements section).
const AZURE_VNET_ENCRYPTION_SERIES: &[&str] = &[
    "Dv4", "Dsv4", "Ddv4", "Ddsv4", "Dav4", "Dasv4", "Dv5", "Dsv5", "Ddv5", "Ddsv5", "Dlsv5",
    "Dldsv5", "Dasv5", "Dadsv5", "Dasv6", "Dadsv6", "Dalsv6", "Daldsv6", "Dsv6", "Ev4", "Esv4",
    "Edv4", "Edsv4", "Eav4", "Easv4", "Ev5", "Esv5", "Edv5", "Edsv5", "Easv5", "Eadsv5", "Easv6",
    "Eadsv6", "Mv2", "Msv2", "Mdsv2", "Msv3", "Mdsv3", "Lsv3", "Falsv6", "Famsv6", "Fasv6",
];

/// Whether the cloud encrypts the traffic of `instance_type` on the wire.
///
/// GCP: the transparent encryption GKE offers (inter-node, Dataplane V2) does not depend on
/// the machine type, so every machine type qualifies.
pub fn encrypts_in_transit(cloud: Cloud, instance_type: &str) -> bool {
    match cloud {
        Cloud::Aws => {
            aws_family(instance_type).is_some_and(|f| AWS_IN_TRANSIT_FAMILIES.contains(&f))
        }
        Cloud::Gcp => true,
        Cloud::Azure => azure_series(instance_type).is_some_and(|s| {
            let Some(version) = s.version else {
                return false;
            };
            // The M series names its memory variant with `m` (Standard_M64ms_v2 is Msv2).
            let features: String = if s.family == "M" {
                s.features.chars().filter(|c| *c != 'm').collect()
            } else {
                s.features.to_owned()
            };
            let series = format!("{}{}v{}", s.family, features, version);
            AZURE_VNET_ENCRYPTION_SERIES.contains(&series.as_str())
        }),
    }
}

/// A few instance types of `cloud` that do encrypt on the wire, for hints.
pub fn in_transit_examples(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Aws => "`m6i.xlarge`, `m7g.xlarge`, `c6in.2xlarge`, `r6i.xlarge`",
        Cloud::Gcp => "any machine type",
        Cloud::Azure => "`Standard_D4s_v5`, `Standard_D4ds_v5`, `Standard_E4s_v5`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_accounts_are_twelve_digits() {
        assert!(is_valid_account(Cloud::Aws, "111111111111"));
        assert!(!is_valid_account(Cloud::Aws, "11111111111"));
        assert!(!is_valid_account(Cloud::Aws, "11111111111a"));
    }

    #[test]
    fn gcp_project_ids() {
        assert!(is_valid_account(Cloud::Gcp, "acme-prod-4711"));
        assert!(!is_valid_account(Cloud::Gcp, "acme"));
        assert!(!is_valid_account(Cloud::Gcp, "Acme-prod"));
        assert!(!is_valid_account(Cloud::Gcp, "acme-prod-"));
        assert!(!is_valid_account(Cloud::Gcp, "4711-acme"));
    }

    #[test]
    fn azure_subscriptions_are_uuids() {
        assert!(is_valid_account(
            Cloud::Azure,
            "0b1f6471-1bf0-4dda-aec3-111122223333"
        ));
        assert!(!is_valid_account(Cloud::Azure, "0b1f6471-1bf0-4dda-aec3"));
        assert!(!is_valid_account(
            Cloud::Azure,
            "0b1f6471-1bf0-4dda-aec3-11112222333z"
        ));
    }

    #[test]
    fn regions_have_the_shape_of_their_cloud() {
        assert!(is_valid_region(Cloud::Aws, "eu-central-1"));
        assert!(is_valid_region(Cloud::Aws, "us-gov-west-1"));
        assert!(!is_valid_region(Cloud::Aws, "europe-west3"));
        assert!(is_valid_region(Cloud::Gcp, "europe-west3"));
        assert!(is_valid_region(Cloud::Gcp, "northamerica-northeast1"));
        assert!(!is_valid_region(Cloud::Gcp, "eu-central-1"));
        assert!(is_valid_region(Cloud::Azure, "westeurope"));
        assert!(is_valid_region(Cloud::Azure, "eastus2"));
        assert!(!is_valid_region(Cloud::Azure, "West Europe"));
    }

    #[test]
    fn instance_types_have_the_shape_of_their_cloud() {
        assert!(is_valid_instance_type(Cloud::Aws, "m6i.xlarge"));
        assert!(is_valid_instance_type(Cloud::Aws, "m7i-flex.large"));
        assert!(!is_valid_instance_type(Cloud::Aws, "n2-standard-4"));
        assert!(is_valid_instance_type(Cloud::Gcp, "n2-standard-4"));
        assert!(!is_valid_instance_type(Cloud::Gcp, "m6i.xlarge"));
        assert!(is_valid_instance_type(Cloud::Azure, "Standard_D4s_v5"));
        assert!(is_valid_instance_type(
            Cloud::Azure,
            "Standard_NC24ads_A100_v4"
        ));
        assert!(!is_valid_instance_type(Cloud::Azure, "D4s_v5"));
    }

    #[test]
    fn nitro_families_encrypt_and_burstable_ones_do_not() {
        assert!(encrypts_in_transit(Cloud::Aws, "m6i.xlarge"));
        assert!(encrypts_in_transit(Cloud::Aws, "m7i-flex.2xlarge"));
        assert!(!encrypts_in_transit(Cloud::Aws, "m5.xlarge"));
        assert!(!encrypts_in_transit(Cloud::Aws, "t3.large"));
    }

    #[test]
    fn azure_vnet_encryption_series() {
        assert!(encrypts_in_transit(Cloud::Azure, "Standard_D4s_v5"));
        assert!(encrypts_in_transit(Cloud::Azure, "Standard_D8ads_v5"));
        assert!(encrypts_in_transit(Cloud::Azure, "Standard_E16s_v4"));
        assert!(encrypts_in_transit(Cloud::Azure, "Standard_M64ms_v2"));
        assert!(encrypts_in_transit(Cloud::Azure, "Standard_F4as_v6"));
        assert!(!encrypts_in_transit(Cloud::Azure, "Standard_D4s_v3"));
        assert!(!encrypts_in_transit(Cloud::Azure, "Standard_B2s"));
    }
}

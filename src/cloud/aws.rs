//! AWS facts and names: partitions, zone IDs, AMI types, and the name of every AWS
//! resource a cluster or environment has, each built in one function.

/// The AWS partition of `region`: GovCloud and China have their own.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// The EKS AMI type (Amazon Linux 2023; the values of the EKS API's `AMITypes`, as the
/// CDK's `NodegroupAmiType` lists them) for `instance_type`: Arm for Graviton families
/// (a `g` among the letters after the generation: `m7g`, `c6gn`, `r8gd`, and `a1`), the
/// NVIDIA variant for the NVIDIA GPU families (`g…`, `p…`, not the AMD `g4ad`), the Neuron
/// variant for Inferentia and Trainium (`inf…`, `trn…`), the standard x86 one otherwise.
pub fn ami_type(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or_default();
    let split = family
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(family.len());
    let (prefix, rest) = family.split_at(split);
    let attributes = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let attributes = attributes.split('-').next().unwrap_or_default();
    let arm = attributes.contains('g') || prefix == "a";
    let nvidia = matches!(prefix, "g" | "p") && !attributes.contains('a');
    match (arm, nvidia) {
        (true, true) => "AL2023_ARM_64_NVIDIA",
        (true, false) => "AL2023_ARM_64_STANDARD",
        (false, true) => "AL2023_x86_64_NVIDIA",
        (false, false) if matches!(prefix, "inf" | "trn") => "AL2023_x86_64_NEURON",
        (false, false) => "AL2023_x86_64_STANDARD",
    }
}

/// AWS availability zone IDs of `region` for a cluster's three subnets.
///
/// A zone ID is `<region code>-az<n>` (`eu-central-1` is `euc1`). Where a region's first
/// three zone IDs include one that EKS or current instance types do not support, the table
/// skips it: us-east-1 `use1-az3` (no EKS control plane, no newer instance families),
/// ca-central-1 `cac1-az3` and ap-northeast-1 `apne1-az3` (not offered to new accounts).
/// us-west-1 offers new accounts two zones: too few. Other regions take az1–az3.
pub fn zone_ids(region: &str) -> Vec<String> {
    let Some(code) = region_code(region) else {
        return Vec::new();
    };
    let numbers: &[u32] = match region {
        "us-east-1" | "ca-central-1" | "ap-northeast-1" => &[1, 2, 4],
        "us-west-1" => &[1, 3],
        _ => &[1, 2, 3],
    };
    numbers.iter().map(|n| format!("{code}-az{n}")).collect()
}

/// The code of an AWS region in its zone IDs: the area, the initials of the direction,
/// the number (`ap-southeast-2` is `apse2`, `us-gov-west-1` is `usgw1`).
fn region_code(region: &str) -> Option<String> {
    let parts: Vec<&str> = region.split('-').collect();
    let (area, rest) = parts.split_first()?;
    let (number, words) = rest.split_last()?;
    let mut code = (*area).to_owned();
    for word in words {
        let short = match *word {
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            other => other.get(..1)?,
        };
        code.push_str(short);
    }
    code.push_str(number);
    Some(code)
}

/// The EKS add-ons every cluster gets, besides the CNI's: DNS and the EBS CSI driver (no
/// PersistentVolumeClaim binds without it: the in-tree EBS provisioner is migrated to CSI).
pub const ADDONS: &[&str] = &["coredns", "aws-ebs-csi-driver"];

/// The EKS add-ons of a cluster whose CNI is the AWS VPC CNI (not Cilium).
pub const VPC_CNI_ADDONS: &[&str] = &["vpc-cni", "kube-proxy"];

/// The version of EKS add-on `addon` for Kubernetes minor `kubernetes`, pinned so that an
/// unrelated apply never upgrades an add-on: a bump is a reviewed change of this table.
/// `None` where no version was found in AWS's documentation: the module then asks EKS for
/// the default version of that Kubernetes minor (`most_recent = false`), which moves only
/// when AWS changes the default.
///
/// Sources (the "latest version of the Amazon EKS add-on type" tables, read 2026):
/// - kube-proxy: <https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html>
///   (1.33 `v1.33.5-eksbuild.2`; 1.32 `v1.32.9-eksbuild.2` from the same page's
///   docs.amazonaws.cn copy of the same revision).
/// - CoreDNS: <https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html>.
/// - Amazon VPC CNI: <https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html>
///   (one version for 1.27–1.33).
/// - aws-ebs-csi-driver: no per-Kubernetes table found in the documentation stored for this
///   tool: `None`.
pub fn addon_version(addon: &str, kubernetes: &str) -> Option<&'static str> {
    match (addon, kubernetes) {
        ("kube-proxy", "1.33") => Some("v1.33.5-eksbuild.2"),
        ("kube-proxy", "1.32") => Some("v1.32.9-eksbuild.2"),
        ("coredns", "1.33") => Some("v1.12.4-eksbuild.1"),
        ("coredns", "1.32" | "1.31" | "1.30" | "1.29") => Some("v1.11.4-eksbuild.24"),
        ("vpc-cni", "1.33" | "1.32" | "1.31" | "1.30" | "1.29" | "1.28" | "1.27") => {
            Some("v1.20.1-eksbuild.3")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_skip_zones_eks_cannot_use() {
        assert_eq!(
            zone_ids("eu-central-1"),
            ["euc1-az1", "euc1-az2", "euc1-az3"]
        );
        assert_eq!(zone_ids("us-east-1"), ["use1-az1", "use1-az2", "use1-az4"]);
        assert_eq!(zone_ids("ap-southeast-2")[0], "apse2-az1");
        assert_eq!(zone_ids("us-gov-west-1")[2], "usgw1-az3");
        assert_eq!(zone_ids("us-west-1").len(), 2);
    }

    #[test]
    fn addon_versions_are_pinned_for_the_blueprints_kubernetes_versions() {
        for kubernetes in ["1.32", "1.33"] {
            for addon in ["coredns", "kube-proxy", "vpc-cni"] {
                let version = addon_version(addon, kubernetes).unwrap_or_default();
                assert!(version.contains("-eksbuild."), "{addon} {kubernetes}");
            }
        }
        assert_eq!(
            addon_version("kube-proxy", "1.33"),
            Some("v1.33.5-eksbuild.2")
        );
        // No documented table: EKS's default for the minor.
        assert_eq!(addon_version("aws-ebs-csi-driver", "1.33"), None);
        assert_eq!(addon_version("coredns", "1.99"), None);
    }

    #[test]
    fn ami_types_follow_architecture_and_accelerator() {
        for (instance_type, ami) in [
            ("m6i.xlarge", "AL2023_x86_64_STANDARD"),
            ("m7i-flex.large", "AL2023_x86_64_STANDARD"),
            ("c6in.4xlarge", "AL2023_x86_64_STANDARD"),
            ("m7g.xlarge", "AL2023_ARM_64_STANDARD"),
            ("c7gn.large", "AL2023_ARM_64_STANDARD"),
            ("r8gd.2xlarge", "AL2023_ARM_64_STANDARD"),
            ("a1.large", "AL2023_ARM_64_STANDARD"),
            ("g5.xlarge", "AL2023_x86_64_NVIDIA"),
            ("p4d.24xlarge", "AL2023_x86_64_NVIDIA"),
            ("g5g.xlarge", "AL2023_ARM_64_NVIDIA"),
            ("g4ad.xlarge", "AL2023_x86_64_STANDARD"),
            ("inf2.xlarge", "AL2023_x86_64_NEURON"),
            ("trn1.2xlarge", "AL2023_x86_64_NEURON"),
        ] {
            assert_eq!(ami_type(instance_type), ami, "{instance_type}");
        }
    }
}

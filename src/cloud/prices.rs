//! List prices of what an isolation decision adds: the managed services' per-cluster
//! management fee. Facts with their sources and the date they were read; an estimate, not a
//! bill (no taxes, discounts, commitments or currency conversion; instance, storage and
//! network prices are left out, since they vary by region and no offline source gives them).
//!
//! Stage: used by `plan` to put a price on the clusters each constraint adds. Pure data.

use serde::Serialize;

use super::Cloud;

/// The day the prices below were read.
pub const READ_ON: &str = "2026-12-03";

/// Hours in a month for monthly figures: 365 × 24 / 12, the month the clouds' own
/// calculators use.
pub const HOURS_PER_MONTH: u32 = 730;

/// The management fee of one cluster of the managed service of a cloud, at the tier the
/// generated Terraform and Crossplane create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagementFee {
    /// The cloud.
    pub cloud: Cloud,
    /// The service.
    pub service: &'static str,
    /// The tier or support level the generated clusters have, and why.
    pub tier: &'static str,
    /// List price per cluster-hour, in US cents.
    pub cents_per_hour: u32,
    /// Where the price was read.
    pub source: &'static str,
    /// What the price leaves out, or what was not verified.
    pub note: &'static str,
}

impl ManagementFee {
    /// The fee of one cluster for a month of [`HOURS_PER_MONTH`], in US cents.
    pub fn cents_per_month(&self) -> i64 {
        i64::from(self.cents_per_hour) * i64::from(HOURS_PER_MONTH)
    }
}

/// The management fee of a cluster on `cloud`, as generated.
///
/// - EKS: $0.10 per cluster-hour while the cluster's Kubernetes version is in standard
///   support, $0.60 in extended support (AWS, "Amazon EKS extended support for Kubernetes
///   versions pricing",
///   <https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/>).
///   The Terraform sets `upgrade_policy { support_type = "STANDARD" }`, under which EKS
///   upgrades the cluster at the end of standard support instead of moving it into extended
///   support (<https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html>).
///   The Crossplane composition sets the same (`upgradePolicy.supportType: STANDARD`): a
///   cluster created through the API without one would have extended support enabled
///   (<https://docs.aws.amazon.com/eks/latest/userguide/enable-extended-support.html>; the
///   CloudFormation `UpgradePolicy` reference: "The default value is EXTENDED") and cost
///   $0.60 an hour once its version left standard support without an upgrade.
/// - GKE Standard: a flat $0.10 per cluster-hour; the free tier's $74.40 monthly credit per
///   billing account applies to zonal and Autopilot clusters only, and the generated
///   clusters are regional (`location = var.region`); the extra fee of the Extended release
///   channel does not apply to the STABLE and REGULAR channels the plan picks
///   (<https://cloud.google.com/kubernetes-engine/pricing>).
/// - AKS: the Terraform and Crossplane set the Standard tier (`sku_tier = "Standard"`,
///   `skuTier: Standard`), which includes the Uptime SLA
///   (<https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers>), announced at $0.10
///   per cluster-hour
///   (<https://techcommunity.microsoft.com/t5/apps-on-azure-blog/aks-introduces-uptime-sla/ba-p/1350832>).
///   Azure's pricing page itself was not available offline.
pub fn management_fee(cloud: Cloud) -> ManagementFee {
    match cloud {
        Cloud::Aws => ManagementFee {
            cloud,
            service: "EKS",
            tier: "standard support (the upgrade policy is `STANDARD` in Terraform and Crossplane)",
            cents_per_hour: 10,
            source: "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/",
            note: "$0.60 per cluster-hour for a version in extended support, which the generated clusters never enter: at the end of standard support EKS upgrades them",
        },
        Cloud::Gcp => ManagementFee {
            cloud,
            service: "GKE Standard",
            tier: "regional clusters, STABLE and REGULAR release channels",
            cents_per_hour: 10,
            source: "https://cloud.google.com/kubernetes-engine/pricing",
            note: "the free tier's monthly credit ($74.40 per billing account) covers zonal and Autopilot clusters only, not these regional ones",
        },
        Cloud::Azure => ManagementFee {
            cloud,
            service: "AKS",
            tier: "Standard tier (`sku_tier = \"Standard\"`, with the Uptime SLA)",
            cents_per_hour: 10,
            source: "https://techcommunity.microsoft.com/t5/apps-on-azure-blog/aks-introduces-uptime-sla/ba-p/1350832",
            note: "the Uptime SLA's announced price, which the Standard tier includes; Azure's pricing page (https://azure.microsoft.com/pricing/details/kubernetes-service/) was not read",
        },
    }
}

/// `cents` as US dollars: `$73`, `$1,460`, `$0.50`, `-$73`; cents only when there are any.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match cents % 100 {
        0 => format!("{sign}${grouped}"),
        rest => format!("{sign}${grouped}.{rest:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_of_one_cluster_costs_73_dollars_on_every_cloud() {
        for cloud in [Cloud::Aws, Cloud::Gcp, Cloud::Azure] {
            let fee = management_fee(cloud);
            assert_eq!(fee.cents_per_month(), 7_300, "{cloud}");
            assert!(fee.source.starts_with("https://"), "{cloud}");
        }
    }

    #[test]
    fn dollars_are_grouped_and_signed() {
        assert_eq!(dollars(0), "$0");
        assert_eq!(dollars(7_300), "$73");
        assert_eq!(dollars(146_000), "$1,460");
        assert_eq!(dollars(123_456_789), "$1,234,567.89");
        assert_eq!(dollars(50), "$0.50");
        assert_eq!(dollars(-7_300), "-$73");
    }
}

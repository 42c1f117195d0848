//! The trade-off in money: what the clusters of each row of the trade-off cost in
//! management fees (list prices, [`prices`]) and in system nodes.
//!
//! Every cluster pays its service's management fee and runs [`facts::SYSTEM_NODES`] system
//! nodes, whatever its tenants. So a constraint that adds clusters adds both: clusters ×
//! fee × [`prices::HOURS_PER_MONTH`], and clusters × system nodes. The instances' price
//! depends on the region and is not among the facts: system nodes are counted, at the
//! customer's instance price. The rows add up like the clusters do.

use serde::Serialize;

use crate::cloud::prices::{self, ManagementFee};
use crate::cloud::{Cloud, facts};

/// What some clusters cost a month.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RowCost {
    /// Clusters (negative where a constraint saves some).
    pub clusters: i64,
    /// Their management fees for a month, in US cents: an estimate at list prices.
    pub fees_cents_per_month: i64,
    /// Their system nodes.
    pub system_nodes: i64,
    /// Their system node-hours in a month.
    pub system_node_hours_per_month: i64,
}

impl RowCost {
    /// `clusters` clusters on `cloud`.
    pub fn of(cloud: Cloud, clusters: i64) -> Self {
        let nodes = clusters * i64::from(facts::SYSTEM_NODES);
        Self {
            clusters,
            fees_cents_per_month: clusters * prices::management_fee(cloud).cents_per_month(),
            system_nodes: nodes,
            system_node_hours_per_month: nodes * i64::from(prices::HOURS_PER_MONTH),
        }
    }

    fn plus(self, other: Self) -> Self {
        Self {
            clusters: self.clusters + other.clusters,
            fees_cents_per_month: self.fees_cents_per_month + other.fees_cents_per_month,
            system_nodes: self.system_nodes + other.system_nodes,
            system_node_hours_per_month: self.system_node_hours_per_month
                + other.system_node_hours_per_month,
        }
    }
}

/// The price of one cloud of the plan.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CloudPrice {
    /// The management fee of a cluster.
    #[serde(flatten)]
    pub fee: ManagementFee,
    /// Instance type of the system nodes.
    pub system_instance_type: &'static str,
}

/// The trade-off's rows in money, and the prices behind them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// Clusters capacity alone needs.
    pub capacity: RowCost,
    /// Added because tenants are not split.
    pub packing: RowCost,
    /// Added by `policy.blastRadius`.
    pub blast_radius: RowCost,
    /// Added because environments never share clusters.
    pub environment: RowCost,
    /// Added because untrusted tenants run alone.
    pub trust: RowCost,
    /// Added because hard-boundary organizations run alone.
    pub organization: RowCost,
    /// Added because placed tenants stay where they are.
    pub placement_stability: RowCost,
    /// The clusters planned: the sum of the rows above.
    pub planned: RowCost,
    /// The prices, per cloud of the plan (aws, gcp, azure order).
    pub prices: Vec<CloudPrice>,
    /// Hours in the month of the monthly figures.
    pub hours_per_month: u32,
    /// When the prices were read.
    pub prices_read_on: &'static str,
}

/// The clusters of one cloud in the trade-off's rows: capacity, packing, blast radius,
/// environment, trust, organization, placement stability.
pub type Rows = [i64; 7];

/// The cost of `per_cloud`'s rows, for the clouds that have clusters.
pub fn cost(per_cloud: &[(Cloud, Rows)]) -> Cost {
    let mut out = Cost {
        hours_per_month: prices::HOURS_PER_MONTH,
        prices_read_on: prices::READ_ON,
        ..Cost::default()
    };
    let mut clouds = Vec::new();
    for (cloud, clusters) in per_cloud {
        let rows = [
            &mut out.capacity,
            &mut out.packing,
            &mut out.blast_radius,
            &mut out.environment,
            &mut out.trust,
            &mut out.organization,
            &mut out.placement_stability,
        ];
        for (row, n) in rows.into_iter().zip(clusters) {
            *row = row.plus(RowCost::of(*cloud, *n));
        }
        let planned: i64 = clusters.iter().sum();
        out.planned = out.planned.plus(RowCost::of(*cloud, planned));
        if planned != 0 {
            clouds.push(*cloud);
        }
    }
    clouds.sort();
    clouds.dedup();
    out.prices = clouds
        .into_iter()
        .map(|c| CloudPrice {
            fee: prices::management_fee(c),
            system_instance_type: facts::system_instance_type(c),
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_added_cluster_costs_a_fee_and_three_system_nodes() {
        // acme-aws: 5 by capacity, +2 environments, +1 trust, +2 organizations = 10.
        let c = cost(&[(Cloud::Aws, [5, 0, 0, 2, 1, 2, 0])]);
        assert_eq!(c.capacity.fees_cents_per_month, 36_500); // 5 × $0.10 × 730
        assert_eq!(c.environment.clusters, 2);
        assert_eq!(c.environment.fees_cents_per_month, 14_600); // $146
        assert_eq!(c.environment.system_nodes, 6);
        assert_eq!(c.environment.system_node_hours_per_month, 4_380);
        // A constraint that adds nothing costs nothing.
        assert_eq!(c.blast_radius, RowCost::default());
        assert_eq!(c.planned.clusters, 10);
        assert_eq!(c.planned.fees_cents_per_month, 73_000); // $730
        assert_eq!(c.planned.system_nodes, 30);
        assert_eq!(c.prices.len(), 1);
        assert_eq!(c.prices[0].system_instance_type, "m6i.large");
    }

    #[test]
    fn clouds_add_up_and_savings_are_negative() {
        let c = cost(&[
            (Cloud::Gcp, [2, 1, 0, 0, 0, 0, 0]),
            (Cloud::Azure, [1, 0, 0, 0, 0, 1, -1]),
            (Cloud::Aws, [0; 7]),
        ]);
        assert_eq!(c.planned.clusters, 4);
        assert_eq!(c.planned.fees_cents_per_month, 29_200);
        assert_eq!(c.placement_stability.fees_cents_per_month, -7_300);
        assert_eq!(c.placement_stability.system_nodes, -3);
        // Only the clouds with clusters are priced, in cloud order.
        let clouds: Vec<Cloud> = c.prices.iter().map(|p| p.fee.cloud).collect();
        assert_eq!(clouds, [Cloud::Gcp, Cloud::Azure]);
    }
}

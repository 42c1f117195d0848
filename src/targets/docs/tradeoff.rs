//! DECISIONS.md's trade-off, print-ready: the clusters each constraint adds with their
//! management fees and system nodes, and the list prices behind the fees.

use serde::Serialize;

use crate::cloud::prices::dollars;
use crate::plan::cost::RowCost;
use crate::plan::{Plan, cloud_name};

/// One row of the trade-off table.
#[derive(Debug, Serialize)]
pub struct TradeOffRow {
    /// What the row counts.
    pub label: &'static str,
    /// Clusters: a total, or `+n` added.
    pub clusters: String,
    /// Their management fees for a month, in dollars.
    pub fees: String,
    /// Their system nodes.
    pub nodes: String,
}

impl TradeOffRow {
    /// A row of what a constraint adds: signed figures.
    fn added(label: &'static str, cost: RowCost) -> Self {
        Self {
            label,
            clusters: signed(cost.clusters),
            fees: if cost.fees_cents_per_month >= 0 {
                format!("+{}", dollars(cost.fees_cents_per_month))
            } else {
                dollars(cost.fees_cents_per_month)
            },
            nodes: signed(cost.system_nodes),
        }
    }

    /// A row of a total.
    fn total(label: &'static str, cost: RowCost) -> Self {
        Self {
            label,
            clusters: cost.clusters.to_string(),
            fees: dollars(cost.fees_cents_per_month),
            nodes: cost.system_nodes.to_string(),
        }
    }
}

/// The trade-off table of `plan`: the lower bound, what each constraint adds, the total.
pub fn rows(plan: &Plan) -> Vec<TradeOffRow> {
    let c = &plan.summary.cost;
    vec![
        TradeOffRow::total("clusters capacity alone needs", c.capacity),
        TradeOffRow::added("tenants are never split across clusters", c.packing),
        TradeOffRow::added("blast radius limits", c.blast_radius),
        TradeOffRow::added("environments never share a cluster", c.environment),
        TradeOffRow::added("untrusted tenants run alone", c.trust),
        TradeOffRow::added("hard-boundary organizations run alone", c.organization),
        TradeOffRow::added("placed tenants stay where they are", c.placement_stability),
        TradeOffRow::total("clusters planned", c.planned),
    ]
}

/// The price of one cloud's clusters, as the price table prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceRow {
    /// The cloud, as the blueprint spells it.
    pub cloud: &'static str,
    /// The managed service.
    pub service: &'static str,
    /// Its tier as generated.
    pub tier: &'static str,
    /// Per cluster-hour, in dollars.
    pub hourly: String,
    /// Per cluster-month, in dollars.
    pub monthly: String,
    /// Instance type of the system nodes.
    pub instance: &'static str,
    /// Where the price was read.
    pub source: &'static str,
    /// What it leaves out.
    pub note: &'static str,
}

/// The prices of the clouds of `plan`.
pub fn prices(plan: &Plan) -> Vec<PriceRow> {
    plan.summary
        .cost
        .prices
        .iter()
        .map(|p| PriceRow {
            cloud: cloud_name(p.fee.cloud),
            service: p.fee.service,
            tier: p.fee.tier,
            hourly: dollars(i64::from(p.fee.cents_per_hour)),
            monthly: dollars(p.fee.cents_per_month()),
            instance: p.system_instance_type,
            source: p.fee.source,
            note: p.fee.note,
        })
        .collect()
}

/// `n` with its sign: `+2`, `+0`, `-1`.
pub fn signed(n: i64) -> String {
    if n >= 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

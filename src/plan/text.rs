//! `plan --format text`: the decisions, for people.

use std::fmt::Write;

use super::Plan;
use super::cost::RowCost;
use super::encryption::{CloudEncryption, Cni};
use super::network::NetworkLayout;
use crate::cloud::policy::{Encryption, Mesh, NetworkEncryption};
use crate::cloud::prices::dollars;

/// The plan as text.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let s = &plan.summary;
    let _ = writeln!(
        out,
        "platform `{}`: {} clusters for {} tenants ({} placements) in {} environments, Kubernetes {}",
        plan.platform,
        s.clusters,
        s.tenants,
        s.placements,
        plan.environments.len(),
        plan.kubernetes_version
    );
    let _ = writeln!(
        out,
        "\n{:<31} {:>8} {:>14} {:>13}",
        "trade-off", "clusters", "fees a month", "system nodes"
    );
    let a = &s.added_by;
    let c = &s.cost;
    let rows: [(&str, String, &RowCost); 8] = [
        (
            "capacity alone",
            s.capacity_lower_bound.to_string(),
            &c.capacity,
        ),
        (
            "+ packing (tenants not split)",
            signed(a.packing),
            &c.packing,
        ),
        ("+ blast radius", signed(a.blast_radius), &c.blast_radius),
        (
            "+ environment separation",
            signed(a.environment),
            &c.environment,
        ),
        ("+ untrusted tenants alone", signed(a.trust), &c.trust),
        (
            "+ hard organizations alone",
            signed(a.organization),
            &c.organization,
        ),
        (
            "+ stable placement",
            signed(a.placement_stability),
            &c.placement_stability,
        ),
        ("= clusters planned", s.clusters.to_string(), &c.planned),
    ];
    for (i, (label, value, cost)) in rows.into_iter().enumerate() {
        // The first and last rows are totals, the others what a constraint adds.
        let total = i == 0 || i == 7;
        let money = dollars(cost.fees_cents_per_month);
        let (money, nodes) = if total {
            (money, cost.system_nodes.to_string())
        } else {
            (
                plus(money, cost.fees_cents_per_month),
                signed(cost.system_nodes),
            )
        };
        let _ = writeln!(out, "  {label:<29} {value:>8} {money:>14} {nodes:>13}");
    }
    prices(plan, &mut out);
    let capacity: u32 = plan.clusters.iter().map(|c| c.capacity.nodes).sum();
    let _ = writeln!(
        out,
        "  {:<29} {:>7}%  ({} of {} tenant nodes; {} system nodes on top)",
        "node utilisation", s.utilisation_percent, s.nodes, capacity, s.system_nodes
    );
    let b = &s.largest_blast_radius;
    if !b.tenants_cluster.is_empty() {
        let _ = writeln!(
            out,
            "  {:<29} {} tenants in `{}`, {} nodes in `{}`",
            "largest blast radius", b.tenants, b.tenants_cluster, b.nodes, b.nodes_cluster
        );
    }

    onboarding(plan, &mut out);

    let _ = writeln!(out, "\nencryption: {}", encryption_line(plan));
    waivers(plan, &mut out);
    environments(plan, &mut out);
    changes(plan, &mut out);
    out
}

/// The prices behind the money column.
fn prices(plan: &Plan, out: &mut String) {
    let c = &plan.summary.cost;
    if c.prices.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  fees at list prices read {}, an estimate; a month is {} hours; system nodes at your instance price",
        c.prices_read_on, c.hours_per_month
    );
    for p in &c.prices {
        let f = &p.fee;
        let _ = writeln!(
            out,
            "    {}: {} per cluster-hour ({} a month), {}; system nodes {}\n      source: {}",
            f.service,
            dollars(i64::from(f.cents_per_hour)),
            dollars(f.cents_per_month()),
            f.tier,
            p.system_instance_type,
            f.source
        );
    }
}

/// The room left for new tenants.
fn onboarding(plan: &Plan, out: &mut String) {
    let o = &plan.summary.onboarding;
    let _ = writeln!(
        out,
        "\nonboarding capacity: {} more trusted tenants of soft-boundary organizations fit the planned clusters\n  before a new cluster is needed (each of {} node group and {} node, the blueprint's defaults);\n  an untrusted tenant, or a new hard-boundary organization, always opens clusters of its own",
        o.shared, o.node_groups, o.nodes
    );
    for r in &o.rows {
        let mut line = format!("  {} / {}: ", r.environment, r.unit);
        if r.shared_clusters == 0 {
            line.push_str("no shared cluster yet");
        } else {
            let _ = write!(
                line,
                "{} more in {}",
                r.shared,
                clusters(r.shared_clusters, "shared cluster")
            );
        }
        if !r.limited_by.is_empty() {
            let _ = write!(line, " (limited by {})", r.limited_by.join(", "));
        }
        for org in &r.organizations {
            let _ = write!(
                line,
                "; organization `{}`: {} more in its {}",
                org.organization,
                org.tenants,
                clusters(org.clusters, "cluster")
            );
        }
        let _ = writeln!(out, "{line}");
    }
}

/// `n` `what`s.
fn clusters(n: u32, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn waivers(plan: &Plan, out: &mut String) {
    if !plan.policy.waivers.is_empty() {
        out.push_str("\nwaivers in force\n");
        for w in &plan.policy.waivers {
            let _ = writeln!(out, "  {}: {}", w.rule, w.reason);
            for what in &w.waived {
                let _ = writeln!(out, "    sets aside: {what}");
            }
        }
    }
}

fn environments(plan: &Plan, out: &mut String) {
    for env in &plan.environments {
        let layout = match env.network.layout {
            NetworkLayout::Environment => "one network",
            NetworkLayout::Cluster => "one network per cluster",
        };
        let _ = writeln!(
            out,
            "\nenvironment `{}` ({}, {} {}, account {}, {}, {layout})",
            env.name,
            if env.production {
                "production"
            } else {
                "non-production"
            },
            env.cloud_name(),
            env.region,
            env.account,
            env.cidr
        );
        for c in plan.clusters.iter().filter(|c| c.environment == env.name) {
            let _ = writeln!(
                out,
                "  {}  {}  unit `{}`  {} tenants, {} node groups, {} nodes ({}% of {})",
                c.name,
                c.cidr,
                c.unit,
                c.tenants.len(),
                c.tenant_node_groups,
                c.nodes,
                c.utilisation_percent,
                c.capacity.nodes
            );
            let _ = writeln!(out, "    tenants: {}", c.tenants.join(", "));
            for reason in &c.reasons {
                let _ = writeln!(out, "    - {reason}");
            }
        }
    }
}

fn changes(plan: &Plan, out: &mut String) {
    let ch = &plan.changes;
    if ch.has_previous {
        out.push_str("\nchanges from the previous placement\n");
        let lines = ch.lines();
        if lines.is_empty() {
            out.push_str("  none\n");
        }
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// `money` with a `+` where `cents` is not negative.
fn plus(money: String, cents: i64) -> String {
    if cents >= 0 {
        format!("+{money}")
    } else {
        money
    }
}

fn signed(n: i64) -> String {
    if n >= 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn encryption_line(plan: &Plan) -> String {
    let p = &plan.policy;
    let mesh = |m: Option<Mesh>| match m {
        Some(Mesh::Istio) => "Istio (sidecars) with mesh-wide strict mTLS",
        Some(Mesh::IstioAmbient) => "Istio ambient (ztunnel) with mesh-wide strict mTLS",
        Some(Mesh::Linkerd) => "Linkerd with mTLS, issuer rotated by cert-manager",
        None => "",
    };
    let cilium = match p.network_encryption {
        Some(NetworkEncryption::Wireguard) => "Cilium WireGuard, node-to-node included",
        Some(NetworkEncryption::Ipsec) => "Cilium IPsec (pod traffic only)",
        None => "",
    };
    let head = match p.encryption {
        Encryption::None => "none: traffic is not encrypted".to_owned(),
        Encryption::Network => format!("network — {cilium}; node identity only"),
        Encryption::Mtls => format!("mtls — {}; workload identity", mesh(p.mesh)),
        Encryption::DefenseInDepth => format!(
            "defense-in-depth — {cilium} + {}; workload identity",
            mesh(p.mesh)
        ),
        Encryption::CloudHardware => {
            "cloud-hardware — the cloud encrypts on the wire; node identity only".to_owned()
        }
    };
    let mut clouds: Vec<String> = plan
        .clusters
        .iter()
        .map(|c| {
            let cni = match c.networking.cni {
                Cni::Cilium => "Cilium (the cloud's CNI is not installed)",
                Cni::AwsVpcCni => "AWS VPC CNI",
                Cni::GkeDataplaneV2 => "GKE Dataplane V2",
                Cni::AzureCniCilium => "Azure CNI powered by Cilium",
            };
            let hw = match c.networking.cloud_encryption {
                Some(CloudEncryption::AwsNitro) => ", Nitro in-transit encryption",
                Some(CloudEncryption::GkeInterNodeTransparent) => {
                    ", GKE inter-node transparent encryption"
                }
                Some(CloudEncryption::AzureVnetEncryption) => ", Azure VNet encryption",
                None => "",
            };
            format!("{}: {cni}{hw}", c.cloud_name())
        })
        .collect();
    clouds.sort();
    clouds.dedup();
    if clouds.is_empty() {
        head
    } else {
        format!("{head}\n  {}", clouds.join("\n  "))
    }
}

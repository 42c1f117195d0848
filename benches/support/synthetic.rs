//! Synthetic blueprints of any size, for benchmarks and profiling. Deterministic: the same
//! size and cloud give the same text.

use std::fmt::Write;

/// A valid blueprint of `tenants` tenants on `cloud` (`aws`, `gcp` or `azure`): three
/// environments of a /12 each (a /11 each past 10,000 tenants), twenty organizations (every fourth with a hard boundary: a
/// quarter), two units, one tenant in twenty untrusted (5%), most tenants in more than one
/// environment.
pub fn blueprint(tenants: usize, cloud: &str) -> String {
    let (region, accounts, standard, large) = match cloud {
        "aws" => (
            "eu-central-1",
            ["111111111111", "222222222222", "333333333333"],
            "m6i.xlarge",
            "m6i.2xlarge",
        ),
        "gcp" => (
            "europe-west3",
            ["synth-prod-4711", "synth-staging-4711", "synth-dev-4711"],
            "n2-standard-4",
            "n2-standard-8",
        ),
        _ => (
            "westeurope",
            [
                "6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f",
                "0b1f6471-1bf0-4dda-aec3-111122223333",
                "0b1f6471-1bf0-4dda-aec3-444455556666",
            ],
            "Standard_D4s_v5",
            "Standard_D8s_v5",
        ),
    };
    // The target: 10,000 tenants in a /12 per environment; larger platforms (the
    // 50,000-tenant bench) get a /11.
    let ranges = if tenants > 10_000 {
        ["10.0.0.0/11", "10.32.0.0/11", "10.64.0.0/11"]
    } else {
        ["10.0.0.0/12", "10.16.0.0/12", "10.32.0.0/12"]
    };
    let mut y = String::with_capacity(tenants * 160 + 2048);
    let _ = write!(
        y,
        "version: 1\nname: synth\ncloud: {cloud}\nregion: {region}\nkubernetesVersion: \"1.35\"\n\
         tags:\n  owner: benchmark\n\
         policy:\n  zeroTrust: true\n  encryption: defense-in-depth\n  networkEncryption: wireguard\n  mesh: istio\n\
         \x20 blastRadius: {{ maxTenantsPerCluster: 10, maxNodesPerCluster: 60 }}\n\
         environments:\n\
         \x20 prod: {{ production: true, account: \"{}\", cidr: {} }}\n\
         \x20 staging: {{ production: false, account: \"{}\", cidr: {} }}\n\
         \x20 dev: {{ production: false, account: \"{}\", cidr: {} }}\n\
         organizations:\n",
        accounts[0], ranges[0], accounts[1], ranges[1], accounts[2], ranges[2]
    );
    for o in 0..20 {
        let boundary = if o % 4 == 0 { "hard" } else { "soft" };
        let _ = writeln!(y, "  org-{o:02}: {{ boundary: {boundary} }}");
    }
    let _ = write!(
        y,
        "units:\n\
         \x20 standard: {{ tenantsPerCluster: 10, nodeGroupsPerCluster: 12, nodesPerGroup: 3, instanceType: {standard} }}\n\
         \x20 large: {{ tenantsPerCluster: 4, nodeGroupsPerCluster: 8, nodesPerGroup: 6, instanceType: {large} }}\n\
         tenants:\n"
    );
    for i in 0..tenants {
        // One in each run of twenty, in a different organization each run.
        let trust = if i % 20 == (i / 20) % 20 {
            "untrusted"
        } else {
            "trusted"
        };
        let unit = if i % 7 == 0 { "large" } else { "standard" };
        let mut envs = vec!["prod"];
        if i % 2 == 0 {
            envs.push("staging");
        }
        if i % 3 == 0 {
            envs.push("dev");
        }
        let groups = 1 + i % 3;
        let nodes = groups + i % (2 * groups + 1);
        let _ = writeln!(
            y,
            "  t{i:05}:\n    organization: org-{:02}\n    trust: {trust}\n    unit: {unit}\n    environments: [{}]\n    nodeGroups: {groups}\n    nodes: {nodes}",
            i % 20,
            envs.join(", ")
        );
    }
    y
}

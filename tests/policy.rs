//! Every encryption rule of the policy model, each accepted, refused with its message, or
//! warned, and every waiver honoured and recorded: in the plan and in DECISIONS.md.

use std::path::Path;

use clusterwright::blueprint::diagnostic::{Problem, Rule, Severity};
use clusterwright::blueprint::{self, validate::validate};
use clusterwright::plan::{self, Plan};
use clusterwright::targets::{self, Templates};

use crate::common::blueprint_on;

/// What validation says about `yaml`: the plan when it passes, with its warnings, or the
/// problems when it fails.
fn outcome(yaml: &str) -> Result<(Plan, Vec<Problem>), Vec<Problem>> {
    let loaded = blueprint::parse(Path::new("t.yaml"), yaml.to_owned()).unwrap();
    match validate(loaded) {
        Ok(v) => {
            let plan = plan::plan(&v, None, false).unwrap();
            Ok((plan, v.warnings().to_vec()))
        }
        Err(problems) => Err(problems.problems().to_vec()),
    }
}

fn refused(yaml: &str, rule: Rule) -> Problem {
    let problems = outcome(yaml)
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{yaml}"));
    problems
        .into_iter()
        .find(|p| p.rule == rule && p.severity == Severity::Error)
        .unwrap_or_else(|| panic!("no `{rule}` error for:\n{yaml}"))
}

fn accepted(yaml: &str) -> (Plan, Vec<Problem>) {
    outcome(yaml).unwrap_or_else(|p| panic!("refused: {p:#?}"))
}

fn warned(yaml: &str, rule: Rule) -> Problem {
    let (_, warnings) = accepted(yaml);
    warnings
        .into_iter()
        .find(|p| p.rule == rule)
        .unwrap_or_else(|| panic!("no `{rule}` warning for:\n{yaml}"))
}

/// Asserts that `rule` is waived in `yaml`: no problem under it, the waiver in the plan with
/// what it set aside, and in the decision record.
fn waived(yaml: &str, rule: Rule, set_aside: &str) {
    let (plan, warnings) = accepted(yaml);
    assert!(
        warnings.iter().all(|w| w.rule != rule),
        "{rule} still warns: {warnings:#?}"
    );
    let w = plan
        .policy
        .waivers
        .iter()
        .find(|w| w.rule == rule.name())
        .unwrap_or_else(|| panic!("{rule} not recorded"));
    assert_eq!(w.reason, "reviewed by security (SEC-1)");
    assert!(
        w.waived.iter().any(|s| s.contains(set_aside)),
        "{:?}",
        w.waived
    );
    let tree = targets::render(&plan, &Templates::load(None).unwrap()).unwrap();
    let decisions = &tree.get("DECISIONS.md").unwrap().content;
    assert!(
        decisions.contains(&format!("| `{rule}` | reviewed by security (SEC-1) |")),
        "{decisions}"
    );
}

fn waiver(rule: &str) -> String {
    format!("  waivers:\n    - rule: {rule}\n      reason: reviewed by security (SEC-1)\n")
}

const NETWORK: &str = "  encryption: network\n  networkEncryption: wireguard\n";

#[test]
fn zero_trust_needs_workload_identity() {
    let p = refused(
        &blueprint_on("aws", &format!("  zeroTrust: true\n{NETWORK}")),
        Rule::ZeroTrustIdentity,
    );
    assert!(
        p.message
            .contains("network encryption identifies nodes, not workloads"),
        "{}",
        p.message
    );
    let help = p.help.unwrap();
    assert!(
        help.contains(
            "`encryption: defense-in-depth` with `mesh: istio`, `istio-ambient` or `linkerd`"
        ),
        "{help}"
    );
    assert!(help.contains("waive `zero-trust-identity`"), "{help}");

    let p = refused(
        &blueprint_on("aws", "  zeroTrust: true\n  encryption: cloud-hardware\n"),
        Rule::ZeroTrustIdentity,
    );
    assert!(
        p.message.contains("identifies no workload"),
        "{}",
        p.message
    );
    assert!(p.help.unwrap().contains("`encryption: mtls` with `mesh:"));

    for ok in [
        "  zeroTrust: true\n  encryption: defense-in-depth\n  mesh: istio\n",
        "  zeroTrust: true\n  encryption: mtls\n  mesh: linkerd\n",
    ] {
        let (plan, _) = accepted(&blueprint_on("gcp", ok));
        assert!(plan.clusters[0].networking.workload_identity);
    }
    waived(
        &blueprint_on(
            "aws",
            &format!(
                "  zeroTrust: true\n{NETWORK}{}",
                waiver("zero-trust-identity")
            ),
        ),
        Rule::ZeroTrustIdentity,
        "requires workload identity",
    );
}

#[test]
fn production_traffic_is_encrypted() {
    let p = refused(
        &blueprint_on("gcp", "  zeroTrust: false\n  encryption: none\n"),
        Rule::ProductionEncryption,
    );
    assert!(
        p.message
            .contains("leaves the traffic of production `prod` unencrypted")
    );
    waived(
        &blueprint_on(
            "gcp",
            &format!(
                "  zeroTrust: false\n  encryption: none\n{}",
                waiver("production-encryption")
            ),
        ),
        Rule::ProductionEncryption,
        "unencrypted",
    );
}

#[test]
fn mtls_alone_warns_about_add_on_traffic() {
    let mtls = "  zeroTrust: true\n  encryption: mtls\n  mesh: istio-ambient\n";
    let w = warned(&blueprint_on("azure", mtls), Rule::MeshAddonTraffic);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("CoreDNS"), "{}", w.message);
    assert!(
        w.help.unwrap().contains("`encryption: defense-in-depth`"),
        "the fix is named"
    );
    waived(
        &blueprint_on("azure", &format!("{mtls}{}", waiver("mesh-addon-traffic"))),
        Rule::MeshAddonTraffic,
        "traffic outside the mesh is not encrypted",
    );
    // With Cilium underneath there is nothing to warn about.
    let (_, warnings) = accepted(&blueprint_on(
        "azure",
        "  zeroTrust: true\n  encryption: defense-in-depth\n  mesh: istio-ambient\n",
    ));
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn ipsec_warns_that_node_traffic_is_not_covered() {
    let ipsec = "  zeroTrust: false\n  encryption: network\n  networkEncryption: ipsec\n";
    let w = warned(&blueprint_on("aws", ipsec), Rule::EncryptionCoverage);
    assert!(
        w.message
            .contains("IPsec does not encrypt node-to-node traffic")
    );
    assert!(w.help.unwrap().contains("`networkEncryption: wireguard`"));
    waived(
        &blueprint_on("aws", &format!("{ipsec}{}", waiver("encryption-coverage"))),
        Rule::EncryptionCoverage,
        "node-to-node",
    );
    // The record says what stays uncovered, naming the rule.
    let (plan, _) = accepted(&blueprint_on("aws", ipsec));
    let stack = &plan.coverage.stacks[0];
    assert!(
        stack
            .not_encrypted
            .iter()
            .any(|s| s.contains("rule `encryption-coverage`")),
        "{:#?}",
        stack.not_encrypted
    );
}

#[test]
fn cloud_hardware_needs_instance_types_that_encrypt() {
    let hardware = "  zeroTrust: false\n  encryption: cloud-hardware\n";
    let burstable = blueprint_on("aws", hardware).replace("m6i.xlarge", "t3.large");
    let p = refused(&burstable, Rule::CloudHardwareInstance);
    assert!(p.message.contains("`t3.large` is not an instance type"));
    assert!(p.help.unwrap().contains("m6i.xlarge"));
    waived(
        &blueprint_on(
            "aws",
            &format!("{hardware}{}", waiver("cloud-hardware-instance")),
        )
        .replace("m6i.xlarge", "t3.large"),
        Rule::CloudHardwareInstance,
        "t3.large",
    );
    let (plan, warnings) = accepted(&blueprint_on("aws", hardware));
    assert!(warnings.is_empty());
    // The system node group, which the blueprint does not choose, encrypts too.
    for cloud in ["aws", "gcp", "azure"] {
        let (plan, _) = accepted(&blueprint_on(cloud, hardware));
        let c = &plan.clusters[0];
        assert!(
            clusterwright::cloud::facts::encrypts_in_transit(
                c.cloud,
                &c.system().unwrap().instance_type
            ),
            "{}",
            c.system().unwrap().instance_type
        );
    }
    assert!(plan.clusters[0].networking.releases.is_empty());
}

#[test]
fn a_waiver_that_sets_nothing_aside_is_warned_and_not_recorded() {
    let yaml = blueprint_on(
        "aws",
        &format!(
            "  zeroTrust: true\n  encryption: defense-in-depth\n  mesh: istio\n{}",
            waiver("encryption-coverage")
        ),
    );
    let w = warned(&yaml, Rule::UnusedWaiver);
    assert!(w.message.contains("sets nothing aside"), "{}", w.message);
    let (plan, _) = accepted(&yaml);
    assert!(plan.policy.waivers.is_empty());
}

#[test]
fn production_isolation_cannot_be_waived() {
    let yaml = blueprint_on(
        "aws",
        &format!(
            "  zeroTrust: false\n{NETWORK}{}",
            waiver("production-isolation")
        ),
    );
    let p = refused(&yaml, Rule::Waiver);
    assert_eq!(p.message, "`production-isolation` cannot be waived");
}

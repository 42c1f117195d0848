//! Platforms whose environments run on different clouds (issue 17, finding 9): a unit's
//! `instanceType` may be given per cloud, every reader of it takes the one of the cluster's
//! cloud, and validation names the cloud a unit lacks.

use std::path::Path;

use clusterwright::blueprint::{self, Cloud, validate::validate};
use clusterwright::plan::{self, Plan};

use crate::common::{blueprint as base_with, root, run_in};

/// `BASE` with `staging` on GKE and the unit's instance type replaced by `instance_type`.
fn two_clouds(instance_type: &str) -> String {
    base_with(&[
        (
            "    account: \"222222222222\"\n    cidr: 10.1.0.0/16\n",
            "    account: acme-staging\n    cidr: 10.1.0.0/16\n    cloud: gcp\n    region: europe-west1\n",
        ),
        ("    instanceType: m6i.xlarge\n", instance_type),
    ])
}

fn plan_of(yaml: &str) -> Plan {
    let loaded = blueprint::parse(Path::new("t.yaml"), yaml.to_owned())
        .unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    let validated = validate(loaded).unwrap_or_else(|p| panic!("{:#?}", p.problems()));
    plan::plan(&validated, None, false).unwrap_or_else(|e| panic!("{e:?}"))
}

/// `validate` on `yaml`: exit status and stderr.
fn validate_text(yaml: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.yaml"), yaml).unwrap();
    let r = run_in(dir.path(), &["validate", "b.yaml"]);
    (r.code, r.stderr)
}

/// Tenant node groups of every cluster as (cloud, instance type).
fn tenant_types(plan: &Plan) -> Vec<(Cloud, String)> {
    plan.clusters
        .iter()
        .flat_map(|c| {
            c.node_groups
                .iter()
                .filter(|g| g.tenant.is_some())
                .map(move |g| (c.cloud, g.instance_type.clone()))
        })
        .collect()
}

#[test]
fn a_unit_on_two_clouds_takes_each_clouds_instance_type() {
    let plan = plan_of(&two_clouds(
        "    instanceType: { aws: m6i.2xlarge, gcp: n2-standard-8 }\n",
    ));
    let types = tenant_types(&plan);
    assert!(types.iter().any(|(c, _)| *c == Cloud::Aws), "{types:?}");
    assert!(types.iter().any(|(c, _)| *c == Cloud::Gcp), "{types:?}");
    for (cloud, instance_type) in &types {
        let expected = match cloud {
            Cloud::Aws => "m6i.2xlarge",
            Cloud::Gcp => "n2-standard-8",
            Cloud::Azure => panic!("no environment is on azure"),
        };
        assert_eq!(instance_type, expected, "{cloud}");
    }
}

#[test]
fn the_block_form_of_a_per_cloud_instance_type_reads_the_same() {
    let flow = plan_of(&two_clouds(
        "    instanceType: { aws: m6i.2xlarge, gcp: n2-standard-8 }\n",
    ));
    let block = plan_of(&two_clouds(
        "    instanceType:\n      gcp: n2-standard-8\n      aws: m6i.2xlarge\n",
    ));
    assert_eq!(tenant_types(&flow), tenant_types(&block));
}

#[test]
fn one_instance_type_still_serves_a_unit_on_one_cloud() {
    let plan = plan_of(&base_with(&[]));
    assert!(
        tenant_types(&plan)
            .iter()
            .all(|(c, t)| *c == Cloud::Aws && t == "m6i.xlarge")
    );
}

#[test]
fn a_unit_without_a_type_for_a_cloud_its_tenants_run_on_is_refused_naming_it() {
    let (code, stderr) = validate_text(&two_clouds("    instanceType: { aws: m6i.xlarge }\n"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "units.standard.instanceType: this unit has no instance type for gcp, where tenant `globex` runs in `staging`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("add `gcp:` under `instanceType`"),
        "{stderr}"
    );
    // The location is the unit's `instanceType` key (line 29 of the blueprint).
    assert!(stderr.contains("b.yaml:29:5]"), "{stderr}");
}

#[test]
fn one_name_for_two_clouds_is_refused_with_the_per_cloud_form_as_the_hint() {
    let (code, stderr) = validate_text(&two_clouds("    instanceType: m6i.xlarge\n"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`m6i.xlarge` is not an instance type of gcp"),
        "{stderr}"
    );
    assert!(
        stderr.contains("e.g. `instanceType: { aws: m6i.xlarge, gcp: n2-standard-4 }`"),
        "{stderr}"
    );
}

#[test]
fn cloud_hardware_checks_the_instance_type_of_each_cloud() {
    let yaml = two_clouds("    instanceType: { aws: t3.large, gcp: n2-standard-4 }\n").replace(
        "  zeroTrust: true\n  encryption: defense-in-depth\n  mesh: istio\n",
        "  zeroTrust: false\n  encryption: cloud-hardware\n",
    );
    let (code, stderr) = validate_text(&yaml);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("units.standard.instanceType.aws: `t3.large` is not an instance type whose traffic aws encrypts"),
        "{stderr}"
    );
    assert!(!stderr.contains("instanceType.gcp"), "{stderr}");
    let fixed = yaml.replace("aws: t3.large", "aws: m6in.xlarge");
    let (code, stderr) = validate_text(&fixed);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn the_schema_offers_both_forms_of_instance_type() {
    let schema: serde_json::Value =
        serde_json::from_str(&blueprint::schema::json_schema().unwrap()).unwrap();
    let any_of = schema["$defs"]["InstanceType"]["anyOf"].as_array().unwrap();
    assert_eq!(any_of[0]["type"], "string");
    let per_cloud = &schema["$defs"]["InstanceTypePerCloud"];
    assert_eq!(per_cloud["additionalProperties"], false);
    let clouds: Vec<&String> = per_cloud["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(clouds, ["aws", "azure", "gcp"]);
    assert!(per_cloud.get("required").is_none(), "{per_cloud}");
}

/// The bundled multi-cloud blueprint (issue 17): EKS with Cilium IPsec and Istio ambient
/// under defense-in-depth, and a GKE sandbox, its units typed per cloud.
#[test]
fn the_bundled_multicloud_blueprint_runs_each_environment_on_its_cloud() {
    let text = std::fs::read_to_string(root().join("blueprints/soylent-aws.yaml")).unwrap();
    for line in [
        "  encryption: defense-in-depth\n",
        "  networkEncryption: ipsec\n",
        "  mesh: istio-ambient\n",
        "  zeroTrust: true\n",
        "    cloud: gcp ",
        "kubernetesVersion: \"1.35\"\n",
    ] {
        assert!(text.contains(line), "{line}");
    }
    let plan = plan_of(&text);
    let types = tenant_types(&plan);
    for (cloud, instance_type) in &types {
        let expected: &[&str] = match cloud {
            Cloud::Aws => &["m6i.2xlarge", "c6i.4xlarge"],
            Cloud::Gcp => &["n2-standard-8", "c2-standard-16"],
            Cloud::Azure => panic!("no azure environment"),
        };
        assert!(
            expected.contains(&instance_type.as_str()),
            "{cloud}: {instance_type}"
        );
    }
    for cluster in &plan.clusters {
        let expected = if cluster.environment == "sandbox" {
            Cloud::Gcp
        } else {
            Cloud::Aws
        };
        assert_eq!(cluster.cloud, expected, "{}", cluster.name);
    }
    let helm = root().join("examples/soylent-aws/helm");
    assert!(
        helm.join("soylent-sandbox-web-02/ztunnel.values.yaml")
            .is_file(),
        "the GKE sandbox runs ambient: no ztunnel values"
    );
    let cilium =
        std::fs::read_to_string(helm.join("soylent-prod-web-02/cilium.values.yaml")).unwrap();
    assert!(cilium.contains("type: ipsec"), "{cilium}");
}

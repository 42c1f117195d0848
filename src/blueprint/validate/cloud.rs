//! Cloud-specific shapes: account ids, regions, the Kubernetes version, instance types,
//! tags (labels on GCP), and the environments' address ranges.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::{IpNet, Ipv4Net};

use super::{Checker, ResolvedEnvironment, tenancy};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::source::Target;
use crate::blueprint::{Cloud, InstanceType};
use crate::cloud::facts;

/// Tag keys clusterwright sets itself on every resource.
pub const RESERVED_TAG_KEYS: &[&str] = &["platform", "environment", "cluster", "managed-by"];

pub(super) fn check(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    let bp = c.blueprint;
    if !facts::is_valid_region(bp.cloud, &bp.region) {
        c.push(region_problem(
            KeyPath::keys(["region"]),
            bp.cloud,
            &bp.region,
        ));
    }
    kubernetes_version(c);
    for (name, env) in &bp.environments {
        let path = KeyPath::keys(["environments", name.as_str()]);
        let cloud = env.cloud.unwrap_or(bp.cloud);
        if !facts::is_valid_account(cloud, &env.account) {
            c.push(
                Problem::error(
                    Rule::CloudId,
                    path.key("account"),
                    format!(
                        "`{}` is not an account id of {cloud}",
                        env.account.escape_debug()
                    ),
                )
                .with_help(format!("expected {}", facts::account_shape(cloud))),
            );
        }
        match &env.region {
            Some(region) if !facts::is_valid_region(cloud, region) => {
                c.push(region_problem(path.key("region"), cloud, region));
            }
            None if cloud != bp.cloud && facts::is_valid_region(bp.cloud, &bp.region) => {
                c.push(
                    Problem::error(
                        Rule::CloudId,
                        path.clone(),
                        format!(
                            "the environment runs on {cloud} but inherits the region `{}` of {}",
                            bp.region, bp.cloud
                        ),
                    )
                    .at(Target::Key)
                    .with_help(format!(
                        "set `region:` in this environment to {}",
                        facts::region_shape(cloud)
                    )),
                );
            }
            _ => {}
        }
    }
    for (name, unit) in &bp.units {
        instance_types(c, envs, name, &unit.instance_type);
    }
    let clouds: BTreeSet<Cloud> = envs.values().map(|e| e.cloud).collect();
    tags(c, &clouds);
    overlaps(c, envs);
}

/// The clouds `unit` is used on: those of its tenants' environments, or the blueprint's
/// cloud when no tenant uses it (so a unit's instance type is always checked somewhere).
pub(super) fn clouds_of_unit(
    c: &Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
    unit: &str,
) -> BTreeSet<Cloud> {
    let mut clouds = tenancy::clouds_of_unit(c, envs, unit);
    if clouds.is_empty() {
        clouds.insert(c.blueprint.cloud);
    }
    clouds
}

/// Checks a unit's instance type: one of the right shape for every cloud its tenants run
/// on, and, given per cloud, one for each of those clouds.
fn instance_types(
    c: &mut Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
    unit: &str,
    instance_type: &InstanceType,
) {
    let path = KeyPath::keys(["units", unit, "instanceType"]);
    let clouds = clouds_of_unit(c, envs, unit);
    let shape = |cloud: Cloud, name: &str, path: KeyPath, help: String| {
        Problem::error(
            Rule::InstanceType,
            path,
            format!(
                "`{}` is not an instance type of {cloud}, where this unit's tenants run",
                name.escape_debug()
            ),
        )
        .with_help(help)
    };
    match instance_type {
        InstanceType::One(name) => {
            for &cloud in &clouds {
                if facts::is_valid_instance_type(cloud, name) {
                    continue;
                }
                let help = if clouds.len() > 1 {
                    let names: Vec<String> = clouds.iter().map(ToString::to_string).collect();
                    format!(
                        "expected {}; a unit used on {} gives one per cloud, e.g. `instanceType: {{ {} }}`",
                        facts::instance_shape(cloud),
                        super::names_list(names.iter().map(String::as_str)),
                        per_cloud_example(&clouds)
                    )
                } else {
                    format!("expected {}", facts::instance_shape(cloud))
                };
                c.push(shape(cloud, name, path.clone(), help));
            }
        }
        InstanceType::PerCloud(by_cloud) => {
            for (&cloud, name) in by_cloud {
                if !facts::is_valid_instance_type(cloud, name) {
                    let help = format!("expected {}", facts::instance_shape(cloud));
                    let problem = Problem::error(
                        Rule::InstanceType,
                        path.key(cloud.to_string()),
                        format!(
                            "`{}` is not an instance type of {cloud}",
                            name.escape_debug()
                        ),
                    )
                    .with_help(help);
                    c.push(problem);
                }
            }
            for &cloud in clouds.iter().filter(|cloud| !by_cloud.contains_key(cloud)) {
                let users = unit_users(c, envs, unit, cloud);
                c.push(
                    Problem::error(
                        Rule::InstanceType,
                        path.clone(),
                        format!("this unit has no instance type for {cloud}, where {users}"),
                    )
                    .at(Target::Key)
                    .with_help(format!(
                        "add `{cloud}:` under `instanceType` with {}",
                        facts::instance_shape(cloud)
                    )),
                );
            }
        }
    }
}

/// "tenant `a` runs in `sandbox`", naming who uses `unit` on `cloud`.
fn unit_users(
    c: &Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
    unit: &str,
    cloud: Cloud,
) -> String {
    let mut tenants = Vec::new();
    let mut environments = BTreeSet::new();
    for (name, tenant) in c.blueprint.tenants.iter().filter(|(_, t)| t.unit == unit) {
        let on_cloud: Vec<&str> = tenant
            .environments
            .iter()
            .filter(|e| envs.get(*e).is_some_and(|env| env.cloud == cloud))
            .map(String::as_str)
            .collect();
        if !on_cloud.is_empty() {
            tenants.push(name.as_str());
            environments.extend(on_cloud);
        }
    }
    if tenants.is_empty() {
        // No tenant uses the unit: it is checked on the blueprint's cloud.
        return "the blueprint runs".to_owned();
    }
    format!(
        "{} {} {} in {}",
        if tenants.len() == 1 {
            "tenant"
        } else {
            "tenants"
        },
        super::names_list(tenants.iter().copied()),
        if tenants.len() == 1 { "runs" } else { "run" },
        super::names_list(environments)
    )
}

/// `aws: m6i.xlarge, gcp: n2-standard-4` for the clouds given.
fn per_cloud_example(clouds: &BTreeSet<Cloud>) -> String {
    clouds
        .iter()
        .map(|cloud| {
            let example = match cloud {
                Cloud::Aws => "m6i.xlarge",
                Cloud::Gcp => "n2-standard-4",
                Cloud::Azure => "Standard_D4s_v5",
            };
            format!("{cloud}: {example}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn region_problem(path: KeyPath, cloud: Cloud, region: &str) -> Problem {
    Problem::error(
        Rule::CloudId,
        path,
        format!("`{}` is not a region of {cloud}", region.escape_debug()),
    )
    .with_help(format!("expected {}", facts::region_shape(cloud)))
}

fn kubernetes_version(c: &mut Checker<'_>) {
    let version = &c.blueprint.kubernetes_version;
    let minor = version
        .strip_prefix("1.")
        .filter(|m| !m.is_empty() && m.len() <= 3 && m.bytes().all(|b| b.is_ascii_digit()));
    if minor.is_none() {
        c.push(
            Problem::error(
                Rule::CloudId,
                KeyPath::keys(["kubernetesVersion"]),
                format!("`{}` is not a Kubernetes minor version", version.escape_debug()),
            )
            .with_help("give major and minor only, quoted, e.g. \"1.33\" (the cloud picks the patch release)"),
        );
    }
}

/// Parses an environment's range, reporting why it is unusable.
pub(super) fn parse_cidr(c: &mut Checker<'_>, path: &KeyPath, text: &str) -> Option<Ipv4Net> {
    let problem = |message: String, help: String| {
        Problem::error(Rule::Cidr, path.clone(), message).with_help(help)
    };
    let Ok(net) = text.parse::<Ipv4Net>() else {
        {
            let (message, help) = if let Ok(IpNet::V6(_)) = text.parse::<IpNet>() {
                (
                    format!("`{text}` is an IPv6 range; environments take an IPv4 range"),
                    "give a private IPv4 range such as 10.0.0.0/16".to_owned(),
                )
            } else if text.contains(char::is_whitespace) {
                (
                    format!("`{}` has spaces in it", text.escape_debug()),
                    format!(
                        "write it without spaces: `{}`",
                        text.split_whitespace().collect::<String>()
                    ),
                )
            } else if !text.contains('/') {
                (
                    format!("`{}` has no prefix length", text.escape_debug()),
                    format!("write it as a CIDR, e.g. `{}/16`", text.escape_debug()),
                )
            } else {
                (
                    format!("`{}` is not an IPv4 CIDR range", text.escape_debug()),
                    "write it as address/prefix, e.g. 10.0.0.0/16".to_owned(),
                )
            };
            c.push(problem(message, help));
            return None;
        }
    };
    if net.trunc() != net {
        c.push(problem(
            format!("`{text}` has host bits set"),
            format!("the range starting at that prefix is `{}`", net.trunc()),
        ));
        return None;
    }
    if net.prefix_len() < 8 {
        c.push(problem(
            format!("`{text}` is larger than a /8"),
            "no environment needs more than a /8; give a smaller range".to_owned(),
        ));
        return None;
    }
    if net.prefix_len() > 28 {
        c.push(problem(
            format!("`{text}` is smaller than a /28, the smallest subnet the clouds accept"),
            "give a range that can hold the environment's clusters, e.g. a /16".to_owned(),
        ));
        return None;
    }
    let private: [Ipv4Net; 4] = [
        Ipv4Net::new_assert([10, 0, 0, 0].into(), 8),
        Ipv4Net::new_assert([172, 16, 0, 0].into(), 12),
        Ipv4Net::new_assert([192, 168, 0, 0].into(), 16),
        Ipv4Net::new_assert([100, 64, 0, 0].into(), 10),
    ];
    if !private.iter().any(|p| p.contains(&net)) {
        c.push(
            Problem::warning(Rule::Cidr, path.clone(), format!("`{net}` is not a private range"))
                .with_help("use RFC 1918 space (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) unless you own this range; addresses used privately cannot reach their public owners"),
        );
    }
    Some(net)
}

/// No two environments' ranges overlap; between production and non-production that is the
/// `production-isolation` rule, which cannot be waived.
fn overlaps(c: &mut Checker<'_>, envs: &BTreeMap<String, ResolvedEnvironment>) {
    let list: Vec<(&String, &ResolvedEnvironment)> = envs.iter().collect();
    for (i, (name, env)) in list.iter().enumerate() {
        for (other, other_env) in list.iter().take(i) {
            if !(env.cidr.contains(&other_env.cidr.network())
                || other_env.cidr.contains(&env.cidr.network()))
            {
                continue;
            }
            let path = KeyPath::keys(["environments", name.as_str(), "cidr"]);
            if env.production == other_env.production {
                c.push(
                    Problem::error(
                        Rule::Cidr,
                        path,
                        format!("`{}` overlaps `{other}` ({})", env.cidr, other_env.cidr),
                    )
                    .with_help("give every environment a range of its own; networks of different environments are never joined"),
                );
            } else {
                let (prod, nonprod) = if env.production {
                    (name, other)
                } else {
                    (other, name)
                };
                c.push(
                    Problem::error(
                        Rule::ProductionIsolation,
                        path,
                        format!(
                            "production `{prod}` and non-production `{nonprod}` overlap ({} and {})",
                            env.cidr, other_env.cidr
                        ),
                    )
                    .with_help("production never shares an address range with non-production; this rule cannot be waived"),
                );
            }
        }
    }
}

fn tags(c: &mut Checker<'_>, clouds: &BTreeSet<Cloud>) {
    let bp = c.blueprint;
    let mut problems = Vec::new();
    let mut seen_lower: BTreeMap<String, &str> = BTreeMap::new();
    for (key, value) in &bp.tags {
        let path = KeyPath::keys(["tags", key.as_str()]);
        if RESERVED_TAG_KEYS.contains(&key.as_str()) {
            problems.push(
                Problem::error(
                    Rule::Tags,
                    path.clone(),
                    format!("the tag `{key}` is set by clusterwright on every resource"),
                )
                .at(Target::Key)
                .with_help(format!(
                    "reserved tag keys: {}; choose another key",
                    super::names_list(RESERVED_TAG_KEYS.iter().copied())
                )),
            );
            continue;
        }
        if key.chars().chain(value.chars()).any(char::is_control) {
            problems.push(
                Problem::error(
                    Rule::Tags,
                    path.clone(),
                    "tags may not contain control characters such as line breaks",
                )
                .with_help("keep tag keys and values on one line"),
            );
            continue;
        }
        if clouds.contains(&Cloud::Azure)
            && let Some(previous) = seen_lower.insert(key.to_lowercase(), key)
        {
            problems.push(
                Problem::error(Rule::Tags, path.clone(), format!("`{key}` and `{previous}` are the same tag on Azure, whose tag names ignore case"))
                    .at(Target::Key)
                    .with_help("keep one of them"),
            );
        }
        for cloud in clouds {
            if let Some((message, target, help)) = tag_rule(*cloud, key, value) {
                problems.push(
                    Problem::error(Rule::Tags, path.clone(), message)
                        .at(target)
                        .with_help(help),
                );
            }
        }
    }
    for cloud in clouds {
        let max = match cloud {
            Cloud::Aws | Cloud::Azure => 50,
            Cloud::Gcp => 64,
        } - RESERVED_TAG_KEYS.len();
        if bp.tags.len() > max {
            problems.push(
                Problem::error(
                    Rule::Tags,
                    KeyPath::keys(["tags"]),
                    format!(
                        "{} tags are more than {cloud} allows next to clusterwright's own {}",
                        bp.tags.len(),
                        RESERVED_TAG_KEYS.len()
                    ),
                )
                .with_help(format!("at most {max} tags")),
            );
        }
    }
    for p in problems {
        c.push(p);
    }
}

/// Why `key: value` is not a valid tag on `cloud`.
fn tag_rule(cloud: Cloud, key: &str, value: &str) -> Option<(String, Target, String)> {
    match cloud {
        Cloud::Aws => {
            let allowed = |s: &str| {
                s.chars()
                    .all(|ch| ch.is_alphanumeric() || ch == ' ' || "_.:/=+-@".contains(ch))
            };
            if key.is_empty() || key.chars().count() > 128 {
                return Some((
                    "an AWS tag key has 1 to 128 characters".into(),
                    Target::Key,
                    "shorten the key".into(),
                ));
            }
            if key.to_ascii_lowercase().starts_with("aws:") {
                return Some((
                    "the `aws:` prefix is reserved for AWS".into(),
                    Target::Key,
                    "choose another key".into(),
                ));
            }
            if !allowed(key) {
                return Some((
                    format!("`{}` is not a valid AWS tag key", key.escape_debug()),
                    Target::Key,
                    "AWS tag keys use letters, digits, spaces and `_ . : / = + - @`".into(),
                ));
            }
            if value.chars().count() > 256 || !allowed(value) {
                return Some((
                    format!("`{}` is not a valid AWS tag value", value.escape_debug()),
                    Target::Value,
                    "AWS tag values have at most 256 letters, digits, spaces and `_ . : / = + - @`"
                        .into(),
                ));
            }
            None
        }
        Cloud::Gcp => {
            let allowed = |s: &str| {
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
            };
            if key.is_empty()
                || key.len() > 63
                || !key.starts_with(|ch: char| ch.is_ascii_lowercase())
                || !allowed(key)
            {
                return Some((
                    format!("`{}` is not a valid GCP label key", key.escape_debug()),
                    Target::Key,
                    "GCP label keys have 1 to 63 lowercase letters, digits, `_` and `-`, starting with a letter".into(),
                ));
            }
            if value.len() > 63 || !allowed(value) {
                return Some((
                    format!("`{}` is not a valid GCP label value", value.escape_debug()),
                    Target::Value,
                    "GCP label values have at most 63 lowercase letters, digits, `_` and `-`"
                        .into(),
                ));
            }
            None
        }
        Cloud::Azure => {
            if key.is_empty()
                || key.chars().count() > 512
                || key.chars().any(|ch| "<>%&\\?/".contains(ch))
            {
                return Some((
                    format!("`{}` is not a valid Azure tag name", key.escape_debug()),
                    Target::Key,
                    "Azure tag names have 1 to 512 characters and none of `< > % & \\ ? /`".into(),
                ));
            }
            if value.chars().count() > 256 {
                return Some((
                    "an Azure tag value has at most 256 characters".into(),
                    Target::Value,
                    "shorten the value".into(),
                ));
            }
            None
        }
    }
}

//! `environments.<env>.access` and `directory`: who administers an environment's clusters,
//! from where their API is reachable, and (Azure) the directory of the subscription.
//!
//! Admins are principals of the environment's cloud, in the form its access control takes:
//! - AWS: an IAM role or user ARN. EKS access entries of type `STANDARD` take principals of
//!   the cluster's account or another one; a role ARN may include a path; one principal
//!   can be in one access entry only (Amazon EKS User Guide, "Create access entries"), so a
//!   duplicate is refused here rather than by the EKS API halfway through an apply.
//! - GCP: an IAM member: `user:`, `group:` or `serviceAccount:` and an email address, or a
//!   Workload Identity Federation `principal://` / `principalSet://` identifier.
//! - Azure: the object id (a UUID) of an Entra ID group; AKS admin groups and role
//!   assignments take object ids.
//!
//! `from` holds the operators' and CI's egress ranges and is used with `endpoint: allowlist`
//! only; an allowlist without ranges, a range given to a private endpoint, and the whole
//! internet (`0.0.0.0/0`) are refused.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use super::{Checker, ResolvedEnvironment};
use crate::blueprint::diagnostic::{Problem, Rule};
use crate::blueprint::source::KeyPath;
use crate::blueprint::{Access, Cloud, Endpoint};

/// An environment's access, resolved: every default applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedAccess {
    /// Principals made cluster-admin, as written (order kept; duplicates refused).
    pub admins: Vec<String>,
    /// Where the API is reachable from.
    pub endpoint: Endpoint,
    /// The allowlisted ranges (`endpoint: allowlist` only), as parsed.
    pub from: Vec<Ipv4Net>,
}

/// Checks the access and directory of every environment; returns the resolved access of
/// each environment whose access is valid.
pub(super) fn check(
    c: &mut Checker<'_>,
    envs: &BTreeMap<String, ResolvedEnvironment>,
) -> BTreeMap<String, ResolvedAccess> {
    let bp = c.blueprint;
    let mut out = BTreeMap::new();
    for (name, env) in &bp.environments {
        let path = KeyPath::keys(["environments", name.as_str()]);
        let cloud = env.cloud.unwrap_or(bp.cloud);
        if let Some(directory) = &env.directory {
            directory_id(c, &path.key("directory"), cloud, directory);
        }
        let default = Access::default();
        let access = env.access.as_ref().unwrap_or(&default);
        if let Some(resolved) = resolve(c, &path.key("access"), cloud, access)
            && envs.contains_key(name)
        {
            out.insert(name.clone(), resolved);
        }
    }
    out
}

fn resolve(
    c: &mut Checker<'_>,
    path: &KeyPath,
    cloud: Cloud,
    access: &Access,
) -> Option<ResolvedAccess> {
    let before = c.problems.len();
    let mut seen = BTreeSet::new();
    for (i, admin) in access.admins.iter().enumerate() {
        let at = path.key("admins").index(i);
        if !seen.insert(admin.as_str()) {
            c.push(
                Problem::error(
                    Rule::Access,
                    at,
                    format!("`{}` is listed twice", admin.escape_debug()),
                )
                .with_help("list each admin once"),
            );
            continue;
        }
        if let Some(expected) = admin_problem(cloud, admin) {
            c.push(
                Problem::error(
                    Rule::Access,
                    at,
                    format!(
                        "`{}` is not an admin principal of {cloud}",
                        admin.escape_debug()
                    ),
                )
                .with_help(format!("expected {expected}")),
            );
        }
    }
    let endpoint = access.endpoint.unwrap_or_default();
    match endpoint {
        Endpoint::Private if !access.from.is_empty() => c.push(
            Problem::error(
                Rule::Access,
                path.key("from"),
                "`from` is only used with `endpoint: allowlist`; the endpoint is private",
            )
            .with_help("set `endpoint: allowlist` to admit these ranges, or remove `from`"),
        ),
        Endpoint::Allowlist if access.from.is_empty() => c.push(
            Problem::error(
                Rule::Access,
                path.key("endpoint"),
                "`endpoint: allowlist` admits no one: `from` lists no ranges",
            )
            .with_help(
                "list the operators' and CI's egress ranges in `from`, e.g. `from: [203.0.113.0/24]`",
            ),
        ),
        _ => {}
    }
    let mut from = Vec::new();
    for (i, text) in access.from.iter().enumerate() {
        if let Some(net) = range(c, &path.key("from").index(i), text) {
            from.push(net);
        }
    }
    (c.problems.len() == before).then(|| ResolvedAccess {
        admins: access.admins.clone(),
        endpoint,
        from,
    })
}

/// Why `admin` is not a principal of `cloud`: what was expected, or `None` when it is one.
fn admin_problem(cloud: Cloud, admin: &str) -> Option<&'static str> {
    let ok = match cloud {
        Cloud::Aws => aws_principal(admin),
        Cloud::Gcp => gcp_member(admin),
        Cloud::Azure => is_uuid(admin),
    };
    (!ok).then_some(match cloud {
        Cloud::Aws => {
            "an IAM role or user ARN, e.g. `arn:aws:iam::111111111111:role/platform-admin`"
        }
        Cloud::Gcp => {
            "an IAM member: `group:platform@example.com`, `user:…`, `serviceAccount:…`, or a `principal://`/`principalSet://` identifier"
        }
        Cloud::Azure => {
            "the object id of an Entra ID group, e.g. `00000000-0000-0000-0000-000000000000`"
        }
    })
}

/// `arn:<partition>:iam::<12 digits>:role/<path and name>` or `…:user/…`.
fn aws_principal(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let name = resource
        .strip_prefix("role/")
        .or_else(|| resource.strip_prefix("user/"));
    partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && name.is_some_and(|n| {
            !n.is_empty()
                && !n.ends_with('/')
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        })
}

/// `user:`, `group:` or `serviceAccount:` and an email address, or a federated principal.
fn gcp_member(member: &str) -> bool {
    if member.starts_with("principal://") || member.starts_with("principalSet://") {
        return !member.contains(char::is_whitespace);
    }
    let email = ["user:", "group:", "serviceAccount:"]
        .iter()
        .find_map(|p| member.strip_prefix(p));
    email.is_some_and(|e| {
        let mut halves = e.splitn(2, '@');
        matches!((halves.next(), halves.next()), (Some(local), Some(domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                && !e.contains(char::is_whitespace))
    })
}

/// A UUID in its 8-4-4-4-12 hexadecimal form.
pub(super) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn directory_id(c: &mut Checker<'_>, path: &KeyPath, cloud: Cloud, directory: &str) {
    if cloud != Cloud::Azure {
        c.push(
            Problem::error(
                Rule::Access,
                path.clone(),
                format!("`directory` is the Entra ID directory of an Azure subscription; this environment is on {cloud}"),
            )
            .with_help("remove `directory`"),
        );
    } else if !is_uuid(directory) {
        c.push(
            Problem::error(
                Rule::CloudId,
                path.clone(),
                format!(
                    "`{}` is not an Entra ID directory (tenant) id",
                    directory.escape_debug()
                ),
            )
            .with_help("expected a UUID such as `00000000-0000-0000-0000-000000000000` (`az account show --query tenantId`)"),
        );
    }
}

/// Parses one allowlisted range.
fn range(c: &mut Checker<'_>, path: &KeyPath, text: &str) -> Option<Ipv4Net> {
    let problem = |message: String, help: &str| {
        Problem::error(Rule::Access, path.clone(), message).with_help(help.to_owned())
    };
    let Ok(net) = text.parse::<Ipv4Net>() else {
        c.push(problem(
            format!("`{}` is not an IPv4 CIDR range", text.escape_debug()),
            "write it as address/prefix, e.g. 203.0.113.0/24 (a single address is /32)",
        ));
        return None;
    };
    if net.trunc() != net {
        c.push(problem(
            format!("`{text}` has host bits set"),
            &format!("the range starting at that prefix is `{}`", net.trunc()),
        ));
        return None;
    }
    if net.prefix_len() == 0 {
        c.push(problem(
            format!("`{text}` is the whole internet"),
            "list the operators' and CI's egress ranges; an API open to every address is what `allowlist` exists to avoid",
        ));
        return None;
    }
    Some(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_principals() {
        assert!(aws_principal(
            "arn:aws:iam::111111111111:role/platform-admin"
        ));
        assert!(aws_principal(
            "arn:aws:iam::111111111111:role/teams/platform/admin"
        ));
        assert!(aws_principal("arn:aws-us-gov:iam::111111111111:user/ci"));
        assert!(!aws_principal("arn:aws:iam::11111111111:role/x"));
        assert!(!aws_principal("arn:aws:iam::111111111111:group/admins"));
        assert!(!aws_principal("arn:aws:sts::111111111111:assumed-role/x/y"));
        assert!(!aws_principal("arn:aws:iam::111111111111:role/"));
        assert!(!aws_principal("platform-admin"));
    }

    #[test]
    fn gcp_members() {
        assert!(gcp_member("group:platform@example.com"));
        assert!(gcp_member("serviceAccount:ci@p.iam.gserviceaccount.com"));
        assert!(gcp_member(
            "principalSet://iam.googleapis.com/locations/global/workforcePools/p/group/g"
        ));
        assert!(!gcp_member("platform@example.com"));
        assert!(!gcp_member("group:platform"));
        assert!(!gcp_member("domain:example.com"));
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!is_uuid("0f8fad5b-d9cb-469f-a165-70867728950"));
        assert!(!is_uuid("platform-admins"));
    }
}

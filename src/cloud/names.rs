//! Name rules: what a platform, environment, organization, unit or tenant may be called.
//!
//! Names become parts of cloud resource names, directory names, Kubernetes namespaces and
//! DNS labels, so they are `[a-z]([a-z0-9-]*[a-z0-9])?` — nothing a blueprint says can
//! escape the output directory or break out of a string. The length limits are chosen so
//! that every derived name fits the strictest place it is used:
//!
//! | kind | limit | binding constraint |
//! |---|---|---|
//! | platform | 20 | DESIGN.md; prefix of every cluster name |
//! | environment | 12 | cluster names `<platform>-<env>-<label>-<nn>` stay ≤ 40 (GKE) with room for 4-digit sequence numbers |
//! | organization, unit, tenant | 30 | GKE node pool names `<tenant>-<n>` ≤ 40; GCP label values ≤ 63; namespaces ≤ 63 |
//! | cluster (planned; checked when `placement.yaml` is read back) | 40 | GKE cluster names |
//!
//! Cluster names shorten the label part when a long platform and environment name leave no
//! room (see `plan::topology`), so the limits above always hold.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The first `n` hex digits of the SHA-256 of `text`.
fn hash_hex(text: &str, n: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(n + 1);
    for byte in digest.iter().take(n.div_ceil(2)) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex.truncate(n);
    hex
}

/// `name` cut to `max` characters without a trailing `-`, then `-` and a hash of `key`:
/// a name that fits and stays unique.
pub fn shortened(name: &str, max: usize, key: &str) -> String {
    let hash = hash_hex(key, 8);
    let room = max.saturating_sub(hash.len() + 1);
    let stem: String = name.chars().take(room).collect();
    format!("{}-{hash}", stem.trim_end_matches('-'))
}

/// The IAM role, in each AWS account, that Crossplane's credentials assume: the last link
/// of the ProviderConfig's role chain, which pins the account as Terraform's
/// `allowed_account_ids` does. Terraform takes the role as a variable; a manifest has no
/// variables, so the name is fixed and the README tells the operator to create it.
pub const AWS_PROVISIONING_ROLE: &str = "clusterwright-crossplane";

/// The key of the credentials in the Secret the operator creates in each environment's
/// namespace (`<cloud>-credentials`); clusterwright never writes it.
pub const CREDENTIALS_KEY: &str = "credentials";

/// The Secret the operator creates in each environment's namespace for Crossplane:
/// `<cloud>-credentials`.
pub fn credentials_secret(cloud: super::Cloud) -> String {
    format!("{cloud}-credentials")
}

/// The longest cluster name: GKE's limit on cluster names (40).
pub const MAX_CLUSTER_NAME: usize = 40;

/// The kinds of names a blueprint defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// The platform (`name`).
    Platform,
    /// An environment.
    Environment,
    /// An organization.
    Organization,
    /// A deployment unit.
    Unit,
    /// A tenant.
    Tenant,
    /// A cluster: planned, never written in a blueprint, but read back from
    /// `placement.yaml`.
    Cluster,
}

impl NameKind {
    /// The longest name of this kind.
    pub fn max_len(self) -> usize {
        match self {
            NameKind::Platform => 20,
            NameKind::Environment => 12,
            NameKind::Organization | NameKind::Unit | NameKind::Tenant => 30,
            NameKind::Cluster => MAX_CLUSTER_NAME,
        }
    }

    /// The kind, as a word.
    pub fn noun(self) -> &'static str {
        match self {
            NameKind::Platform => "a platform name",
            NameKind::Environment => "an environment name",
            NameKind::Organization => "an organization name",
            NameKind::Unit => "a unit name",
            NameKind::Tenant => "a tenant name",
            NameKind::Cluster => "a cluster name",
        }
    }
}

/// Names a tenant may not take: its namespace would collide with a system namespace.
const RESERVED_TENANT_NAMES: &[&str] = &[
    "default",
    "system",
    "istio-system",
    "linkerd",
    "linkerd-cni",
    "cert-manager",
    "cilium-secrets",
];

/// Why `name` is not a valid name of `kind`, or `None` when it is.
pub fn check(kind: NameKind, name: &str) -> Option<String> {
    let max = kind.max_len();
    if name.is_empty() {
        return Some(format!("an empty name is not valid as {}", kind.noun()));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "`{}` is not valid as {}: {} is not allowed (use lowercase letters, digits and `-`)",
            name.escape_debug(),
            kind.noun(),
            describe_char(bad)
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some(format!(
            "`{name}` is not valid as {}: it must start with a lowercase letter",
            kind.noun()
        ));
    }
    if name.ends_with('-') {
        return Some(format!(
            "`{name}` is not valid as {}: it must not end with `-`",
            kind.noun()
        ));
    }
    if name.len() > max {
        return Some(format!(
            "`{name}` is too long for {}: {} characters, at most {max}",
            kind.noun(),
            name.len()
        ));
    }
    if kind == NameKind::Tenant
        && (RESERVED_TENANT_NAMES.contains(&name) || name.starts_with("kube-"))
    {
        return Some(format!(
            "`{name}` is reserved: a tenant's namespace is named after it and would collide with a system namespace"
        ));
    }
    None
}

fn describe_char(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("`{c}`")
    } else if c.is_whitespace() {
        "whitespace".to_owned()
    } else {
        format!("the character U+{:04X}", u32::from(c))
    }
}

/// A suggestion for a name that breaks the rules: lowercased, other characters replaced by
/// `-`, trimmed to the limit.
pub fn suggest(kind: NameKind, name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .chars()
        .take(kind.max_len())
        .collect();
    while out.ends_with('-') {
        out.pop();
    }
    (check(kind, &out).is_none() && out != name).then_some(out)
}

/// `names` in backticks, comma-separated (`none` for none): the choices a hint offers.
pub fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `name`, when it is close enough to be a typo.
pub fn did_you_mean<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + 'a + ?Sized,
{
    let name_lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c = c.as_ref();
            (
                strsim::jaro_winkler(&name_lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_owned())
}

/// The start of the AKS names of `tenant`'s node groups: AKS pool names are at most 12
/// lowercase alphanumerics, so the tenant is named by a hash, `t` + 7 hex digits; the
/// group's two-digit number follows.
pub fn aks_prefix(tenant: &str) -> String {
    let digest = Sha256::digest(tenant.as_bytes());
    let hex = digest.iter().take(4).fold(String::new(), |mut acc, b| {
        let _ = write!(acc, "{b:02x}");
        acc
    });
    format!("t{}", hex.get(..7).unwrap_or(&hex))
}

/// The AKS name of node group `index` (from 1) of `tenant`.
#[cfg(test)]
fn aks_pool_name(tenant: &str, index: u32) -> String {
    format!("{}{index:02}", aks_prefix(tenant))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn aks_pool_names_are_short_alphanumerics() {
        let n = aks_pool_name("a-very-long-tenant-name-indeed", 12);
        assert_eq!(n.len(), 10);
        assert!(
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert!(n.starts_with('t'));
        assert_ne!(aks_pool_name("globex", 1), aks_pool_name("initech", 1));
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let units = ["standard", "large"];
        assert_eq!(did_you_mean("standrd", &units).as_deref(), Some("standard"));
        assert_eq!(did_you_mean("xyz", &units), None);
    }

    #[test]
    fn valid_names() {
        assert_eq!(check(NameKind::Tenant, "globex"), None);
        assert_eq!(check(NameKind::Environment, "staging-2"), None);
        assert_eq!(check(NameKind::Platform, &"a".repeat(20)), None);
    }

    #[test]
    fn invalid_names_say_why() {
        assert!(
            check(NameKind::Tenant, "Globex")
                .unwrap()
                .contains("`G` is not allowed")
        );
        assert!(
            check(NameKind::Tenant, "2fast")
                .unwrap()
                .contains("start with a lowercase")
        );
        assert!(
            check(NameKind::Tenant, "globex-")
                .unwrap()
                .contains("end with `-`")
        );
        assert!(
            check(NameKind::Platform, &"a".repeat(21))
                .unwrap()
                .contains("at most 20")
        );
        assert!(
            check(NameKind::Tenant, "kube-system")
                .unwrap()
                .contains("reserved")
        );
        assert!(
            check(NameKind::Tenant, "../etc")
                .unwrap()
                .contains("`.` is not allowed")
        );
        assert!(
            check(NameKind::Tenant, "glоbex")
                .unwrap()
                .contains("U+043E")
        );
    }

    #[test]
    fn suggestions_are_valid() {
        assert_eq!(
            suggest(NameKind::Tenant, "Globex Corp").as_deref(),
            Some("globex-corp")
        );
        assert_eq!(suggest(NameKind::Tenant, "globex"), None);
    }
}

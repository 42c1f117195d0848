//! The words of review: an [`Impact`] (what one change does to one cluster or node group)
//! and its [`ImpactClass`]. Plain data, apart from the classification in
//! [`super`], so that the placement record can carry impacts without importing it.

use serde::Serialize;

/// What a change does to running infrastructure.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ImpactClass {
    /// Something is destroyed: a cluster or node group removed, a tenant moved away.
    Destroy,
    /// Destroyed and created again.
    Replace,
    /// A policy made weaker.
    Weaken,
    /// Nodes recreated one by one.
    Roll,
    /// Changed in place.
    Update,
    /// Something new.
    Create,
}

impl ImpactClass {
    /// The word in review.
    pub fn word(self) -> &'static str {
        match self {
            Self::Destroy => "destroy",
            Self::Replace => "replace",
            Self::Weaken => "weaken",
            Self::Roll => "roll",
            Self::Update => "update",
            Self::Create => "create",
        }
    }

    /// Whether review flags it: replace, destroy and weaken always; roll in production.
    pub fn flagged(self, production: bool) -> bool {
        match self {
            Self::Destroy | Self::Replace | Self::Weaken => true,
            Self::Roll => production,
            Self::Update | Self::Create => false,
        }
    }
}

/// One change to one cluster or node group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    /// What it does.
    pub impact: ImpactClass,
    /// The cluster (its new name when a repack renamed it).
    pub cluster: String,
    /// Its environment.
    pub environment: String,
    /// Whether that environment is production.
    pub production: bool,
    /// The node group, when the change is to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_group: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// Where the rule comes from: a row of the replace table's source, or `plan` for what
    /// the plan itself decides (placement, policy).
    pub source: String,
}

impl Impact {
    /// Whether review flags it.
    pub fn flagged(&self) -> bool {
        self.impact.flagged(self.production)
    }

    /// One line for people: `! replace cluster `a` (prod, production): … [source]`.
    pub fn line(&self) -> String {
        let mark = if self.flagged() { '!' } else { '~' };
        let group = self
            .node_group
            .as_ref()
            .map(|g| format!(" node group `{g}` of"))
            .unwrap_or_default();
        let production = if self.production { ", production" } else { "" };
        format!(
            "{mark} {}{group} cluster `{}` ({}{production}): {} [source: {}]",
            self.impact.word().to_uppercase(),
            self.cluster,
            self.environment,
            self.reason,
            self.short_source()
        )
    }

    /// The source without its explanation in parentheses (the JSON has it whole).
    pub fn short_source(&self) -> &str {
        self.source
            .split_once(" (")
            .map_or(self.source.as_str(), |(s, _)| s)
    }
}

/// What review says about an encryption or CNI change on a live cluster.
pub const SAFE_PATH: &str = "not an in-place change on a live cluster; the safe path is new clusters alongside with the new stack, tenants migrated to them (`--repack`, in two steps), then the old clusters retired";

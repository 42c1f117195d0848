//! The bottom layer: clouds and the words every stage shares, with no I/O.
//!
//! [`Cloud`] and the policy vocabulary ([`policy`]) are what the blueprint is written in
//! and what the plan decides with; [`facts`] holds each cloud's quotas, account, region and
//! instance shapes; [`prices`] the list price of a cluster's management fee; [`names`] the
//! name rules and limits every derived cloud name is built to fit. Nothing here knows the
//! blueprint's YAML, the plan or a target.

pub mod aws;
pub mod azure;
pub mod facts;
pub mod gcp;
pub mod names;
pub mod policy;
pub mod prices;
pub mod replace;
pub mod support;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A cloud provider.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Amazon Web Services (EKS).
    Aws,
    /// Google Cloud (GKE).
    Gcp,
    /// Microsoft Azure (AKS).
    Azure,
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        })
    }
}

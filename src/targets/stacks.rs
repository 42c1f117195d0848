//! The Terraform stacks of a plan: which exist, where each lives, where its state is kept,
//! and what it must wait for. The Terraform target lays the stacks out (and writes
//! `atlantis.yaml` from this list); the docs target gives their apply order in the README.
//! Neither target imports the other, so the list is made here, once.
//!
//! Stage 4. Input: the [`Plan`]. Output: a [`Stack`] per environment foundation and per
//! cluster, in apply order (per environment: its foundation, then its clusters by name).
//!
//! A stack is the unit that is planned and applied, with a state of its own: per
//! environment one `foundation` (network, shared keys, cloud prerequisites) and per cluster
//! one stack. A bad apply reaches one cluster's state, not the environment's.
//!
//! A cluster renamed by `--repack` keeps the state key of its first name: its stack moves
//! to the new directory and continues the state of the old one, so Terraform plans the
//! rename as what it is (the cloud resources whose name changes are replaced; nothing is
//! left behind in an orphaned state). Cluster names are never reused, so no other stack
//! can come to hold that key.

use crate::cloud::Cloud;
use crate::plan::{ClusterPlan, EnvironmentPlan, Plan};

/// The name of every environment's foundation stack (a cluster can never be named so:
/// cluster names are `<platform>-<environment>-…`).
pub const FOUNDATION: &str = "foundation";

/// Which kind of stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackKind {
    /// An environment's network, shared keys and prerequisites.
    Foundation,
    /// One cluster.
    Cluster,
}

/// One Terraform stack: a root module with a state of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    /// Foundation or cluster.
    pub kind: StackKind,
    /// Its environment.
    pub environment: String,
    /// `foundation`, or the cluster's name.
    pub name: String,
    /// Its directory in the output tree: `terraform/<environment>/<name>`.
    pub dir: String,
    /// The cloud it is applied to.
    pub cloud: Cloud,
    /// Whether its environment is production.
    pub production: bool,
    /// Its state's key in the backend: an object key on S3 and Azure blob storage, a
    /// prefix on GCS (which names the object itself).
    pub state_key: String,
    /// The directory of the stack that must be applied before it: a cluster's foundation.
    pub depends_on: Option<String>,
}

/// Every stack of `plan`, in apply order. An environment without clusters has none: there
/// would be nothing to run in it.
pub fn stacks(plan: &Plan) -> Vec<Stack> {
    let mut out = Vec::new();
    for environment in &plan.environments {
        let clusters = clusters_of(plan, environment);
        if clusters.is_empty() {
            continue;
        }
        out.push(foundation(&plan.platform, environment));
        for c in clusters {
            out.push(cluster(&plan.platform, environment, c));
        }
    }
    out
}

/// The clusters of `environment`, by name: one stack each.
pub fn clusters_of<'a>(plan: &'a Plan, environment: &EnvironmentPlan) -> Vec<&'a ClusterPlan> {
    let mut clusters: Vec<&ClusterPlan> = plan
        .clusters
        .iter()
        .filter(|c| c.environment == environment.name)
        .collect();
    clusters.sort_by(|a, b| a.name.cmp(&b.name));
    clusters
}

/// The foundation stack of `environment`.
pub fn foundation(platform: &str, environment: &EnvironmentPlan) -> Stack {
    Stack {
        kind: StackKind::Foundation,
        environment: environment.name.clone(),
        name: FOUNDATION.to_owned(),
        dir: dir(&environment.name, FOUNDATION),
        cloud: environment.cloud,
        production: environment.production,
        state_key: state_key(environment.cloud, platform, &environment.name, FOUNDATION),
        depends_on: None,
    }
}

/// The stack of `cluster`, whose environment is `environment`.
pub fn cluster(platform: &str, environment: &EnvironmentPlan, cluster: &ClusterPlan) -> Stack {
    Stack {
        kind: StackKind::Cluster,
        environment: environment.name.clone(),
        name: cluster.name.clone(),
        dir: dir(&environment.name, &cluster.name),
        cloud: environment.cloud,
        production: environment.production,
        state_key: state_key(
            environment.cloud,
            platform,
            &environment.name,
            cluster.formerly.first().unwrap_or(&cluster.name),
        ),
        depends_on: Some(dir(&environment.name, FOUNDATION)),
    }
}

/// The directory of the module of `cloud` that every stack of `kind` on it calls:
/// `terraform/modules/<cloud>-cluster` or `terraform/modules/<cloud>-foundation`.
pub fn module_dir(cloud: Cloud, kind: StackKind) -> String {
    format!("terraform/modules/{}", module_name(cloud, kind))
}

/// The `source` of that module as a stack calls it (stacks are two levels below
/// `terraform/`).
pub fn module_source(cloud: Cloud, kind: StackKind) -> String {
    format!("../../modules/{}", module_name(cloud, kind))
}

fn module_name(cloud: Cloud, kind: StackKind) -> String {
    match kind {
        StackKind::Foundation => format!("{cloud}-{FOUNDATION}"),
        StackKind::Cluster => format!("{cloud}-cluster"),
    }
}

fn dir(environment: &str, name: &str) -> String {
    format!("terraform/{environment}/{name}")
}

fn state_key(cloud: Cloud, platform: &str, environment: &str, name: &str) -> String {
    match cloud {
        // An object key (S3, Azure blob); GCS takes a prefix and names the object itself.
        Cloud::Aws | Cloud::Azure => {
            format!("clusterwright/{platform}/{environment}/{name}.tfstate")
        }
        Cloud::Gcp => format!("clusterwright/{platform}/{environment}/{name}"),
    }
}

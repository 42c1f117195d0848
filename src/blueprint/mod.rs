//! The blueprint: the user's intent exactly as written (format version 1).
//!
//! Stage 1 of the pipeline. Input: a YAML file. Output: [`Loaded`] — the source text and the
//! [`Blueprint`] parsed from it — or [`Problems`] that point at
//! `file:line:column`. The types mirror the YAML one to one: `Option` where the user may leave
//! a key out, `deny_unknown_fields` everywhere, maps keyed by name so that names are unique
//! by construction. Nothing here decides anything; `validate` checks, `plan` resolves.

pub mod diagnostic;
mod every;
pub mod parse;
pub mod schema;
pub mod source;
mod split;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::blueprint::diagnostic::{Problem, Problems, Rule};
pub use crate::cloud::Cloud;
pub use crate::cloud::policy::{
    Boundary, Encryption, Endpoint, Mesh, NetworkEncryption, ProductionIsolation, Trust,
};
use source::KeyPath;

/// The commented starter blueprint `clusterwright init` writes.
pub const STARTER: &str = include_str!("starter.yaml");

/// The blueprint format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// The largest blueprint file read. A blueprint of 50,000 tenants is about 8 MiB; anything
/// much larger is not a blueprint, and reading it would only cost memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A platform blueprint, format version 1.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "clusterwright blueprint (format version 1)")]
pub struct Blueprint {
    /// Format version of this file; must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// Platform name: `[a-z][a-z0-9-]*`, at most 20 characters. Prefix of every cluster
    /// and cloud resource name.
    #[schemars(pattern(r"^[a-z]([a-z0-9-]*[a-z0-9])?$"), length(min = 1, max = 20))]
    pub name: String,
    /// Default cloud of every environment.
    pub cloud: Cloud,
    /// Default region of every environment.
    pub region: String,
    /// Kubernetes minor version of every cluster, e.g. "1.33".
    #[schemars(pattern(r"^1\.[0-9]{1,3}$"))]
    pub kubernetes_version: String,
    /// Tags (labels on GCP) put on every cloud resource that takes them.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The platform's policy: isolation, encryption, blast radius, and waivers.
    pub policy: Policy,
    /// Environments by name. Each has its own cloud account, network range and clusters.
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z]([a-z0-9-]*[a-z0-9])?$", "maxLength": 12}))]
    pub environments: BTreeMap<String, Environment>,
    /// Organizational boundaries by name.
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z]([a-z0-9-]*[a-z0-9])?$", "maxLength": 30}))]
    pub organizations: BTreeMap<String, Organization>,
    /// Business deployment units by name: the shape of one cluster.
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z]([a-z0-9-]*[a-z0-9])?$", "maxLength": 30}))]
    pub units: BTreeMap<String, Unit>,
    /// Tenants (customers or teams that run workloads) by name.
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z]([a-z0-9-]*[a-z0-9])?$", "maxLength": 30}))]
    pub tenants: BTreeMap<String, Tenant>,
}

/// The platform's policy. Policy drives architecture: the planner never weakens it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Policy {
    /// Workload identity required: only `mtls` or `defense-in-depth` satisfy it.
    pub zero_trust: bool,
    /// How traffic between workloads is encrypted.
    pub encryption: Encryption,
    /// Transparent encryption protocol for `network` and `defense-in-depth`. Default:
    /// `wireguard` (keys made by each node; nothing to distribute).
    pub network_encryption: Option<NetworkEncryption>,
    /// Service mesh for `mtls` and `defense-in-depth`; required with those.
    pub mesh: Option<Mesh>,
    /// How production is cut off from non-production. Default: `account`.
    pub production_isolation: Option<ProductionIsolation>,
    /// Limits on how much one cluster may hold. Default: none beyond the units' shapes
    /// and the managed service's quotas.
    pub blast_radius: Option<BlastRadius>,
    /// Explicit, reviewed exceptions to named rules.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// Limits on how much one cluster may hold.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BlastRadius {
    /// Most tenants in one cluster.
    pub max_tenants_per_cluster: Option<u32>,
    /// Most nodes in one cluster (tenant nodes; the system node group comes on top).
    pub max_nodes_per_cluster: Option<u32>,
}

/// An explicit exception to a named rule, with the reason a reviewer reads.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Waiver {
    /// The rule waived, e.g. `mesh-addon-traffic`.
    pub rule: String,
    /// Why the exception is acceptable.
    pub reason: String,
}

/// An environment: its own account, network range and clusters.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Environment {
    /// Whether this environment is production.
    pub production: bool,
    /// AWS account id, GCP project id or Azure subscription id.
    pub account: String,
    /// IPv4 range every cluster of this environment takes its addresses from.
    pub cidr: String,
    /// Cloud of this environment, when it differs from the blueprint's.
    pub cloud: Option<Cloud>,
    /// Region of this environment, when it differs from the blueprint's.
    pub region: Option<String>,
    /// Azure only: the Entra ID directory (tenant) id the subscription belongs to.
    pub directory: Option<String>,
    /// Who administers the clusters of this environment, and from where.
    pub access: Option<Access>,
}

/// Who administers an environment's clusters, and from where their API is reachable.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Access {
    /// Principals given cluster-admin on every cluster of the environment: AWS IAM role
    /// ARNs, GCP IAM members (`group:…`, `user:…`, `serviceAccount:…`), Azure Entra group
    /// object ids.
    #[serde(default)]
    pub admins: Vec<String>,
    /// `private` (default): the API is reachable from inside the network only;
    /// `allowlist`: also from the ranges in `from`.
    pub endpoint: Option<Endpoint>,
    /// Operators' and CI's egress ranges (IPv4 CIDRs), with `endpoint: allowlist` only.
    #[serde(default)]
    pub from: Vec<String>,
}

/// An organizational boundary.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Organization {
    /// `hard`: never shares a cluster with another organization; `soft`: may share with
    /// other soft organizations.
    pub boundary: Boundary,
}

/// A business deployment unit: the shape of one cluster.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Unit {
    /// Most tenants one cluster of this unit hosts.
    #[schemars(range(min = 1))]
    pub tenants_per_cluster: u32,
    /// Most tenant node groups one cluster of this unit has.
    #[schemars(range(min = 1))]
    pub node_groups_per_cluster: u32,
    /// Most nodes (VMs) in one node group.
    #[schemars(range(min = 1))]
    pub nodes_per_group: u32,
    /// Instance type of the nodes, in the cloud's naming: one name, or one per cloud for a
    /// unit whose tenants run in environments on several clouds
    /// (`{ aws: m6i.xlarge, gcp: n2-standard-4 }`).
    pub instance_type: InstanceType,
}

/// A unit's instance type as written: one name for every cloud the unit is used on, or a
/// name per cloud. Validation checks that every cloud where the unit's tenants run has one;
/// the plan picks the one of each cluster's cloud.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum InstanceType {
    /// One instance type, e.g. `m6i.xlarge`.
    One(String),
    /// An instance type per cloud, e.g. `{ aws: m6i.xlarge, gcp: n2-standard-4 }`.
    #[schemars(with = "PerCloud")]
    PerCloud(BTreeMap<Cloud, String>),
}

// `InstanceType::PerCloud` as read: the clouds as named keys, so that an unknown one is an
// unknown key with the nearest cloud suggested, and editors complete them from the schema.
/// An instance type for each cloud where the unit's tenants run.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "InstanceTypePerCloud", transform = every_key_optional)]
struct PerCloud {
    /// EC2 instance type, e.g. `m6i.xlarge`.
    #[schemars(with = "String")]
    aws: Option<String>,
    /// Compute Engine machine type, e.g. `n2-standard-4`.
    #[schemars(with = "String")]
    gcp: Option<String>,
    /// Azure VM size, e.g. `Standard_D4s_v5`.
    #[schemars(with = "String")]
    azure: Option<String>,
}

impl From<PerCloud> for BTreeMap<Cloud, String> {
    fn from(p: PerCloud) -> Self {
        [
            (Cloud::Aws, p.aws),
            (Cloud::Gcp, p.gcp),
            (Cloud::Azure, p.azure),
        ]
        .into_iter()
        .filter_map(|(cloud, name)| Some((cloud, name?)))
        .collect()
    }
}

impl InstanceType {
    /// The instance type for nodes on `cloud`, if the blueprint gives one.
    pub fn on(&self, cloud: Cloud) -> Option<&str> {
        match self {
            Self::One(name) => Some(name),
            Self::PerCloud(by_cloud) => by_cloud.get(&cloud).map(String::as_str),
        }
    }
}

// A hand-written `Deserialize` instead of `#[serde(untagged)]`: an untagged enum buffers the
// value and reports only "did not match any variant", losing the location and the reason.
// This visitor reads a string or a mapping directly, so an unknown cloud key is reported as
// an unknown value (with the nearest name) at its own line and column.
impl<'de> Deserialize<'de> for InstanceType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = InstanceType;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an instance type, or a mapping of cloud to instance type")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(InstanceType::One(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(InstanceType::One(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                PerCloud::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|p| InstanceType::PerCloud(p.into()))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// A tenant: a customer or team that runs workloads.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tenant {
    /// The organization the tenant belongs to.
    pub organization: String,
    /// `untrusted` tenants get clusters of their own (hard multi-tenancy).
    pub trust: Trust,
    /// The deployment unit whose clusters host this tenant.
    pub unit: String,
    /// The environments the tenant runs in.
    pub environments: Vec<String>,
    /// Dedicated node groups. Default: 1.
    #[schemars(range(min = 1))]
    pub node_groups: Option<u32>,
    /// VMs needed in total, spread over the node groups. Default: one per node group.
    #[schemars(range(min = 1))]
    pub nodes: Option<u32>,
}

/// Drops `required` from a schema: each cloud key of a per-cloud instance type is optional
/// (validation asks for the clouds the unit's tenants run on), and a key given is a name,
/// not `null`.
fn every_key_optional(schema: &mut schemars::Schema) {
    schema.remove("required");
}

/// A blueprint file read and parsed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The path as the user gave it (shown in messages; never written into output).
    pub path: PathBuf,
    /// The file's text, for locating problems.
    pub source: String,
    /// The parsed blueprint.
    pub blueprint: Blueprint,
}

/// Reads and parses the blueprint at `path`.
pub fn load(path: &Path) -> Result<Loaded, Problems> {
    let origin = SourceOrigin::new(path, String::new());
    let metadata = std::fs::metadata(path).map_err(|e| origin.io_problem(&e))?;
    if metadata.is_dir() {
        return Err(origin.single(
            Problem::error(
                Rule::Read,
                KeyPath::root(),
                "this is a directory, not a blueprint file",
            )
            .with_help("give the path of the blueprint YAML file, e.g. `blueprint.yaml`"),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(origin.single(
            Problem::error(
                Rule::Read,
                KeyPath::root(),
                format!(
                    "the file is {} bytes; a blueprint is at most {MAX_FILE_BYTES} bytes (32 MiB)",
                    metadata.len()
                ),
            )
            .with_help("is this the right file? a blueprint of 50,000 tenants is about 8 MiB"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| origin.io_problem(&e))?;
    let source = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(origin.single(
                Problem::error(
                    Rule::Read,
                    KeyPath::root(),
                    format!("the file is not UTF-8 text (invalid byte at offset {at})"),
                )
                .with_help("a blueprint is a YAML text file encoded as UTF-8"),
            ));
        }
    };
    parse(path, source)
}

/// Parses blueprint `source` read from `path`.
pub fn parse(path: &Path, source: String) -> Result<Loaded, Problems> {
    if let Some(blueprint) = split::parse(&source, source::half_options) {
        return Ok(Loaded {
            path: path.to_owned(),
            source,
            blueprint,
        });
    }
    match parse::deserialize::<Blueprint>(&source) {
        Ok(blueprint) => Ok(Loaded {
            path: path.to_owned(),
            source,
            blueprint,
        }),
        Err(problem) => {
            let problems = parse::every_problem(&source, *problem);
            Err(Problems::new(path, source, problems))
        }
    }
}

/// A path and its text, before the blueprint is known to parse: builds problems.
struct SourceOrigin {
    path: PathBuf,
    source: String,
}

impl SourceOrigin {
    fn new(path: &Path, source: String) -> Self {
        Self {
            path: path.to_owned(),
            source,
        }
    }

    fn single(self, problem: Problem) -> Problems {
        Problems::new(&self.path, self.source, vec![problem])
    }

    fn io_problem(&self, e: &std::io::Error) -> Problems {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            "check the path, or run `clusterwright init` to write a starter blueprint"
        } else {
            "check that the file is readable"
        };
        Problems::new(
            &self.path,
            self.source.clone(),
            vec![
                Problem::error(
                    Rule::Read,
                    KeyPath::root(),
                    format!("cannot read the file: {e}"),
                )
                .with_help(hint),
            ],
        )
    }
}

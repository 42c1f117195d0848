//! Terraform for AWS, as stacks: per environment a foundation stack that calls the
//! `aws-foundation` module once (VPCs, every cluster's subnets, NAT gateways and routes,
//! flow logs, the logs key) and per cluster a stack that calls the `aws-cluster` module
//! once (both under `templates/terraform/modules/`, copied as they are). The cluster module
//! finds the foundation's objects by the names and tags the plan gives them: the VPC by
//! `Name`, the cluster's node subnets by its `kubernetes.io/cluster/<name>` tag, the logs
//! key by its alias.
//!
//! The modules derive names from the environment's, VPCs' and clusters' names and the
//! tenant label from a node group's tenant; the plan stays the one source of names:
//! [`foundation_clusters`] and [`module_node_group`] compare what a module derives with
//! the plan before anything is rendered, and a difference is an [`Error::Bug`].
//!
//! Templates: `templates/terraform/aws/*.tf.tera`. Every context is built here from the
//! plan; what varies per environment and cluster comes from `EnvironmentPlan::resources`,
//! `access`, `ClusterPlan::resources`, `network` and `networking`; Terraform adds only the
//! stacks' directories and state keys ([`Stack`]).

use serde::Serialize;

use super::{ClusterView, Environment, EnvironmentView, Move, cilium};
use crate::cloud::policy::Endpoint;
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::encryption::CILIUM_AGENT_NOT_READY;
use crate::plan::network::AWS_CIDR_BLOCKS_PER_VPC_DEFAULT;
use crate::plan::resources::{AwsEnvironment, EnvironmentCloud, Tag};
use crate::plan::{ClusterPlan, EnvironmentPlan, NodeGroup, NodeGroupCloud, TENANT_LABEL};
use crate::targets::stacks::{self, Stack, StackKind};
use crate::targets::templates::{
    TEMPLATE_TF_AWS_CLUSTER, TEMPLATE_TF_AWS_CLUSTER_OUTPUTS, TEMPLATE_TF_AWS_FOUNDATION,
    TEMPLATE_TF_AWS_OUTPUTS, TEMPLATE_TF_AWS_PROVIDERS, TEMPLATE_TF_AWS_VARIABLES,
    TEMPLATE_TF_AWS_VERSIONS,
};

/// Context of the files every AWS stack has: `versions.tf`, `providers.tf` and
/// `variables.tf` (each type alias below names one).
#[derive(Debug, Serialize)]
pub struct StackContext<'a> {
    /// The environment: name, account, region, tags, the provider's session name.
    pub environment: &'a StackEnvironment<'a>,
    /// The stack: what it is and its state key.
    pub stack: StackView,
    /// The texts of `variables.tf`.
    pub variables: &'a Variables,
}

/// The environment as every stack sees it: what its provider and module call need, and no
/// more. (The whole plan of an environment holds every VPC of its clusters; serialized for
/// every file of every cluster's stack, it made rendering quadratic in the clusters.)
/// Serialized in the shape of [`EnvironmentView`], so a template reads the same paths in
/// either.
#[derive(Debug, Serialize)]
pub struct StackEnvironment<'a> {
    /// Name.
    pub name: &'a str,
    /// Account id.
    pub account: &'a str,
    /// Region.
    pub region: &'a str,
    /// Who administers the clusters, and from where.
    pub access: &'a crate::plan::Access,
    /// The tags and the AWS names the stacks use.
    pub resources: StackResources<'a>,
}

/// What of the environment's resources the stacks use.
#[derive(Debug, Serialize)]
pub struct StackResources<'a> {
    /// Tags of every resource (the provider's default tags).
    pub tags: &'a std::collections::BTreeMap<String, String>,
    /// The AWS names.
    pub aws: StackAws<'a>,
}

/// The AWS names the stacks use.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackAws<'a> {
    /// The session name the provider assumes its role under.
    pub session_name: &'a str,
    /// The alias of the logs key, which the module looks up.
    pub logs_key_alias: &'a str,
}

impl<'a> StackEnvironment<'a> {
    fn of(plan: &'a crate::plan::EnvironmentPlan, aws: &'a AwsEnvironment) -> Self {
        Self {
            name: &plan.name,
            account: &plan.account,
            region: &plan.region,
            access: &plan.access,
            resources: StackResources {
                tags: &plan.resources.tags,
                aws: StackAws {
                    session_name: &aws.session_name,
                    logs_key_alias: &aws.logs_key_alias,
                },
            },
        }
    }
}

/// A stack as its `versions.tf` and `variables.tf` see it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackView {
    /// The key of its state in the S3 bucket.
    pub state_key: String,
    /// A cluster stack whose CNI is Cilium: it has the `node_groups_enabled` variable.
    pub cilium: bool,
}

impl StackView {
    fn of(stack: &Stack, cilium: bool) -> Self {
        Self {
            state_key: stack.state_key.clone(),
            cilium: cilium && stack.kind == StackKind::Cluster,
        }
    }
}

/// Context of `terraform/aws/versions.tf.tera`.
pub type VersionsContext<'a> = StackContext<'a>;
/// Context of `terraform/aws/providers.tf.tera`.
pub type ProvidersContext<'a> = StackContext<'a>;
/// Context of `terraform/aws/variables.tf.tera`.
pub type VariablesContext<'a> = StackContext<'a>;

/// Context of the foundation's `main.tf` (`terraform/aws/foundation.tf.tera`, the call of
/// the `aws-foundation` module) and `outputs.tf` (each type alias below names one).
#[derive(Debug, Serialize)]
pub struct FoundationContext<'a> {
    /// The module's source, relative to the stack.
    pub source: String,
    /// The environment: name, range, production, resources (name, zones).
    pub environment: &'a EnvironmentView<'a>,
    /// Its VPCs: the environment's, or one per cluster; each with its NAT gateways.
    pub vpcs: Vec<FoundationVpc<'a>>,
    /// NAT gateways (and Elastic IPs) of the environment, all VPCs together.
    pub nat_gateways: u32,
    /// Nitro encrypts in transit (`policy.encryption: cloud-hardware`): VPC encryption
    /// controls and flow logs that record `encryption-status`.
    pub nitro: bool,
    /// The most IPv4 CIDR blocks one of its VPCs holds: its range and a pod range per
    /// cluster in it.
    pub cidr_blocks_per_vpc: usize,
    /// Whether that is more than the quota's default (`L-83CA0A9D`, 5).
    pub cidr_blocks_over_default: bool,
    /// The clusters, by name: what the module cannot derive from their names.
    pub clusters: Vec<FoundationCluster<'a>>,
}

/// One VPC as the `aws-foundation` module takes it: its `Name`, range and NAT gateways.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationVpc<'a> {
    /// Name.
    pub name: &'a str,
    /// Its range.
    pub cidr: &'a str,
    /// NAT gateways.
    pub nat_gateways: u32,
    /// The cluster in whose public subnets the NAT gateways are, when it is not the one the
    /// VPC is named after (the module's default).
    pub nat_cluster: Option<&'a str>,
}

/// One cluster as the `aws-foundation` module takes it. Its VPC, its subnets' names and
/// tags derive from its name ([`foundation_clusters`]).
#[derive(Debug, Serialize)]
pub struct FoundationCluster<'a> {
    /// Name.
    pub name: &'a str,
    /// Its node subnets, in zone order.
    pub private: &'a [String],
    /// Its public subnets, in zone order.
    pub public: &'a [String],
    /// Its pod range, a secondary range of its VPC: the module makes its first three
    /// quarters the pod subnets, in zone order.
    pub pods: &'a str,
    /// The secondary range of its public subnets, when they are not in its block.
    pub public_range: Option<&'a str>,
}

/// Context of `terraform/aws/foundation.tf.tera`.
pub type FoundationMainContext<'a> = FoundationContext<'a>;
/// Context of `terraform/aws/outputs.tf.tera`.
pub type OutputsContext<'a> = FoundationContext<'a>;

/// The node group type the `aws-cluster` module takes when a node group leaves `ami_type`
/// out (`optional(string, ...)` in its `variables.tf`).
pub const MODULE_DEFAULT_AMI_TYPE: &str = "AL2023_x86_64_STANDARD";

/// One node group as the `aws-cluster` module takes it: the module labels a tenant's nodes
/// `clusterwright.io/tenant=<tenant>` and adds Cilium's taint itself ([`module_node_group`]).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleNodeGroup<'a> {
    /// The group's name in the plan (the map key).
    pub name: &'a str,
    /// Its tenant; `None` for the system group.
    pub tenant: Option<&'a str>,
    /// Instance type.
    pub instance_type: &'a str,
    /// EKS AMI type, when it is not [`MODULE_DEFAULT_AMI_TYPE`].
    pub ami_type: Option<&'static str>,
    /// Nodes.
    pub nodes: u32,
    /// Taints, without Cilium's.
    pub taints: Vec<ModuleTaint<'a>>,
}

/// A taint as the `aws-cluster` module takes it.
#[derive(Debug, Serialize)]
pub struct ModuleTaint<'a> {
    /// Key.
    pub key: &'a str,
    /// Value.
    pub value: &'a str,
    /// Effect as EKS spells it (`NO_SCHEDULE`).
    pub effect: &'static str,
}

/// Context of a cluster stack's `main.tf` (`terraform/aws/cluster.tf.tera`, the module
/// call) and `outputs.tf` (`terraform/aws/cluster_outputs.tf.tera`).
#[derive(Debug, Serialize)]
pub struct ClusterContext<'a> {
    /// The module's source, relative to the stack.
    pub source: String,
    /// Kubernetes minor version.
    pub kubernetes_version: &'a str,
    /// The cluster's environment: its access settings and logs key alias.
    pub environment: &'a StackEnvironment<'a>,
    /// The cluster: name, tenants, network, resources (VPC name, add-on versions).
    pub cluster: ClusterView<'a>,
    /// The ranges that reach the public API endpoint: `access.from` with
    /// `access.endpoint: allowlist`; empty (private endpoint only) otherwise.
    pub public_access_cidrs: &'a [String],
    /// Cilium is the CNI: no VPC CNI or kube-proxy add-on, and the first apply goes without
    /// node groups.
    pub cilium: bool,
    /// The system node group, then one per tenant node group; without Cilium's
    /// agent-not-ready taint, which the module adds to every group when `cilium`, and
    /// without the tenant label, which the module derives.
    pub node_groups: Vec<ModuleNodeGroup<'a>>,
}

/// Context of `terraform/aws/cluster_outputs.tf.tera`.
pub type ClusterOutputsContext<'a> = ClusterContext<'a>;

/// The texts of `variables.tf`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variables {
    /// Description of `assume_role_arn`.
    pub assume_role_description: String,
    /// Its validation message.
    pub assume_role_error: String,
    /// The pattern an IAM role ARN of the environment's account matches (any partition).
    pub role_arn_pattern: String,
}

impl Variables {
    fn new(account: &str, environment: &str) -> Self {
        Self {
            assume_role_description: format!(
                "IAM role in account {account} that Terraform assumes for environment {environment}; without access.admins, also the clusters' admin."
            ),
            assume_role_error: format!("assume_role_arn must be an IAM role in account {account}."),
            role_arn_pattern: format!("^arn:aws[a-z-]*:iam::{account}:role/"),
        }
    }
}

/// The files every AWS stack has, with one context ([`StackContext`]).
const COMMON_FILES: &[(&str, &str)] = &[
    ("versions.tf", TEMPLATE_TF_AWS_VERSIONS),
    ("providers.tf", TEMPLATE_TF_AWS_PROVIDERS),
    ("variables.tf", TEMPLATE_TF_AWS_VARIABLES),
];

/// The address of the foundation stack's call of the `aws-foundation` module.
pub const FOUNDATION_MODULE: &str = "module.foundation";

/// Renders the foundation and cluster stacks of one AWS environment.
pub fn render(env: &Environment<'_>, tree: &mut OutputTree) -> Result<()> {
    let plan = env.environment;
    let EnvironmentCloud::Aws(aws) = &plan.resources.cloud else {
        return Err(Error::Bug(format!(
            "environment `{}` is on AWS but has no AWS resources",
            plan.name
        )));
    };
    let view = EnvironmentView::new(&env.plan.platform, plan);
    let slim = StackEnvironment::of(plan, aws);
    let variables = Variables::new(&plan.account, &plan.name);

    let foundation = env.foundation();
    let common = |stack: &Stack, cilium: bool| StackContext {
        environment: &slim,
        stack: StackView::of(stack, cilium),
        variables: &variables,
    };
    let context = common(&foundation, false);
    env.emit_foundation(tree, COMMON_FILES, &context)?;
    let cidr_blocks_per_vpc = cidr_blocks_per_vpc(aws);
    let context = FoundationContext {
        source: stacks::module_source(plan.cloud, StackKind::Foundation),
        environment: &view,
        vpcs: foundation_vpcs(aws),
        nat_gateways: aws.vpcs.iter().map(|v| v.nat_gateways).sum(),
        nitro: aws.nitro,
        cidr_blocks_per_vpc,
        cidr_blocks_over_default: cidr_blocks_per_vpc > AWS_CIDR_BLOCKS_PER_VPC_DEFAULT,
        clusters: foundation_clusters(plan, aws, &env.clusters)?,
    };
    env.emit_foundation(
        tree,
        &[
            ("main.tf", TEMPLATE_TF_AWS_FOUNDATION),
            ("outputs.tf", TEMPLATE_TF_AWS_OUTPUTS),
        ],
        &context,
    )?;
    env.emit_foundation_moves(tree, |from, to| foundation_moves(aws, from, to))?;

    for cluster in &env.clusters {
        let stack = env.stack(cluster);
        let context = common(&stack, cilium(cluster));
        env.emit_stack(tree, cluster, COMMON_FILES, &context)?;
        let context = cluster_context(env, &slim, cluster)?;
        env.emit_stack(
            tree,
            cluster,
            &[
                ("main.tf", TEMPLATE_TF_AWS_CLUSTER),
                ("outputs.tf", TEMPLATE_TF_AWS_CLUSTER_OUTPUTS),
            ],
            &context,
        )?;
    }
    Ok(())
}

fn cluster_context<'a>(
    env: &'a Environment<'a>,
    view: &'a StackEnvironment<'a>,
    cluster: &'a ClusterPlan,
) -> Result<ClusterContext<'a>> {
    Ok(ClusterContext {
        source: stacks::module_source(env.environment.cloud, StackKind::Cluster),
        kubernetes_version: &env.plan.kubernetes_version,
        environment: view,
        cluster: ClusterView::new(cluster),
        public_access_cidrs: match env.environment.access.endpoint {
            Endpoint::Allowlist => &env.environment.access.from,
            Endpoint::Private => &[],
        },
        cilium: cilium(cluster),
        node_groups: cluster
            .node_groups
            .iter()
            .map(module_node_group)
            .collect::<Result<_>>()?,
    })
}

/// The module's view of node group `g`. The `aws-cluster` module labels a tenant's nodes
/// `clusterwright.io/tenant=<tenant>` (and the system group's not at all), adds Cilium's
/// taint itself and defaults the AMI type to [`MODULE_DEFAULT_AMI_TYPE`]: a plan whose
/// labels say otherwise is a bug here.
pub fn module_node_group(g: &NodeGroup) -> Result<ModuleNodeGroup<'_>> {
    let tenant = g.tenant.as_ref().map(|t| t.name.as_str());
    let labels: Vec<(&str, &str)> = g
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let derived: Vec<(&str, &str)> = tenant.map(|t| (TENANT_LABEL, t)).into_iter().collect();
    if labels != derived {
        return Err(Error::Bug(format!(
            "node group `{}`: the aws-cluster module derives the labels {derived:?} from its tenant, the plan has {labels:?}",
            g.name
        )));
    }
    let NodeGroupCloud::Aws { ami_type } = g.cloud else {
        return Err(Error::Bug(format!(
            "node group `{}` is on EKS but has no AMI type",
            g.name
        )));
    };
    Ok(ModuleNodeGroup {
        name: &g.name,
        tenant,
        instance_type: &g.instance_type,
        ami_type: (ami_type != MODULE_DEFAULT_AMI_TYPE).then_some(ami_type),
        nodes: g.nodes,
        taints: node_groups_taints(g),
    })
}

/// The taints of `g` without Cilium's, which the module adds to every group of a Cilium
/// cluster.
fn node_groups_taints(g: &NodeGroup) -> Vec<ModuleTaint<'_>> {
    g.taints
        .iter()
        .filter(|t| t.key != CILIUM_AGENT_NOT_READY)
        .map(|t| ModuleTaint {
            key: &t.key,
            value: &t.value,
            effect: t.effect.upper(),
        })
        .collect()
}

/// The clusters of environment `plan` as the `aws-foundation` module takes them, after
/// checking that every name the module derives (from the environment's resource name, each
/// VPC's and each cluster's name) is the plan's: the logs key's alias and description, the
/// flow-log group and role; each VPC's route tables and NAT gateways; each cluster's subnet
/// names, its `kubernetes.io/cluster/<name>` tag and, with Cilium, its pod-subnet tag. The
/// cluster stacks and the Cilium values look these up by the plan's names; a difference is
/// an [`Error::Bug`].
pub fn foundation_clusters<'a>(
    plan: &EnvironmentPlan,
    aws: &AwsEnvironment,
    clusters: &[&'a ClusterPlan],
) -> Result<Vec<FoundationCluster<'a>>> {
    let name = &plan.resources.name;
    let mut pairs = shared_names(name, aws, clusters);
    let mut out = Vec::new();
    for cluster in clusters {
        let c = &cluster.name;
        let Some(resources) = cluster.resources.aws() else {
            return Err(Error::Bug(format!(
                "cluster `{c}` is on AWS but has no AWS resources"
            )));
        };
        // The module puts a cluster in the VPC named after it, or else in the
        // environment's, named after the environment's resources.
        let own = aws.vpcs.iter().any(|v| &v.name == c);
        pairs.push((
            format!("cluster {c}: VPC"),
            if own { c.clone() } else { name.clone() },
            resources.vpc.clone(),
        ));
        let tag =
            |t: Option<&Tag>| t.map_or_else(String::new, |t| format!("{}={}", t.key, t.value));
        pairs.push((
            format!("cluster {c}: node subnets"),
            format!("{c}-private-"),
            resources.private_name_prefix.clone(),
        ));
        pairs.push((
            format!("cluster {c}: public subnets"),
            format!("{c}-public-"),
            resources.public_name_prefix.clone(),
        ));
        pairs.push((
            format!("cluster {c}: owned tag"),
            format!("kubernetes.io/cluster/{c}"),
            resources.owned_tag_key.clone(),
        ));
        pairs.push((
            format!("cluster {c}: pod-subnet tag"),
            format!("{MODULE_POD_SUBNET_TAG}={c}"),
            tag(resources.pod_subnet_tag.as_ref()),
        ));
        let Some(pods) = cluster.network.pod_cidr.as_deref() else {
            return Err(Error::Bug(format!(
                "cluster `{c}` is on AWS but has no pod range"
            )));
        };
        pairs.push((
            format!("cluster {c}: pod subnets"),
            quarters(pods).join(", "),
            cluster.network.pod_subnets.join(", "),
        ));
        out.push(FoundationCluster {
            name: c,
            private: &cluster.network.node_subnets,
            public: &cluster.network.public_subnets,
            pods,
            public_range: cluster.network.public_cidr.as_deref(),
        });
    }
    for (what, derived, planned) in pairs {
        if derived != planned {
            return Err(Error::Bug(format!(
                "environment `{}`, {what}: the aws-foundation module derives `{derived}`, the plan names it `{planned}`",
                plan.name
            )));
        }
    }
    Ok(out)
}

/// What the `aws-foundation` module derives from the environment's resource name and each
/// VPC's name, and what the plan says: (what, derived, planned).
fn shared_names(
    name: &str,
    aws: &AwsEnvironment,
    clusters: &[&ClusterPlan],
) -> Vec<(String, String, String)> {
    let mut pairs: Vec<(String, String, String)> = vec![
        (
            "logs key alias".into(),
            format!("alias/{name}-logs"),
            aws.logs_key_alias.clone(),
        ),
        (
            "logs key description".into(),
            format!("{name}: CloudWatch Logs (VPC flow logs, EKS control-plane logs)"),
            aws.logs_key_description.clone(),
        ),
        (
            "flow-log group".into(),
            format!("/clusterwright/{name}/vpc-flow-logs"),
            aws.flow_log_group.clone(),
        ),
        (
            "flow-log role".into(),
            format!("{name}-vpc-flow-logs"),
            aws.flow_logs_role.clone(),
        ),
    ];
    for vpc in &aws.vpcs {
        let v = &vpc.name;
        // A VPC named after a cluster is that cluster's own.
        let own = clusters.iter().any(|c| &c.name == v);
        pairs.push((
            format!("VPC {v}: cluster"),
            if own { v.clone() } else { String::new() },
            vpc.cluster.clone().unwrap_or_default(),
        ));
        pairs.push((
            format!("VPC {v}: public route table"),
            format!("{v}-public"),
            vpc.public_route_table.clone(),
        ));
        pairs.push((
            format!("VPC {v}: private route tables"),
            format!("{v}-private-"),
            vpc.private_route_table_prefix.clone(),
        ));
        pairs.push((
            format!("VPC {v}: NAT gateways"),
            format!("{v}-nat-"),
            vpc.nat_name_prefix.clone(),
        ));
    }
    pairs
}

/// The VPCs of `aws` as the `aws-foundation` module takes them: a VPC's NAT gateways are in
/// the public subnets of the cluster it is named after unless `nat_cluster` says otherwise.
fn foundation_vpcs(aws: &AwsEnvironment) -> Vec<FoundationVpc<'_>> {
    aws.vpcs
        .iter()
        .map(|v| FoundationVpc {
            name: &v.name,
            cidr: &v.cidr,
            nat_gateways: v.nat_gateways,
            nat_cluster: (v.nat_cluster != v.name).then_some(v.nat_cluster.as_str()),
        })
        .collect()
}

/// The key of the tag the `aws-foundation` module puts on a cluster's pod subnets (value:
/// the cluster's name), as its `network.tf` spells it.
pub const MODULE_POD_SUBNET_TAG: &str = "clusterwright.io/pod-subnet";

/// The first three quarters of `range`, the pod subnets the `aws-foundation` module derives
/// from a pod range (`cidrsubnet(range, 2, zone)`).
fn quarters(range: &str) -> Vec<String> {
    let Ok(net) = range.parse::<ipnet::Ipv4Net>() else {
        return Vec::new();
    };
    net.subnets(net.prefix_len().saturating_add(2))
        .map(|s| s.take(3).map(|q| q.to_string()).collect())
        .unwrap_or_default()
}

/// The IPv4 CIDR blocks of the fullest VPC of `aws`: its range and its secondary ones.
fn cidr_blocks_per_vpc(aws: &AwsEnvironment) -> usize {
    aws.vpcs
        .iter()
        .map(|v| 1 + v.secondary_cidrs.len())
        .max()
        .unwrap_or(1)
}

/// The `moved` blocks that carry the foundation resources of cluster `from` to its new name
/// `to`: its subnets and their route table associations (keyed `<cluster>/<zone>`), and,
/// when the cluster has a VPC of its own, everything keyed by that VPC's name. The
/// resources are in the foundation's module call, so the blocks (in the stack, the calling
/// module) address them as `module.foundation.<type>.<name>["<key>"]`: "The syntax allows
/// Terraform to select modules, resources, and resources inside child modules"
/// (developer.hashicorp.com/terraform/language/moved, `from`/`to`; hashicorp/terraform
/// website/docs/language/moved.mdx). Moves may not reach into an external module package
/// ("Cross-package move statement", hashicorp/terraform internal/refactoring/
/// move_validate.go); the foundation calls its module by a local path
/// (`../../modules/aws-foundation`), which is the stack's own package.
pub fn foundation_moves(aws: &AwsEnvironment, from: &str, to: &str) -> Vec<Move> {
    let zones = crate::cloud::facts::ZONES;
    let mut out = Vec::new();
    let mut keyed = |address: &str, from_key: String, to_key: String| {
        out.push(Move {
            from: format!("{FOUNDATION_MODULE}.{address}[{from_key:?}]"),
            to: format!("{FOUNDATION_MODULE}.{address}[{to_key:?}]"),
        });
    };
    for address in [
        "aws_subnet.private",
        "aws_subnet.public",
        "aws_subnet.pods",
        "aws_route_table_association.private",
        "aws_route_table_association.public",
        "aws_route_table_association.pods",
    ] {
        for zone in 0..zones {
            keyed(address, format!("{from}/{zone}"), format!("{to}/{zone}"));
        }
    }

    // A cluster's own VPC is named after it (the plan after the rename names it `to`).
    if let Some(vpc) = aws.vpcs.iter().find(|v| v.cluster.as_deref() == Some(to)) {
        let mut per_vpc = vec![
            "aws_vpc.this",
            "aws_internet_gateway.this",
            "aws_default_security_group.this",
            "aws_flow_log.this",
            "aws_route_table.public",
            "aws_route.public_default",
        ];
        if aws.nitro {
            per_vpc.push("aws_vpc_encryption_control.this");
        }
        for address in per_vpc {
            keyed(address, from.to_owned(), to.to_owned());
        }
        for secondary in &vpc.secondary_cidrs {
            let cidr = &secondary.cidr;
            keyed(
                "aws_vpc_ipv4_cidr_block_association.this",
                format!("{from}/{cidr}"),
                format!("{to}/{cidr}"),
            );
        }
        for zone in 0..vpc.nat_gateways {
            for address in ["aws_eip.nat", "aws_nat_gateway.this"] {
                keyed(address, format!("{from}/{zone}"), format!("{to}/{zone}"));
            }
        }
        for zone in 0..zones {
            for address in ["aws_route_table.private", "aws_route.private_default"] {
                keyed(address, format!("{from}/{zone}"), format!("{to}/{zone}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    fn acme() -> Plan {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/blueprints/acme-aws.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let loaded = crate::blueprint::parse(std::path::Path::new(path), text).unwrap();
        let validated = crate::blueprint::validate::validate(loaded).unwrap();
        crate::plan::plan(&validated, None, false).unwrap()
    }

    fn check(plan: &Plan) -> Result<()> {
        for environment in &plan.environments {
            let EnvironmentCloud::Aws(aws) = &environment.resources.cloud else {
                panic!("acme is on AWS")
            };
            let clusters: Vec<&ClusterPlan> = plan
                .clusters
                .iter()
                .filter(|c| c.environment == environment.name)
                .collect();
            foundation_clusters(environment, aws, &clusters)?;
        }
        Ok(())
    }

    fn bug(result: Result<impl std::fmt::Debug>, needle: &str) {
        match result {
            Err(Error::Bug(message)) => assert!(message.contains(needle), "{message}"),
            other => panic!("expected a bug naming {needle}, got {other:?}"),
        }
    }

    #[test]
    fn the_plans_names_are_what_the_foundation_module_derives() {
        check(&acme()).unwrap();
    }

    #[test]
    fn a_subnet_name_the_module_would_not_derive_is_a_bug() {
        let mut plan = acme();
        let cluster = &mut plan.clusters[0];
        let name = cluster.name.clone();
        let crate::plan::resources::ClusterResources::Aws(aws) = &mut cluster.resources else {
            panic!("acme is on AWS")
        };
        aws.private_name_prefix = format!("{name}-nodes-");
        bug(check(&plan), &format!("`{name}-private-`"));
    }

    #[test]
    fn a_pod_subnet_tag_the_module_would_not_derive_is_a_bug() {
        let mut plan = acme();
        let cluster = &mut plan.clusters[0];
        assert!(cilium(cluster), "acme's clusters run Cilium");
        let crate::plan::resources::ClusterResources::Aws(aws) = &mut cluster.resources else {
            panic!("acme is on AWS")
        };
        aws.pod_subnet_tag = None;
        bug(check(&plan), "pod-subnet tag");
    }

    #[test]
    fn a_vpc_or_environment_name_the_module_would_not_derive_is_a_bug() {
        let mut plan = acme();
        let EnvironmentCloud::Aws(aws) = &mut plan.environments[0].resources.cloud else {
            panic!("acme is on AWS")
        };
        aws.vpcs[0].nat_name_prefix = "nat-".into();
        bug(check(&plan), "NAT gateways");
        let mut plan = acme();
        let EnvironmentCloud::Aws(aws) = &mut plan.environments[0].resources.cloud else {
            panic!("acme is on AWS")
        };
        aws.flow_logs_role = "flow-logs".into();
        bug(check(&plan), "flow-log role");
    }

    #[test]
    fn node_group_labels_other_than_the_tenant_label_are_a_bug() {
        let mut plan = acme();
        let group = plan.clusters[0]
            .node_groups
            .iter_mut()
            .find(|g| g.tenant.is_some())
            .unwrap();
        assert!(module_node_group(group).is_ok());
        group.labels.insert("team".into(), "x".into());
        bug(
            module_node_group(group).map(|g| g.nodes),
            "derives the labels",
        );
        let mut plan = acme();
        let system = plan.clusters[0]
            .node_groups
            .iter_mut()
            .find(|g| g.tenant.is_none())
            .unwrap();
        system.labels.insert(TENANT_LABEL.into(), "system".into());
        bug(
            module_node_group(system).map(|g| g.nodes),
            "derives the labels",
        );
    }

    #[test]
    fn the_default_ami_type_is_left_to_the_module() {
        let plan = acme();
        let group = &plan.clusters[0].node_groups[0];
        let NodeGroupCloud::Aws { ami_type } = group.cloud else {
            panic!("acme is on AWS")
        };
        assert_eq!(ami_type, MODULE_DEFAULT_AMI_TYPE);
        assert_eq!(module_node_group(group).unwrap().ami_type, None);
    }

    /// The checks compare the plan with what the Rust here says the modules derive: that
    /// must be what the modules' text derives.
    #[test]
    fn the_modules_derive_what_the_checks_assume() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/terraform/modules");
        let read = |file: &str| std::fs::read_to_string(format!("{root}/{file}")).unwrap();
        let network = read("aws-foundation/network.tf");
        for derived in [
            "\"${each.value.cluster}-private-${each.value.zone}\"",
            "\"${each.value.cluster}-public-${each.value.zone}\"",
            "\"kubernetes.io/cluster/${name}\" = \"owned\"",
            "\"${each.value.vpc}-nat-${each.value.zone}\"",
            "\"${each.value.vpc}-private-${each.value.zone}\"",
            "\"${each.key}-public\"",
            &format!("\"{MODULE_POD_SUBNET_TAG}\" = each.value.cluster"),
            "cidrsubnet(c.pods, 2, zone)",
            "\"${each.value.cluster}-pods-${each.value.zone}\"",
        ] {
            assert!(network.contains(derived), "{derived}");
        }
        let logging = read("aws-foundation/logging.tf");
        for derived in [
            "\"alias/${var.name}-logs\"",
            "\"${var.name}: CloudWatch Logs (VPC flow logs, EKS control-plane logs)\"",
            "\"/clusterwright/${var.name}/vpc-flow-logs\"",
            "\"${var.name}-vpc-flow-logs\"",
        ] {
            assert!(logging.contains(derived), "{derived}");
        }
        let variables = read("aws-cluster/variables.tf");
        assert!(variables.contains(&format!("optional(string, \"{MODULE_DEFAULT_AMI_TYPE}\")")));
        let nodes = read("aws-cluster/nodes.tf");
        assert!(nodes.contains(&format!("\"{TENANT_LABEL}\" = each.value.tenant")));
    }
}

//! Terraform for AWS, as stacks: per environment a foundation stack (VPCs, every cluster's
//! subnets, NAT gateways and routes, flow logs, the logs key) and per cluster a stack that
//! calls the `aws-cluster` module once (`templates/terraform/modules/aws-cluster/`, copied
//! as it is). The module finds the foundation's objects by the names and tags the plan
//! gives them: the VPC by `Name`, the cluster's node subnets by its
//! `kubernetes.io/cluster/<name>` tag, the logs key by its alias.
//!
//! Templates: `templates/terraform/aws/*.tf.tera`. Every context is built here from the
//! plan; what varies per environment and cluster comes from `EnvironmentPlan::resources`,
//! `access`, `ClusterPlan::resources`, `network` and `networking`; Terraform adds only the
//! stacks' directories and state keys ([`Stack`]).

use serde::Serialize;

use super::{ClusterView, Environment, EnvironmentView, Move, NodeGroupView, cilium, node_groups};
use crate::cloud::policy::Endpoint;
use crate::error::{Error, Result};
use crate::output::OutputTree;
use crate::plan::ClusterPlan;
use crate::plan::encryption::CILIUM_AGENT_NOT_READY;
use crate::plan::resources::{AwsEnvironment, AwsVpc, EnvironmentCloud};
use crate::targets::stacks::{self, Stack, StackKind};
use crate::targets::templates::{
    TEMPLATE_TF_AWS_CLUSTER, TEMPLATE_TF_AWS_CLUSTER_OUTPUTS, TEMPLATE_TF_AWS_LOGGING,
    TEMPLATE_TF_AWS_NETWORK, TEMPLATE_TF_AWS_OUTPUTS, TEMPLATE_TF_AWS_PROVIDERS,
    TEMPLATE_TF_AWS_VARIABLES, TEMPLATE_TF_AWS_VERSIONS,
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
    /// What the stack holds, for the comment above its backend.
    pub description: String,
    /// The key of its state in the S3 bucket.
    pub state_key: String,
    /// The cluster's name, for a cluster stack; `None` for the foundation.
    pub cluster: Option<String>,
}

impl StackView {
    fn of(stack: &Stack) -> Self {
        let (description, cluster) = match stack.kind {
            StackKind::Foundation => (
                format!(
                    "The foundation of environment {} (network, logs key)",
                    stack.environment
                ),
                None,
            ),
            StackKind::Cluster => (format!("Cluster {}", stack.name), Some(stack.name.clone())),
        };
        Self {
            description,
            state_key: stack.state_key.clone(),
            cluster,
        }
    }
}

/// Context of `terraform/aws/versions.tf.tera`.
pub type VersionsContext<'a> = StackContext<'a>;
/// Context of `terraform/aws/providers.tf.tera`.
pub type ProvidersContext<'a> = StackContext<'a>;
/// Context of `terraform/aws/variables.tf.tera`.
pub type VariablesContext<'a> = StackContext<'a>;

/// Context of the foundation's own files: `network.tf`, `logging.tf` and `outputs.tf`
/// (each type alias below names one).
#[derive(Debug, Serialize)]
pub struct FoundationContext<'a> {
    /// The environment: account, region, range, zones, resources.
    pub environment: &'a EnvironmentView<'a>,
    /// Its VPCs: the environment's, or one per cluster; each with its NAT gateways.
    pub vpcs: &'a [AwsVpc],
    /// NAT gateways (and Elastic IPs) of the environment, all VPCs together.
    pub nat_gateways: u32,
    /// Nitro encrypts in transit (`policy.encryption: cloud-hardware`): VPC encryption
    /// controls and flow logs that record `encryption-status`.
    pub nitro: bool,
    /// The clusters, by name: their subnets and tags.
    pub clusters: Vec<ClusterView<'a>>,
}

/// Context of `terraform/aws/network.tf.tera`.
pub type NetworkContext<'a> = FoundationContext<'a>;
/// Context of `terraform/aws/logging.tf.tera`.
pub type LoggingContext<'a> = FoundationContext<'a>;
/// Context of `terraform/aws/outputs.tf.tera`.
pub type OutputsContext<'a> = FoundationContext<'a>;

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
    /// agent-not-ready taint, which the module adds to every group when `cilium`.
    pub node_groups: Vec<NodeGroupView<'a>>,
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
                "IAM role in account {account} that Terraform assumes to manage environment {environment}. Without access.admins in the blueprint, it is also the clusters' admin."
            ),
            assume_role_error: format!(
                "assume_role_arn must be an IAM role in account {account} (environment {environment})."
            ),
            role_arn_pattern: format!("^arn:aws[a-z-]*:iam::{account}:role/"),
        }
    }
}

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
    let common = |stack: &Stack| StackContext {
        environment: &slim,
        stack: StackView::of(stack),
        variables: &variables,
    };
    let context = common(&foundation);
    for (file, template) in [
        ("versions.tf", TEMPLATE_TF_AWS_VERSIONS),
        ("providers.tf", TEMPLATE_TF_AWS_PROVIDERS),
        ("variables.tf", TEMPLATE_TF_AWS_VARIABLES),
    ] {
        env.emit_foundation(tree, file, template, &context)?;
    }
    let context = FoundationContext {
        environment: &view,
        vpcs: &aws.vpcs,
        nat_gateways: aws.vpcs.iter().map(|v| v.nat_gateways).sum(),
        nitro: aws.nitro,
        clusters: env.clusters.iter().map(|c| ClusterView::new(c)).collect(),
    };
    for (file, template) in [
        ("network.tf", TEMPLATE_TF_AWS_NETWORK),
        ("logging.tf", TEMPLATE_TF_AWS_LOGGING),
        ("outputs.tf", TEMPLATE_TF_AWS_OUTPUTS),
    ] {
        env.emit_foundation(tree, file, template, &context)?;
    }
    env.emit_foundation_moves(tree, |from, to| foundation_moves(aws, from, to))?;

    for cluster in &env.clusters {
        let stack = env.stack(cluster);
        let context = common(&stack);
        for (file, template) in [
            ("versions.tf", TEMPLATE_TF_AWS_VERSIONS),
            ("providers.tf", TEMPLATE_TF_AWS_PROVIDERS),
            ("variables.tf", TEMPLATE_TF_AWS_VARIABLES),
        ] {
            env.emit_stack(tree, cluster, file, template, &context)?;
        }
        let context = cluster_context(env, &slim, cluster);
        env.emit_stack(tree, cluster, "main.tf", TEMPLATE_TF_AWS_CLUSTER, &context)?;
        env.emit_stack(
            tree,
            cluster,
            "outputs.tf",
            TEMPLATE_TF_AWS_CLUSTER_OUTPUTS,
            &context,
        )?;
    }
    Ok(())
}

fn cluster_context<'a>(
    env: &'a Environment<'a>,
    view: &'a StackEnvironment<'a>,
    cluster: &'a ClusterPlan,
) -> ClusterContext<'a> {
    ClusterContext {
        source: stacks::module_source(env.environment.cloud, StackKind::Cluster),
        kubernetes_version: &env.plan.kubernetes_version,
        environment: view,
        cluster: ClusterView::new(cluster),
        public_access_cidrs: match env.environment.access.endpoint {
            Endpoint::Allowlist => &env.environment.access.from,
            Endpoint::Private => &[],
        },
        cilium: cilium(cluster),
        node_groups: node_groups(cluster)
            .into_iter()
            .map(|mut group| {
                // The module adds Cilium's taint to every group of a Cilium cluster.
                group.taints.retain(|t| t.key != CILIUM_AGENT_NOT_READY);
                group
            })
            .collect(),
    }
}

/// The `moved` blocks that carry the foundation resources of cluster `from` to its new name
/// `to`: its subnets and their route table associations (keyed `<cluster>/<zone>`), and,
/// when the cluster has a VPC of its own, everything keyed by that VPC's name.
pub fn foundation_moves(aws: &AwsEnvironment, from: &str, to: &str) -> Vec<Move> {
    let zones = crate::cloud::facts::ZONES;
    let mut out = Vec::new();
    let mut keyed = |address: &str, from_key: String, to_key: String| {
        out.push(Move {
            from: format!("{address}[{from_key:?}]"),
            to: format!("{address}[{to_key:?}]"),
        });
    };
    for address in [
        "aws_subnet.private",
        "aws_subnet.public",
        "aws_route_table_association.private",
        "aws_route_table_association.public",
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

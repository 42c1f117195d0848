//! Crossplane decisions: what the Crossplane target lays out for the same clusters the
//! Terraform target builds.
//!
//! Part of stage 4, the Crossplane target. Input: the [`Plan`]: environments and clusters
//! with their cloud resources (names, tags, zones, node service accounts, AMI types, in
//! `plan::resources`). Output: a [`CrossplanePlan`] — per environment the namespace and ProviderConfig that bind
//! it to its account, and its own managed resources (network, logs key, key ring); per
//! cluster the `spec` of its `KubernetesCluster` composite resource, one
//! `KubernetesNodeGroup` composite resource per node group, and the managed resources whose
//! presence depends on the plan (they cannot be composed conditionally). The Compositions
//! themselves are fixed: they read only what these specs carry, so every difference between
//! two clusters is a difference between two composite resources, visible in review.
//!
//! Why the pieces are where they are:
//!
//! - **One namespace per environment** (`<platform>-<environment>`, the environment's
//!   `resources.name`), holding one namespaced ProviderConfig named `default`. A namespaced
//!   managed resource resolves its ProviderConfig, and the provider the Secret it names, in
//!   its own namespace (provider-upjet-aws@v2.6.0 `internal/clients/pc_resolver.go`), and a
//!   namespaced composite resource composes only into its own namespace (FACTS §7), so a
//!   cluster in `acme-staging` can only ever use staging's credentials.
//! - **The account is pinned** like the Terraform provider pins it: AWS by a role chain
//!   ending in the environment's account ([`AWS_PROVISIONING_ROLE`]), GCP by `projectID`,
//!   Azure by `subscriptionID`.
//! - **Environment-level resources** (network, internet gateway, flow logs, logs key; VPC
//!   network, router, NAT, key ring; resource group, VNet, Log Analytics workspace) are
//!   managed resources of their own: every cluster of the environment shares them, so no
//!   composite resource may own them.
//! - **Node groups are composite resources of their own** (`KubernetesNodeGroup`), one per
//!   group, system group included where it is not part of the cluster (AKS's default pool
//!   is). patch-and-transform has no loops, and a node group needs things only a
//!   Composition can give it: EKS node groups must name the exact version of their launch
//!   template, which exists only once the template does (pinning `$Latest` or `$Default`
//!   makes the provider update the node group on every reconcile,
//!   crossplane-contrib/provider-upjet-aws#1375). A `Usage` keeps each cluster until its
//!   node groups are gone.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::cluster::{ClusterSpec, CrossplaneCluster};
pub use super::node_group::{NodeGroupResource, NodeGroupSpec};
pub use super::packages::{CloudPackages, PATCH_AND_TRANSFORM, ProviderPackage};
use crate::cloud::Cloud;
pub use crate::cloud::names::{AWS_PROVISIONING_ROLE, CREDENTIALS_KEY};
use crate::error::Error;
use crate::plan::resources::{AwsEnvironment, AzureEnvironment, EnvironmentCloud, GcpEnvironment};
use crate::plan::{EnvironmentPlan, Plan, cloud_name};

/// The Crossplane target's decisions.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CrossplanePlan {
    /// The provider packages of every cloud that has a cluster, in the order aws, gcp,
    /// azure.
    pub packages: Vec<CloudPackages>,
    /// Environments with at least one cluster, in plan order (one without clusters has
    /// nothing to provision, as in the Terraform target).
    pub environments: Vec<CrossplaneEnvironment>,
    /// Clusters, in plan order.
    pub clusters: Vec<CrossplaneCluster>,
}

/// An environment: its namespace, credentials and own managed resources.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CrossplaneEnvironment {
    /// Environment name.
    pub name: String,
    /// Cloud.
    pub cloud: Cloud,
    /// Whether it is production.
    pub production: bool,
    /// Account id, project id or subscription id.
    pub account: String,
    /// Region.
    pub region: String,
    /// Address range.
    pub cidr: String,
    /// The namespace of its composite and managed resources: `<platform>-<environment>`.
    pub namespace: String,
    /// The namespace's labels. Namespaces are cluster-scoped, so only a cluster
    /// administrator can change them; the guardrail policies check every ProviderConfig and
    /// composite resource in the namespace against them.
    pub labels: BTreeMap<String, String>,
    /// The ProviderConfig bound to the account.
    pub provider_config: ProviderConfigPlan,
    /// Name of the environment's own managed resources (network, key ring, resource group):
    /// its `resources.name`, the name the Terraform target gives them.
    pub resources: String,
    /// Tags (labels on GCP) of the environment's own resources: its `resources.tags`.
    pub tags: BTreeMap<String, String>,
    /// What the account is, in words: `AWS account`, `GCP project`, `Azure subscription`.
    pub account_kind: &'static str,
    /// AWS: VPCs, flow logs and the logs key.
    pub aws: Option<AwsEnvironment>,
    /// GCP: the network's firewall.
    pub gcp: Option<GcpEnvironment>,
    /// Azure: whether the VNet is encrypted.
    pub azure: Option<AzureEnvironment>,
    /// Azure: the Entra ID directory (tenant) of the subscription, when the blueprint names
    /// it: the environment's Key Vault, and so the customer-managed keys, need it.
    pub directory: Option<String>,
    /// GCP: the APIs the clusters use, enabled as the Terraform foundation enables them.
    pub project_services: Vec<ProjectService>,
    /// Azure: the resource providers the Terraform target registers.
    pub resource_providers: Vec<ResourceProvider>,
}

/// A GCP API to enable.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectService {
    /// Managed resource name: `<environment resources>-<first label of the API>`.
    pub name: String,
    /// The API, e.g. `container.googleapis.com`.
    pub service: &'static str,
}

/// An Azure resource provider to register.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceProvider {
    /// Managed resource name: the namespace in lower case, dots as dashes.
    pub name: String,
    /// The namespace as azurerm spells it (case-sensitive).
    pub namespace: &'static str,
    /// Its id, `/subscriptions/<subscription>/providers/<namespace>`: the external name, so
    /// that one already registered is adopted.
    pub id: String,
    /// Subscription features to register with it.
    pub features: Vec<&'static str>,
}

/// The APIs the clusters use (Binary Authorization: `PROJECT_SINGLETON_POLICY_ENFORCE`), the
/// Terraform target's `google_project_service` list (templates/terraform/gcp/foundation.tf.tera).
pub const GCP_SERVICES: &[&str] = &[
    "binaryauthorization.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
];

/// The resource providers the Terraform target registers (`resource_providers_to_register`,
/// templates/terraform/azure/providers.tf.tera) and, from azurerm's "core" set, those these
/// resources use; Microsoft.Compute with the `EncryptionAtHost` feature host encryption
/// needs (AKS doc enable-host-encryption).
pub const AZURE_RESOURCE_PROVIDERS: &[(&str, &[&str])] = &[
    ("Microsoft.Compute", &["EncryptionAtHost"]),
    ("Microsoft.ContainerService", &[]),
    ("Microsoft.KeyVault", &[]),
    ("Microsoft.ManagedIdentity", &[]),
    ("Microsoft.Network", &[]),
    ("Microsoft.OperationalInsights", &[]),
    ("Microsoft.OperationsManagement", &[]),
    ("Microsoft.PolicyInsights", &[]),
    ("microsoft.insights", &[]),
];

/// The namespaced ProviderConfig of an environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfigPlan {
    /// `aws.m.upbound.io/v1beta1`, `gcp.m.upbound.io/v1beta1` or `azure.m.upbound.io/v1beta1`.
    pub api_version: &'static str,
    /// The Secret the operator creates: `<cloud>-credentials`.
    pub secret: String,
    /// The key of the credentials in it.
    pub key: &'static str,
    /// AWS: the role the credentials assume, in the environment's account.
    pub role_arn: Option<String>,
    /// GCP: the project the ProviderConfig is pinned to.
    pub project_id: Option<String>,
    /// Azure: the subscription the ProviderConfig is pinned to.
    pub subscription_id: Option<String>,
    /// What the Secret holds, a comment line each.
    pub credentials: Vec<String>,
}

/// Decides the Crossplane layout of `plan`.
pub fn decide(plan: &Plan) -> Result<CrossplanePlan, Error> {
    let with_clusters: Vec<&EnvironmentPlan> = plan
        .environments
        .iter()
        .filter(|e| !e.clusters.is_empty())
        .collect();
    let mut clouds: Vec<Cloud> = with_clusters.iter().map(|e| e.cloud).collect();
    clouds.sort();
    clouds.dedup();
    let out_environments = with_clusters
        .iter()
        .map(|env| environment(&plan.platform, env))
        .collect();
    let out_clusters = plan
        .clusters
        .iter()
        .map(|c| {
            let env = plan
                .environments
                .iter()
                .find(|e| e.name == c.environment)
                .ok_or_else(|| {
                    Error::Bug(format!(
                        "cluster `{}` belongs to environment `{}`, which the plan lacks",
                        c.name, c.environment
                    ))
                })?;
            super::cluster::cluster(&plan.platform, &plan.kubernetes_version, env, c)
        })
        .collect::<Result<_, Error>>()?;
    Ok(CrossplanePlan {
        packages: clouds.into_iter().map(super::packages::packages).collect(),
        environments: out_environments,
        clusters: out_clusters,
    })
}

fn environment(platform: &str, env: &EnvironmentPlan) -> CrossplaneEnvironment {
    let cloud = cloud_name(env.cloud);
    let shared = &env.resources;
    let namespace = shared.name.clone();
    let labels = BTreeMap::from([
        ("clusterwright.io/platform".to_owned(), platform.to_owned()),
        ("clusterwright.io/environment".to_owned(), env.name.clone()),
        ("clusterwright.io/cloud".to_owned(), cloud.to_owned()),
        ("clusterwright.io/account".to_owned(), env.account.clone()),
        (
            "clusterwright.io/production".to_owned(),
            env.production.to_string(),
        ),
    ]);
    let (aws, gcp, azure) = match &shared.cloud {
        EnvironmentCloud::Aws(aws) => (Some(aws.clone()), None, None),
        EnvironmentCloud::Gcp(gcp) => (None, Some(gcp.clone()), None),
        EnvironmentCloud::Azure(azure) => (None, None, Some(azure.clone())),
    };
    let role_arn = aws.as_ref().map(|aws| {
        format!(
            "arn:{}:iam::{}:role/{AWS_PROVISIONING_ROLE}",
            aws.partition, env.account
        )
    });
    let provider_config = ProviderConfigPlan {
        api_version: match env.cloud {
            Cloud::Aws => "aws.m.upbound.io/v1beta1",
            Cloud::Gcp => "gcp.m.upbound.io/v1beta1",
            Cloud::Azure => "azure.m.upbound.io/v1beta1",
        },
        secret: crate::cloud::names::credentials_secret(env.cloud),
        key: CREDENTIALS_KEY,
        role_arn: role_arn.clone(),
        project_id: (env.cloud == Cloud::Gcp).then(|| env.account.clone()),
        subscription_id: (env.cloud == Cloud::Azure).then(|| env.account.clone()),
        credentials: match &role_arn {
            Some(role_arn) => vec![
                "an AWS shared-credentials file ([default] profile) of a principal that may assume"
                    .to_owned(),
                format!("{role_arn} and nothing in another environment's account."),
                "The role chain pins the account, as Terraform's allowed_account_ids does."
                    .to_owned(),
            ],
            None if env.cloud == Cloud::Gcp => vec![format!(
                "a service-account key (JSON) of an account that holds roles in project {} only.",
                env.account
            )],
            None => {
                let mut lines = vec![
                    "the JSON credentials (clientId, clientSecret, tenantId) of a service principal with roles".to_owned(),
                    format!(
                        "in subscription {} only; subscriptionID below pins the subscription.",
                        env.account
                    ),
                ];
                // The keys are data-plane objects: Owner or Contributor cannot create them
                // (the Terraform target grants its applier the same role on the vault).
                if env.directory.is_some() {
                    lines.push(format!(
                        "It creates the Key Vault keys, so it also holds Key Vault Crypto Officer on resource group {}:",
                        shared.name
                    ));
                    lines.push(format!(
                        "az role assignment create --role \"Key Vault Crypto Officer\" --assignee <clientId> --scope /subscriptions/{}/resourceGroups/{}",
                        env.account, shared.name
                    ));
                }
                lines
            }
        },
    };
    CrossplaneEnvironment {
        name: env.name.clone(),
        cloud: env.cloud,
        production: env.production,
        account: env.account.clone(),
        region: env.region.clone(),
        cidr: env.cidr.clone(),
        namespace,
        labels,
        provider_config,
        resources: shared.name.clone(),
        tags: shared.tags.clone(),
        account_kind: match env.cloud {
            Cloud::Aws => "AWS account",
            Cloud::Gcp => "GCP project",
            Cloud::Azure => "Azure subscription",
        },
        project_services: project_services(env),
        resource_providers: resource_providers(env),
        aws,
        gcp,
        azure,
        directory: env.directory.clone().filter(|_| env.cloud == Cloud::Azure),
    }
}

/// The APIs an environment on GCP enables ([`GCP_SERVICES`]); none elsewhere.
fn project_services(env: &EnvironmentPlan) -> Vec<ProjectService> {
    if env.cloud != Cloud::Gcp {
        return Vec::new();
    }
    GCP_SERVICES
        .iter()
        .map(|service| ProjectService {
            name: format!(
                "{}-{}",
                env.resources.name,
                service.split('.').next().unwrap_or(service)
            ),
            service,
        })
        .collect()
}

/// The resource providers an environment on Azure registers ([`AZURE_RESOURCE_PROVIDERS`]);
/// none elsewhere.
fn resource_providers(env: &EnvironmentPlan) -> Vec<ResourceProvider> {
    if env.cloud != Cloud::Azure {
        return Vec::new();
    }
    AZURE_RESOURCE_PROVIDERS
        .iter()
        .map(|(namespace, features)| ResourceProvider {
            name: namespace.to_lowercase().replace('.', "-"),
            namespace,
            id: format!("/subscriptions/{}/providers/{namespace}", env.account),
            features: features.to_vec(),
        })
        .collect()
}

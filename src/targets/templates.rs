//! The templates: embedded in the binary, overridable file by file.
//!
//! `templates/` holds one Tera 2 template per kind of output file; they are embedded with
//! `include_dir!`. `--templates DIR` replaces any of them by the file at the same relative
//! path in `DIR`; a file there that matches no template is an error (it would silently do
//! nothing). Templates render with autoescaping off, undefined variables as errors, and
//! the filters of [`filters`](super::filters).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use include_dir::{Dir, include_dir};
use serde::Serialize;
use tera::{Context, Tera};

use crate::cloud::names::did_you_mean;
use crate::error::{Error, Result};
use crate::output::OutputTree;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// `README.md` of the output tree.
pub const TEMPLATE_README: &str = "docs/README.md.tera";
/// `DECISIONS.md`, the decision record.
pub const TEMPLATE_DECISIONS: &str = "docs/DECISIONS.md.tera";
/// `moved` blocks appended to the file of a cluster that a `--repack` renamed.
pub const TEMPLATE_TF_MOVED: &str = "terraform/moved.tf.tera";
/// `atlantis.yaml`: one Atlantis project per Terraform stack.
pub const TEMPLATE_ATLANTIS: &str = "terraform/atlantis.yaml.tera";
/// AWS `versions.tf` of every stack: version pins and the S3 backend with the stack's key.
pub const TEMPLATE_TF_AWS_VERSIONS: &str = "terraform/aws/versions.tf.tera";
/// AWS `providers.tf` of every stack: the provider pinned to the account, default tags.
pub const TEMPLATE_TF_AWS_PROVIDERS: &str = "terraform/aws/providers.tf.tera";
/// AWS `variables.tf` of every stack: the role Terraform assumes (and, in a cluster stack,
/// whether its node groups exist yet).
pub const TEMPLATE_TF_AWS_VARIABLES: &str = "terraform/aws/variables.tf.tera";
/// AWS foundation `main.tf`: the call of the `aws-foundation` module with the environment's
/// VPCs and clusters.
pub const TEMPLATE_TF_AWS_FOUNDATION: &str = "terraform/aws/foundation.tf.tera";
/// AWS cluster stack `main.tf`: the call of the `aws-cluster` module.
pub const TEMPLATE_TF_AWS_CLUSTER: &str = "terraform/aws/cluster.tf.tera";
/// AWS foundation `outputs.tf`.
pub const TEMPLATE_TF_AWS_OUTPUTS: &str = "terraform/aws/outputs.tf.tera";
/// AWS cluster stack `outputs.tf`.
pub const TEMPLATE_TF_AWS_CLUSTER_OUTPUTS: &str = "terraform/aws/cluster_outputs.tf.tera";
/// GCP `versions.tf` of a foundation or cluster stack: version pins and the GCS backend.
pub const TEMPLATE_TF_GCP_VERSIONS: &str = "terraform/gcp/versions.tf.tera";
/// GCP `providers.tf` of a stack: the providers pinned to the project, default labels.
pub const TEMPLATE_TF_GCP_PROVIDERS: &str = "terraform/gcp/providers.tf.tera";
/// GCP foundation `main.tf`: one call of the `gcp-foundation` module.
pub const TEMPLATE_TF_GCP_FOUNDATION: &str = "terraform/gcp/foundation.tf.tera";
/// GCP foundation `outputs.tf`.
pub const TEMPLATE_TF_GCP_FOUNDATION_OUTPUTS: &str = "terraform/gcp/foundation-outputs.tf.tera";
/// GCP cluster stack `main.tf`: one call of the `gcp-cluster` module.
pub const TEMPLATE_TF_GCP_CLUSTER: &str = "terraform/gcp/cluster.tf.tera";
/// GCP cluster stack `outputs.tf`.
pub const TEMPLATE_TF_GCP_CLUSTER_OUTPUTS: &str = "terraform/gcp/cluster-outputs.tf.tera";
/// Azure `versions.tf`: version pins and the azurerm backend.
/// Azure `versions.tf` of every stack: version pins and the azurerm backend with the stack's key.
pub const TEMPLATE_TF_AZURE_VERSIONS: &str = "terraform/azure/versions.tf.tera";
/// Azure `providers.tf` of every stack: the provider pinned to the subscription (and directory).
pub const TEMPLATE_TF_AZURE_PROVIDERS: &str = "terraform/azure/providers.tf.tera";
/// Azure foundation `main.tf`: one call of the `azure-foundation` module.
pub const TEMPLATE_TF_AZURE_MAIN: &str = "terraform/azure/main.tf.tera";
/// Azure foundation `outputs.tf`.
pub const TEMPLATE_TF_AZURE_OUTPUTS: &str = "terraform/azure/outputs.tf.tera";
/// Azure cluster stack `main.tf`: one call of the cluster module.
pub const TEMPLATE_TF_AZURE_STACK: &str = "terraform/azure/stack.tf.tera";
/// Azure cluster stack `outputs.tf`.
pub const TEMPLATE_TF_AZURE_STACK_OUTPUTS: &str = "terraform/azure/stack-outputs.tf.tera";
/// `helm/<cluster>/helmfile.yaml`: the cluster's releases, in order, pinned.
pub const TEMPLATE_HELMFILE: &str = "helm/helmfile.yaml.tera";
/// `helm/<cluster>/cilium.values.yaml`.
pub const TEMPLATE_CILIUM_VALUES: &str = "helm/cilium.values.yaml.tera";
/// `helm/<cluster>/istio-base.values.yaml`.
pub const TEMPLATE_ISTIO_BASE_VALUES: &str = "helm/istio-base.values.yaml.tera";
/// `helm/<cluster>/istiod.values.yaml`.
pub const TEMPLATE_ISTIOD_VALUES: &str = "helm/istiod.values.yaml.tera";
/// `helm/<cluster>/istio-cni.values.yaml`.
pub const TEMPLATE_ISTIO_CNI_VALUES: &str = "helm/istio-cni.values.yaml.tera";
/// `helm/<cluster>/ztunnel.values.yaml`.
pub const TEMPLATE_ZTUNNEL_VALUES: &str = "helm/ztunnel.values.yaml.tera";
/// `helm/<cluster>/linkerd-crds.values.yaml`.
pub const TEMPLATE_LINKERD_CRDS_VALUES: &str = "helm/linkerd-crds.values.yaml.tera";
/// `helm/<cluster>/linkerd-control-plane.values.yaml`.
pub const TEMPLATE_LINKERD_CONTROL_PLANE_VALUES: &str =
    "helm/linkerd-control-plane.values.yaml.tera";
/// `helm/<cluster>/linkerd2-cni.values.yaml`.
pub const TEMPLATE_LINKERD_CNI_VALUES: &str = "helm/linkerd2-cni.values.yaml.tera";
/// `manifests/<cluster>/istiod-network-policy.yaml`: who may reach istiod, port by port.
pub const TEMPLATE_ISTIOD_NETWORK_POLICY: &str = "manifests/istiod-network-policy.yaml.tera";
/// `manifests/<cluster>/istio-peer-authentication.yaml`: mesh-wide STRICT mTLS.
pub const TEMPLATE_PEER_AUTHENTICATION: &str = "manifests/istio-peer-authentication.yaml.tera";
/// `manifests/<cluster>/linkerd-identity.yaml`: the linkerd namespace and cert-manager objects.
pub const TEMPLATE_LINKERD_IDENTITY: &str = "manifests/linkerd-identity.yaml.tera";
/// `manifests/<cluster>/linkerd-trust-roots-bundle.json`: the trust-manager Bundle.
pub const TEMPLATE_LINKERD_BUNDLE: &str = "manifests/linkerd-trust-roots-bundle.json.tera";
/// `manifests/<cluster>/tenant-<tenant>.yaml`: a tenant's namespace and NetworkPolicies.
pub const TEMPLATE_TENANT: &str = "manifests/tenant.yaml.tera";
/// `manifests/<cluster>/admission-tenants.yaml`: the tenant admission policies (scheduling,
/// mesh, namespaces).
pub const TEMPLATE_TENANT_ADMISSION: &str = "manifests/admission-tenants.yaml.tera";
/// `manifests/<cluster>/linkerd-policy/tenant-<tenant>.json`: a tenant's Linkerd authorization.
pub const TEMPLATE_LINKERD_TENANT_POLICY: &str = "manifests/linkerd-tenant-policy.json.tera";
/// `manifests/<cluster>/storage-class.yaml`: the default StorageClass, where the cloud has none.
pub const TEMPLATE_STORAGE_CLASS: &str = "manifests/storage-class.yaml.tera";
/// `crossplane/definition.yaml`: the platform API (the composite resource definitions).
/// Copied as it is: fixed, whatever the blueprint; every value an XR carries is one the plan
/// decided, and the Compositions read only these fields.
pub const COPY_XP_DEFINITION: &str = "crossplane/definition.yaml";
/// `crossplane/composition-aws.yaml`: the AWS Compositions of clusters and node groups.
pub const TEMPLATE_XP_COMPOSITION_AWS: &str = "crossplane/composition-aws.yaml.tera";
/// `crossplane/composition-gcp.yaml`: the GCP Compositions of clusters and node groups.
/// Copied as it is: everything that differs between clusters is in their composite resources.
pub const COPY_XP_COMPOSITION_GCP: &str = "crossplane/composition-gcp.yaml";
/// `crossplane/composition-azure.yaml`: the Azure Compositions of clusters and node groups.
/// Copied as it is, like the GCP one.
pub const COPY_XP_COMPOSITION_AZURE: &str = "crossplane/composition-azure.yaml";
/// `crossplane/packages.yaml`: the function and provider packages, pinned.
pub const TEMPLATE_XP_PACKAGES: &str = "crossplane/packages.yaml.tera";
/// `crossplane/guardrails.yaml`: admission policies that keep each namespace to its account.
/// Copied as it is: the policies read every value they compare from the namespace's labels.
pub const COPY_XP_GUARDRAILS: &str = "crossplane/guardrails.yaml";
/// `crossplane/<env>/environment.yaml`: the namespace and its ProviderConfig.
pub const TEMPLATE_XP_ENVIRONMENT: &str = "crossplane/environment.yaml.tera";
/// `crossplane/<env>/network.yaml` on AWS: VPCs, flow logs, the logs key.
pub const TEMPLATE_XP_NETWORK_AWS: &str = "crossplane/network-aws.yaml.tera";
/// `crossplane/<env>/network.yaml` on GCP: VPC network, firewall, Cloud NAT, key ring.
pub const TEMPLATE_XP_NETWORK_GCP: &str = "crossplane/network-gcp.yaml.tera";
/// `crossplane/<env>/network.yaml` on Azure: resource group, workspace, VNet.
pub const TEMPLATE_XP_NETWORK_AZURE: &str = "crossplane/network-azure.yaml.tera";
/// `crossplane/<env>/<cluster>.yaml`: the cluster's composite resources and what sits next to them.
pub const TEMPLATE_XP_CLUSTER: &str = "crossplane/cluster.yaml.tera";

/// Every template a renderer uses; the embedded set is exactly these.
pub const ALL: &[&str] = &[
    TEMPLATE_README,
    TEMPLATE_DECISIONS,
    TEMPLATE_HELMFILE,
    TEMPLATE_CILIUM_VALUES,
    TEMPLATE_ISTIO_BASE_VALUES,
    TEMPLATE_ISTIOD_VALUES,
    TEMPLATE_ISTIO_CNI_VALUES,
    TEMPLATE_ZTUNNEL_VALUES,
    TEMPLATE_LINKERD_CRDS_VALUES,
    TEMPLATE_LINKERD_CONTROL_PLANE_VALUES,
    TEMPLATE_LINKERD_CNI_VALUES,
    TEMPLATE_ISTIOD_NETWORK_POLICY,
    TEMPLATE_PEER_AUTHENTICATION,
    TEMPLATE_LINKERD_IDENTITY,
    TEMPLATE_LINKERD_BUNDLE,
    TEMPLATE_TENANT,
    TEMPLATE_TENANT_ADMISSION,
    TEMPLATE_LINKERD_TENANT_POLICY,
    TEMPLATE_STORAGE_CLASS,
    TEMPLATE_XP_COMPOSITION_AWS,
    TEMPLATE_XP_PACKAGES,
    TEMPLATE_XP_ENVIRONMENT,
    TEMPLATE_XP_NETWORK_AWS,
    TEMPLATE_XP_NETWORK_GCP,
    TEMPLATE_XP_NETWORK_AZURE,
    TEMPLATE_XP_CLUSTER,
    TEMPLATE_TF_MOVED,
    TEMPLATE_ATLANTIS,
    TEMPLATE_TF_AWS_VERSIONS,
    TEMPLATE_TF_AWS_PROVIDERS,
    TEMPLATE_TF_AWS_VARIABLES,
    TEMPLATE_TF_AWS_FOUNDATION,
    TEMPLATE_TF_AWS_CLUSTER,
    TEMPLATE_TF_AWS_OUTPUTS,
    TEMPLATE_TF_AWS_CLUSTER_OUTPUTS,
    TEMPLATE_TF_GCP_VERSIONS,
    TEMPLATE_TF_GCP_PROVIDERS,
    TEMPLATE_TF_GCP_FOUNDATION,
    TEMPLATE_TF_GCP_FOUNDATION_OUTPUTS,
    TEMPLATE_TF_GCP_CLUSTER,
    TEMPLATE_TF_GCP_CLUSTER_OUTPUTS,
    TEMPLATE_TF_AZURE_VERSIONS,
    TEMPLATE_TF_AZURE_PROVIDERS,
    TEMPLATE_TF_AZURE_MAIN,
    TEMPLATE_TF_AZURE_OUTPUTS,
    TEMPLATE_TF_AZURE_STACK,
    TEMPLATE_TF_AZURE_STACK_OUTPUTS,
];

/// Every file copied as it is (no template syntax: nothing to render), by its path under
/// `templates/`, which is also the path an override takes.
pub const COPIED: &[&str] = &[
    COPY_XP_DEFINITION,
    COPY_XP_COMPOSITION_GCP,
    COPY_XP_COMPOSITION_AZURE,
    COPY_XP_GUARDRAILS,
];

/// The files of the AWS cluster module, copied as they are (`templates/` mirrors the
/// output tree): every cluster stack on AWS calls it.
pub const TF_MODULE_AWS: &[&str] = &[
    "terraform/modules/aws-cluster/versions.tf",
    "terraform/modules/aws-cluster/variables.tf",
    "terraform/modules/aws-cluster/main.tf",
    "terraform/modules/aws-cluster/iam.tf",
    "terraform/modules/aws-cluster/nodes.tf",
    "terraform/modules/aws-cluster/addons.tf",
    "terraform/modules/aws-cluster/outputs.tf",
];
/// The files of the GCP cluster module (as [`TF_MODULE_AWS`]).
pub const TF_MODULE_GCP: &[&str] = &[
    "terraform/modules/gcp-cluster/versions.tf",
    "terraform/modules/gcp-cluster/variables.tf",
    "terraform/modules/gcp-cluster/main.tf",
    "terraform/modules/gcp-cluster/outputs.tf",
];
/// The files of the Azure cluster module (as [`TF_MODULE_AWS`]).
pub const TF_MODULE_AZURE: &[&str] = &[
    "terraform/modules/azure-cluster/versions.tf",
    "terraform/modules/azure-cluster/variables.tf",
    "terraform/modules/azure-cluster/main.tf",
    "terraform/modules/azure-cluster/access.tf",
    "terraform/modules/azure-cluster/pools.tf",
    "terraform/modules/azure-cluster/monitoring.tf",
    "terraform/modules/azure-cluster/outputs.tf",
];

/// The files of the AWS foundation module, copied as they are: every foundation stack on
/// AWS calls it.
pub const TF_FOUNDATION_AWS: &[&str] = &[
    "terraform/modules/aws-foundation/versions.tf",
    "terraform/modules/aws-foundation/variables.tf",
    "terraform/modules/aws-foundation/network.tf",
    "terraform/modules/aws-foundation/logging.tf",
    "terraform/modules/aws-foundation/outputs.tf",
];
/// The files of the GCP foundation module (as [`TF_FOUNDATION_AWS`]).
pub const TF_FOUNDATION_GCP: &[&str] = &[
    "terraform/modules/gcp-foundation/versions.tf",
    "terraform/modules/gcp-foundation/variables.tf",
    "terraform/modules/gcp-foundation/main.tf",
    "terraform/modules/gcp-foundation/network.tf",
    "terraform/modules/gcp-foundation/kms.tf",
    "terraform/modules/gcp-foundation/outputs.tf",
];
/// The files of the Azure foundation module (as [`TF_FOUNDATION_AWS`]).
pub const TF_FOUNDATION_AZURE: &[&str] = &[
    "terraform/modules/azure-foundation/versions.tf",
    "terraform/modules/azure-foundation/variables.tf",
    "terraform/modules/azure-foundation/main.tf",
    "terraform/modules/azure-foundation/network.tf",
    "terraform/modules/azure-foundation/keyvault.tf",
    "terraform/modules/azure-foundation/outputs.tf",
];

/// Every file copied as it is: [`COPIED`] and the modules.
pub fn copied() -> impl Iterator<Item = &'static str> {
    COPIED
        .iter()
        .chain(TF_MODULE_AWS)
        .chain(TF_MODULE_GCP)
        .chain(TF_MODULE_AZURE)
        .chain(TF_FOUNDATION_AWS)
        .chain(TF_FOUNDATION_GCP)
        .chain(TF_FOUNDATION_AZURE)
        .copied()
}

/// The context of one render, recorded ([`Templates::recording`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The Rust type of the context.
    pub context_type: &'static str,
    /// The context, serialized.
    pub context: serde_json::Value,
}

/// The loaded templates.
pub struct Templates {
    tera: Tera,
    overridden: BTreeSet<String>,
    /// The source of every template, by name.
    sources: BTreeMap<String, String>,
    /// When recording ([`Templates::recording`]): the context of every render, by template.
    recorded: Option<Mutex<BTreeMap<String, Vec<Recorded>>>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("overridden", &self.overridden)
            .finish_non_exhaustive()
    }
}

/// Every embedded template, by relative path.
pub fn embedded() -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    collect(&EMBEDDED, &mut out);
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut BTreeMap<String, &'static str>) {
    for file in dir.files() {
        if let (Some(path), Some(text)) = (file.path().to_str(), file.contents_utf8()) {
            out.insert(path.replace('\\', "/"), text);
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

impl Templates {
    /// The embedded templates, with the files of `overrides` in place of theirs.
    pub fn load(overrides: Option<&Path>) -> Result<Self> {
        let mut sources: BTreeMap<String, String> = embedded()
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect();
        let mut overridden = BTreeSet::new();
        if let Some(dir) = overrides {
            for (rel, text) in self::overrides(dir)? {
                if !sources.contains_key(&rel) {
                    let known: Vec<&String> = sources.keys().collect();
                    return Err(Error::UnknownTemplate {
                        path: dir.join(&rel),
                        name: rel.clone(),
                        suggestion: did_you_mean(
                            &rel,
                            known
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .as_slice(),
                        ),
                        known: sources.keys().cloned().collect(),
                    });
                }
                sources.insert(rel.clone(), text);
                overridden.insert(rel);
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        super::filters::register(&mut tera);
        // Files named `*.tera` are templates; every other file is copied as it is.
        for (name, text) in sources.iter().filter(|(name, _)| is_template(name)) {
            tera.add_raw_template(name, text)
                .map_err(|e| Error::Template {
                    template: name.clone(),
                    overridden: overridden.contains(name),
                    message: e.to_string(),
                })?;
        }
        Ok(Self {
            tera,
            overridden,
            sources,
            recorded: None,
        })
    }

    /// The text of `name`, a file copied as it is (one of [`COPIED`]): an override in place of
    /// the embedded one.
    pub fn copy(&self, name: &str) -> Result<&str> {
        self.sources
            .get(name)
            .filter(|_| !is_template(name))
            .map(String::as_str)
            .ok_or_else(|| Error::Bug(format!("`{name}` is not a file copied as it is")))
    }

    /// The source of template `name`, as loaded: an override in place of the embedded one.
    pub fn source(&self, name: &str) -> Option<&str> {
        self.sources.get(name).map(String::as_str)
    }

    /// These templates, recording from now on the context of every render as JSON, for
    /// [`Templates::take_recorded`]: what the tests of the contract between context structs
    /// and templates compare with what each template reads.
    #[must_use]
    pub fn recording(mut self) -> Self {
        self.recorded = Some(Mutex::new(BTreeMap::new()));
        self
    }

    /// The contexts recorded since the last call, by template, in render order; empty
    /// unless [`Templates::recording`].
    pub fn take_recorded(&self) -> BTreeMap<String, Vec<Recorded>> {
        self.recorded.as_ref().map_or_else(BTreeMap::new, |r| {
            std::mem::take(&mut *r.lock().unwrap_or_else(PoisonError::into_inner))
        })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String> {
        let mut texts = self.render_each(&[name], context)?;
        texts
            .pop()
            .ok_or_else(|| Error::Bug(format!("`{name}` rendered nothing")))
    }

    /// Renders each of `names` with the one `context`, in order. The context is turned into
    /// tera's values once: for the files of a stack, which share one context, that
    /// conversion was most of the time rendering took.
    pub fn render_each(&self, names: &[&str], context: &impl Serialize) -> Result<Vec<String>> {
        let what = || names.join("`, `");
        if let Some(recorded) = &self.recorded {
            let value = serde_json::to_value(context)
                .map_err(|e| Error::Bug(format!("context of `{}`: {e}", what())))?;
            let mut recorded = recorded.lock().unwrap_or_else(PoisonError::into_inner);
            for name in names {
                recorded
                    .entry((*name).to_owned())
                    .or_default()
                    .push(Recorded {
                        context_type: std::any::type_name_of_val(context).trim_start_matches('&'),
                        context: value.clone(),
                    });
            }
        }
        let context = Context::from_serialize(context)
            .map_err(|e| Error::Bug(format!("context of `{}`: {e}", what())))?;
        names
            .iter()
            .map(|name| self.render_with(name, &context))
            .collect()
    }

    /// Renders each `(file, template)` of `files` with the one `context` ([`Self::render_each`])
    /// into `dir/file` of `tree`.
    pub fn emit(
        &self,
        tree: &mut OutputTree,
        dir: &str,
        files: &[(&str, &str)],
        context: &impl Serialize,
    ) -> Result<()> {
        let templates: Vec<&str> = files.iter().map(|(_, template)| *template).collect();
        let texts = self.render_each(&templates, context)?;
        for ((file, template), text) in files.iter().zip(texts) {
            tree.insert(&format!("{dir}/{file}"), &text, template)?;
        }
        Ok(())
    }

    /// Renders template `name` with the tera `context`, unwrapping tera's chain of causes.
    fn render_with(&self, name: &str, context: &Context) -> Result<String> {
        self.tera.render(name, context).map_err(|e| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str("\ncaused by: ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            Error::Template {
                template: name.to_owned(),
                overridden: self.overridden.contains(name),
                message,
            }
        })
    }
}

/// Whether `name` is a template (`*.tera`), rendered; other files are copied.
fn is_template(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e == "tera")
}

/// The files of an override folder: relative path (with `/`) and text, sorted.
pub fn overrides(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    walk(dir, dir, &mut found)?;
    found
        .into_iter()
        .map(|rel| {
            let path = dir.join(&rel);
            std::fs::read_to_string(&path)
                .map(|text| (rel, text))
                .map_err(|source| Error::Io { path, source })
        })
        .collect()
}

/// Every file under `dir`, as paths relative to `root` with `/` separators; hidden files
/// (editor backups, `.DS_Store`) are skipped.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_known_and_every_known_template_is_embedded() {
        let embedded: BTreeSet<String> = embedded().into_keys().collect();
        let known: BTreeSet<String> = ALL
            .iter()
            .copied()
            .chain(copied())
            .map(str::to_owned)
            .collect();
        assert_eq!(embedded, known);
        // Templates are `*.tera`; what is copied is not, and has no template syntax.
        assert!(ALL.iter().all(|name| is_template(name)));
        for name in copied() {
            let text = super::embedded().get(name).copied().unwrap_or_default();
            assert!(!is_template(name) && !text.is_empty(), "{name}");
            for syntax in ["{{", "{%", "{#"] {
                assert!(!text.contains(syntax), "{name} holds `{syntax}`");
            }
        }
        assert!(Templates::load(None).is_ok());
    }
}

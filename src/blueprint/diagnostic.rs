//! Problems found in a blueprint, and how they are shown.
//!
//! A [`Problem`] is what went wrong, at which key path, under which named [`Rule`], with a
//! hint. [`Problems`] holds all problems of one file together with its text, and implements
//! [`miette::Diagnostic`]: each problem becomes a related diagnostic with a label at its
//! `file:line:column`, located through the [`SourceMap`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use super::source::{KeyPath, Loc, SourceMap, Target};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Printed; does not fail the run.
    Warning,
    /// Fails the run.
    Error,
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, waivable: $waivable:literal; )*) => {
        /// The named rules a blueprint is checked against. Names are what `policy.waivers`
        /// refers to and what diagnostics show as their code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The rule's name, as used in `policy.waivers` and diagnostics.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            /// Whether a waiver may set this rule aside.
            pub fn waivable(self) -> bool {
                match self { $(Rule::$variant => $waivable,)* }
            }
        }
    };
}

rules! {
    /// The file cannot be read, is empty, too large or not UTF-8.
    Read = "read", waivable: false;
    /// YAML syntax, duplicate keys, parser limits.
    Syntax = "syntax", waivable: false;
    /// Unknown keys, missing keys, wrong types, unknown enum values.
    Schema = "schema", waivable: false;
    /// The format version.
    Version = "version", waivable: false;
    /// Names: `[a-z][a-z0-9-]*` within the length limit of their kind.
    Name = "name", waivable: false;
    /// References to units, organizations and environments resolve.
    Reference = "reference", waivable: false;
    /// Counts are at least 1.
    Count = "count", waivable: false;
    /// A tenant fits its unit's cluster shape.
    UnitFit = "unit-fit", waivable: false;
    /// The managed service's quotas.
    Quota = "quota", waivable: false;
    /// Account ids, regions and Kubernetes versions have the cloud's shape.
    CloudId = "cloud-id", waivable: false;
    /// Instance types have the cloud's shape.
    InstanceType = "instance-type", waivable: false;
    /// Tags follow the cloud's tag or label rules.
    Tags = "tags", waivable: false;
    /// CIDRs parse, do not overlap, and hold the clusters planned in them.
    Cidr = "cidr", waivable: false;
    /// `access`: admins are principals of the environment's cloud; `from` goes with
    /// `endpoint: allowlist`.
    Access = "access", waivable: false;
    /// Policy settings are complete and consistent.
    Policy = "policy", waivable: false;
    /// Waivers name a known, waivable rule and give a reason.
    Waiver = "waiver", waivable: false;
    /// A waiver that sets nothing aside.
    UnusedWaiver = "unused-waiver", waivable: false;
    /// Production and non-production never share an account (under `account`), an address
    /// range, or a cluster.
    ProductionIsolation = "production-isolation", waivable: false;
    /// `zeroTrust: true` needs workload identity: `mtls` or `defense-in-depth`.
    ZeroTrustIdentity = "zero-trust-identity", waivable: true;
    /// Production traffic is encrypted: `encryption: none` is refused while any environment
    /// is production.
    ProductionEncryption = "production-encryption", waivable: true;
    /// With `mtls` alone, add-on traffic outside the mesh is unencrypted.
    MeshAddonTraffic = "mesh-addon-traffic", waivable: true;
    /// With `cloud-hardware`, every instance type encrypts on the wire.
    CloudHardwareInstance = "cloud-hardware-instance", waivable: true;
    /// What the chosen encryption leaves uncovered.
    EncryptionCoverage = "encryption-coverage", waivable: true;
    /// The Kubernetes version is past the end of standard support on a cloud it runs on.
    KubernetesSupport = "kubernetes-support", waivable: true;
    /// GKE: production and non-production in one project share its workload identity pool.
    WorkloadIdentityPool = "workload-identity-pool", waivable: true;
    /// A running cluster's Kubernetes version goes up one minor version per apply.
    KubernetesUpgrade = "kubernetes-upgrade", waivable: false;
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Rule {
    /// The rule named `name`.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// The rules that are part of the policy model (may appear in `policy.waivers`, or are
    /// refused with the explanation that they cannot be waived).
    pub fn is_policy_rule(self) -> bool {
        self.waivable() || self == Rule::ProductionIsolation
    }
}

/// One thing wrong (or worth a warning) in a blueprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The rule broken.
    pub rule: Rule,
    /// Where in the document.
    pub path: KeyPath,
    /// Whether the key or its value is at fault.
    pub target: Target,
    /// What is wrong, in the user's terms.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// An exact location, when the parser gave one (otherwise found from `path`).
    pub location: Option<Loc>,
}

impl Problem {
    /// An error under `rule` at `path` (its value).
    pub fn error(rule: Rule, path: KeyPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            rule,
            path,
            target: Target::Value,
            message: message.into(),
            help: None,
            location: None,
        }
    }

    /// A warning under `rule` at `path` (its value).
    pub fn warning(rule: Rule, path: KeyPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(rule, path, message)
        }
    }

    /// With a hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Pointing at the key or the value.
    #[must_use]
    pub fn at(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// At an exact location.
    #[must_use]
    pub fn located(mut self, location: Loc) -> Self {
        self.location = Some(location);
        self
    }

    /// Whether this problem fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// All problems of one blueprint file, with its text for showing where they are.
#[derive(Debug, Clone)]
pub struct Problems {
    file: PathBuf,
    list: Vec<Problem>,
    located: Vec<LocatedProblem>,
}

impl Problems {
    /// Problems of the file at `file` whose text is `source`.
    pub fn new(file: &Path, source: String, mut problems: Vec<Problem>) -> Self {
        // Errors first, then by place in the file, so the output reads top to bottom.
        let map = SourceMap::build(&source);
        for p in &mut problems {
            // Problems with reading the file are about the file, not a place in it.
            if p.location.is_none() && p.rule != Rule::Read {
                p.location = map.locate(&p.path, p.target);
            }
        }
        problems.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| {
                    let key = |p: &Problem| {
                        p.location
                            .map_or((u64::MAX, u64::MAX), |l| (l.line, l.column))
                    };
                    key(a).cmp(&key(b))
                })
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| a.message.cmp(&b.message))
        });
        problems.dedup();
        let source = NamedSource::new(file.display().to_string(), Arc::<str>::from(source));
        let located = problems
            .iter()
            .map(|p| LocatedProblem::new(p, file, &source))
            .collect();
        Self {
            file: file.to_owned(),
            list: problems,
            located,
        }
    }

    /// The problems, errors first.
    pub fn problems(&self) -> &[Problem] {
        &self.list
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Problem::is_error)
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|p| p.is_error()).count()
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.list.len() - self.error_count()
    }

    /// The file's path as the user gave it.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Each problem as a diagnostic of its own (for printing warnings one by one).
    pub fn diagnostics(&self) -> &[LocatedProblem] {
        &self.located
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.error_count();
        let warnings = self.warning_count();
        write!(
            f,
            "`{}` is not a valid blueprint: {errors} {}",
            self.file.display(),
            plural(errors, "error", "errors")
        )?;
        if warnings > 0 {
            write!(
                f,
                ", {warnings} {}",
                plural(warnings, "warning", "warnings")
            )?;
        }
        Ok(())
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

impl std::error::Error for Problems {}

impl Diagnostic for Problems {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("invalid-blueprint"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            "fix the problems above and run `clusterwright validate` again",
        ))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.located.iter().map(|p| p as &dyn Diagnostic)))
    }
}

/// One problem, ready to render: its message, code, hint and labelled span in the file.
#[derive(Debug, Clone)]
pub struct LocatedProblem {
    message: String,
    severity: Severity,
    code: &'static str,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
    span: Option<SourceSpan>,
}

impl LocatedProblem {
    fn new(problem: &Problem, file: &Path, source: &NamedSource<Arc<str>>) -> Self {
        let message = if problem.path.is_root() {
            problem.message.clone()
        } else {
            format!("{}: {}", problem.path, problem.message)
        };
        let message = match problem.location {
            Some(_) => message,
            None => format!("{}: {message}", file.display()),
        };
        Self {
            message,
            severity: problem.severity,
            code: problem.rule.name(),
            help: problem.help.clone(),
            source: source.clone(),
            span: problem
                .location
                .map(|l| SourceSpan::new(l.offset.into(), l.len)),
        }
    }
}

impl fmt::Display for LocatedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LocatedProblem {}

impl Diagnostic for LocatedProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span.map(|_| &self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, span),
        )))
    }
}

//! The Helm charts the networking stack installs, pinned: repository, chart and version.
//!
//! Part of stage 3 (plan). Every version here is one whose values the conformance kit
//! holds, so the generated values are checked against the chart that will run. Bumping a
//! chart is a change to this file, and shows up in every generated helmfile's diff.

use serde::Serialize;

/// A Helm chart repository, as a helmfile `repositories:` entry names it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// The local name (the prefix of `chart:`).
    pub name: &'static str,
    /// Its URL.
    pub url: &'static str,
}

/// A pinned chart.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    /// Where it is published.
    pub repository: Repository,
    /// `<repository>/<chart>`.
    pub chart: &'static str,
    /// The exact version.
    pub version: &'static str,
}

/// `https://helm.cilium.io/`: the Cilium project's chart repository (FACTS §0;
/// cilium/charts holds the packaged `cilium-1.20.0.tgz`).
pub const CILIUM_REPO: Repository = Repository {
    name: "cilium",
    url: "https://helm.cilium.io/",
};

/// Istio's release charts (istio/istio `manifests/charts/*/README.md`).
pub const ISTIO_REPO: Repository = Repository {
    name: "istio",
    url: "https://istio-release.storage.googleapis.com/charts",
};

/// Linkerd's edge charts: the open-source project publishes only edge releases since
/// February 2024 (linkerd/website `2-edge/tasks/install-helm.md`).
pub const LINKERD_REPO: Repository = Repository {
    name: "linkerd-edge",
    url: "https://helm.linkerd.io/edge",
};

/// Jetstack's repository: cert-manager and trust-manager (cert-manager/website
/// `content/docs/trust/trust-manager/installation.md`).
pub const JETSTACK_REPO: Repository = Repository {
    name: "jetstack",
    url: "https://charts.jetstack.io",
};

/// Cilium 1.20.0 (2026-07-29), the chart whose `values.schema.json` the kit validates.
pub const CILIUM: Chart = Chart {
    repository: CILIUM_REPO,
    chart: "cilium/cilium",
    version: "1.20.0",
};

/// Istio's version: 1.30.3 (2026-07-16), the latest patch of the newest minor.
pub const ISTIO_VERSION: &str = "1.30.3";

/// Istio `base`: CRDs and cluster-wide resources.
pub const ISTIO_BASE: Chart = Chart {
    repository: ISTIO_REPO,
    chart: "istio/base",
    version: ISTIO_VERSION,
};

/// Istio `istiod`: the control plane.
pub const ISTIOD: Chart = Chart {
    repository: ISTIO_REPO,
    chart: "istio/istiod",
    version: ISTIO_VERSION,
};

/// Istio `cni`: the node agent that sets up traffic redirection.
pub const ISTIO_CNI: Chart = Chart {
    repository: ISTIO_REPO,
    chart: "istio/cni",
    version: ISTIO_VERSION,
};

/// Istio `ztunnel`: the per-node proxy of ambient mode.
pub const ZTUNNEL: Chart = Chart {
    repository: ISTIO_REPO,
    chart: "istio/ztunnel",
    version: ISTIO_VERSION,
};

/// Linkerd edge-26.8.3 as a chart version: edge `YY.M.N` is chart `20YY.M.N`
/// (linkerd/linkerd2 `bin/compute-edge-version`). Linkerd 2.20 is edge-26.6.3.
pub const LINKERD_VERSION: &str = "2026.8.3";

/// `linkerd-crds`: Linkerd's CRDs.
pub const LINKERD_CRDS: Chart = Chart {
    repository: LINKERD_REPO,
    chart: "linkerd-edge/linkerd-crds",
    version: LINKERD_VERSION,
};

/// `linkerd2-cni`: the CNI plugin that replaces the `linkerd-init` container. Packaged
/// with every release tag beside the control-plane chart into the same repository index
/// (linkerd/linkerd2 `bin/helm-build package`); installed first, in `linkerd-cni`
/// (linkerd/website `2-edge/features/cni.md`, "Using Helm"). The conformance kit holds
/// its values at edge-26.8.3.
pub const LINKERD_CNI: Chart = Chart {
    repository: LINKERD_REPO,
    chart: "linkerd-edge/linkerd2-cni",
    version: LINKERD_VERSION,
};

/// `linkerd-control-plane`.
pub const LINKERD_CONTROL_PLANE: Chart = Chart {
    repository: LINKERD_REPO,
    chart: "linkerd-edge/linkerd-control-plane",
    version: LINKERD_VERSION,
};

/// cert-manager v1.21.1 (2026-07-29): issues and rotates Linkerd's trust anchor and
/// identity issuer.
pub const CERT_MANAGER: Chart = Chart {
    repository: JETSTACK_REPO,
    chart: "jetstack/cert-manager",
    version: "v1.21.1",
};

/// trust-manager v0.24.0 (2026-06-27, the latest tag): publishes the trust anchor's
/// certificate as the ConfigMap Linkerd reads.
pub const TRUST_MANAGER: Chart = Chart {
    repository: JETSTACK_REPO,
    chart: "jetstack/trust-manager",
    version: "v0.24.0",
};

/// The Gateway API release Linkerd recommends (Linkerd 2.20 supports 1.2.1 to 1.5.1;
/// linkerd/website `2-edge/features/gateway-api.md`). Installed from the upstream
/// release where the cloud does not manage the Gateway API itself.
pub const GATEWAY_API_VERSION: &str = "v1.2.1";

/// The Gateway API's standard-channel CRDs at [`GATEWAY_API_VERSION`].
pub const GATEWAY_API_CRDS: &str =
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml";

/// The Gateway API release installed for Istio ambient's waypoints: the one Istio's own
/// ambient install guide applies (istio.io `docs/ambient/getting-started`, "Install the
/// Kubernetes Gateway API CRDs": v1.4.0 `standard-install.yaml`). Waypoints use only the
/// standard channel's `Gateway` (`gatewayClassName: istio-waypoint`).
pub const ISTIO_GATEWAY_API_VERSION: &str = "v1.4.0";

/// The Gateway API's standard-channel CRDs at [`ISTIO_GATEWAY_API_VERSION`].
pub const ISTIO_GATEWAY_API_CRDS: &str =
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0/standard-install.yaml";

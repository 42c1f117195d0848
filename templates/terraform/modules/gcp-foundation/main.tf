# Prerequisites of the clusters of one environment in its project. Apply before any
# cluster stack of the environment; the cluster module looks these objects up by name.

resource "google_project_service" "this" {
  # What the clusters use (Binary Authorization: PROJECT_SINGLETON_POLICY_ENFORCE); left
  # on at destroy, other stacks or teams in the project may use them.
  for_each = toset([
    "binaryauthorization.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
  ])

  service            = each.key
  disable_on_destroy = false
}

resource "google_project_service_identity" "container" {
  # The GKE service agent (service-<number>@container-engine-robot), before the key
  # bindings name it. google-beta only at 8.7 (provider docs); destroy is a no-op.
  provider = google-beta

  service    = "container.googleapis.com"
  depends_on = [google_project_service.this]
}

# access.admins: cluster-admin on every cluster of the project. GKE grants Kubernetes API
# rights through project IAM only (there is no per-cluster IAM policy): roles/container.admin
# covers container.clusters.connect (the DNS endpoint) and every Kubernetes object in every
# cluster of the project. When production and non-production share the project
# (productionIsolation: network), an admin of one environment is an admin of both, and a
# member listed in both is bound by both foundations (destroying one removes it).
resource "google_project_iam_member" "admins" {
  for_each = toset(var.admins)

  project = var.project
  role    = "roles/container.admin"
  member  = each.key
}

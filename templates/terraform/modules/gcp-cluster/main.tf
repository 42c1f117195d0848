# One GKE cluster: its node service account, the firewall rule for its mesh's webhooks,
# the cluster and its node pools. The network, the cluster's subnetwork, its secrets key
# and the project prerequisites (APIs, the GKE service agent and its right on the key)
# are the environment's foundation stack; they are looked up here by the names the plan
# gives them, so this stack needs no other state.

data "google_compute_network" "this" {
  name = var.foundation
}

data "google_compute_subnetwork" "this" {
  # The foundation names each cluster's subnetwork after the cluster.
  name   = var.name
  region = var.region
}

data "google_kms_key_ring" "this" {
  name     = var.foundation
  location = var.region
}

data "google_kms_crypto_key" "secrets" {
  name     = "${var.name}-secrets"
  key_ring = data.google_kms_key_ring.this.id
}

data "google_compute_zones" "region" {
  # A pool of fewer nodes than zones is placed in the first zones of the region, sorted.
  # No status filter: a zone that is down for a while must not move the pools.
  region = var.region
}

locals {
  zones = sort(data.google_compute_zones.region.names)

  # Cilium's own taint, on every node until its agent runs there (the plan puts it on
  # every node group of a Cilium cluster; the stacks leave it to this module).
  cilium_taints = var.cilium ? [{ key = "node.cilium.io/agent-not-ready", value = "true", effect = "NO_EXECUTE" }] : []
}

resource "google_service_account" "nodes" {
  account_id   = var.node_service_account
  display_name = "GKE nodes of ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  # The least-privilege role Google defines for node service accounts.
  project = var.project
  role    = "roles/container.defaultNodeServiceAccount"
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_compute_firewall" "mesh_webhooks" {
  # The private control plane reaches the mesh's admission webhooks on the nodes; GKE
  # itself only opens 443 and 10250 from the control plane.
  count = length(var.webhook_ports) > 0 ? 1 : 0

  name                    = "${var.name}-mesh-webhooks"
  network                 = data.google_compute_network.this.id
  direction               = "INGRESS"
  priority                = 1000
  source_ranges           = [var.control_plane_cidr]
  target_service_accounts = [google_service_account.nodes.email]

  allow {
    protocol = "tcp"
    ports    = [for port in var.webhook_ports : tostring(port)]
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs the organisation's gke-security-groups address, which the blueprint does not carry
  #checkov:skip=CKV_GCP_12:under Cilium (var.cilium) the self-managed Cilium enforces NetworkPolicy and GKE's Calico must stay off; under Dataplane V2 the dataplane enforces it and the Calico add-on does not apply
  #checkov:skip=CKV_GCP_61:intranode visibility is on under Dataplane V2 (var.cilium false); under Cilium it would reconfigure GKE's own pod networking, which Cilium replaces (Hubble shows same-node flows)
  name     = var.name
  location = var.region

  network                     = data.google_compute_network.this.id
  subnetwork                  = data.google_compute_subnetwork.this.id
  networking_mode             = "VPC_NATIVE"
  datapath_provider           = var.cilium ? "LEGACY_DATAPATH" : "ADVANCED_DATAPATH"
  default_max_pods_per_node   = var.max_pods_per_node
  enable_intranode_visibility = !var.cilium
  in_transit_encryption_config = (var.inter_node_encryption
    ? "IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT"
    : null
  )

  # The default pool is removed at creation; node pools are separate resources.
  remove_default_node_pool = true
  initial_node_count       = 1

  deletion_protection   = var.production
  min_master_version    = var.kubernetes_version
  enable_shielded_nodes = true
  enable_legacy_abac    = false

  resource_labels = {
    "cluster" = var.name
  }

  release_channel {
    channel = var.release_channel
  }

  # GKE needs at least 48 hours of maintenance availability in any 32-day window, counted
  # in contiguous stretches of at least 4 hours (GKE "Maintenance windows and
  # exclusions"); the plan's windows are two 6-hour windows a week: at least 8 in any 32
  # days, 48 hours.
  maintenance_policy {
    recurring_window {
      start_time = var.maintenance.start_time
      end_time   = var.maintenance.end_time
      recurrence = var.maintenance.recurrence
    }
  }

  dynamic "gateway_api_config" {
    # Linkerd needs the Gateway API; GKE manages its CRDs.
    for_each = var.gateway_api ? ["CHANNEL_STANDARD"] : []
    content {
      channel = gateway_api_config.value
    }
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
    stack_type                    = "IPV4"
  }

  # The way in: the DNS-based endpoint, reachable from anywhere but gated by IAM
  # (container.clusters.connect; `gcloud container clusters get-credentials
  # --dns-endpoint`), so installing Cilium, the mesh and the tenants needs no network
  # path (google `control_plane_endpoints_config.dns_endpoint_config`, GKE "About network
  # isolation": DNS-based endpoint).
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = var.private_endpoint
    master_ipv4_cidr_block  = var.control_plane_cidr

    master_global_access_config {
      enabled = false
    }
  }

  # Who reaches the IP endpoints: GKE always admits the cluster's node range; the ranges
  # of access.from are added. With private_endpoint_enforcement_enabled the list applies
  # to the private endpoint too, and Google Cloud's public addresses are not admitted as
  # a class (gcp_public_cidrs_access_enabled = false).
  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled      = false
    private_endpoint_enforcement_enabled = true

    dynamic "cidr_blocks" {
      for_each = var.authorized_networks
      content {
        cidr_block   = cidr_blocks.value
        display_name = "access.from ${cidr_blocks.value}"
      }
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  workload_identity_config {
    workload_pool = "${var.project}.svc.id.goog"
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = data.google_kms_crypto_key.secrets.id
  }

  # No Calico: Cilium or Dataplane V2 enforces NetworkPolicy.
  network_policy {
    enabled  = false
    provider = "PROVIDER_UNSPECIFIED"
  }

  addons_config {
    network_policy_config {
      disabled = true
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  logging_config {
    enable_components = [
      "APISERVER",
      "CONTROLLER_MANAGER",
      "SCHEDULER",
      "SYSTEM_COMPONENTS",
      "WORKLOADS",
    ]
  }

  monitoring_config {
    enable_components = [
      "APISERVER",
      "CONTROLLER_MANAGER",
      "SCHEDULER",
      "SYSTEM_COMPONENTS",
    ]

    managed_prometheus {
      enabled = true
    }
  }

  # Only the default pool, which lives during creation: it runs as the cluster's node
  # service account, never as the Compute Engine default one.
  node_config {
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    shielded_instance_config {
      enable_integrity_monitoring = true
      enable_secure_boot          = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }

  lifecycle {
    # The default pool is gone after creation; its settings are not read back.
    ignore_changes = [node_config]
  }

  depends_on = [google_project_iam_member.nodes]
}

resource "google_container_node_pool" "this" {
  for_each = var.node_groups

  name     = each.key
  cluster  = google_container_cluster.this.id
  location = var.region

  # initial_node_count is per zone (google `container_node_pool` docs): the plan gives
  # floor(nodes / zones), so a pool never starts above its size; total_min_node_count
  # holds the plan's total (that the autoscaler tops a pool created below it up to it is
  # not verified without a project). A pool of fewer nodes than zones uses as many zones.
  node_locations     = each.value.nodes < 3 ? slice(local.zones, 0, each.value.nodes) : null
  initial_node_count = each.value.initial_nodes
  max_pods_per_node  = var.max_pods_per_node

  autoscaling {
    location_policy      = "BALANCED"
    total_max_node_count = each.value.nodes
    total_min_node_count = each.value.nodes
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = each.value.machine_type
    image_type      = "COS_CONTAINERD"
    disk_type       = "pd-balanced"
    disk_size_gb    = 100
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    # A tenant's nodes carry its name (the plan's label clusterwright.io/tenant).
    labels = each.value.tenant == null ? {} : { "clusterwright.io/tenant" = each.value.tenant }

    # The system pool: CriticalAddonsOnly; an untrusted tenant's pool:
    # clusterwright.io/tenant=<tenant>; under Cilium every pool: Cilium's.
    dynamic "taint" {
      for_each = concat(each.value.taints, local.cilium_taints)
      content {
        key    = taint.value.key
        value  = taint.value.value
        effect = taint.value.effect
      }
    }

    kubelet_config {
      # Explicit: before google 7.6 a kubelet_config without cpu_cfs_quota sent false
      # (CPU limits unenforced); 7.6.0 changed the unset value to the API's default, true
      # (CHANGELOG 7.6.0, hashicorp/terraform-provider-google#24569). Pools created
      # before keep what they had unless this is set.
      cpu_cfs_quota                          = true
      insecure_kubelet_readonly_port_enabled = "FALSE"
    }

    shielded_instance_config {
      enable_integrity_monitoring = true
      enable_secure_boot          = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }

  lifecycle {
    # Only read at creation; a resize goes through the autoscaling bounds.
    ignore_changes = [initial_node_count]
  }
}

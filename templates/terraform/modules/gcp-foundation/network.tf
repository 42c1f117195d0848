# The environment's network, peered with none: per cluster (by name) a subnetwork with
# its node, pod and service ranges, and Cilium's node-to-node encryption if any. Only the
# node range (primary) is in the environment's range; the pod and service ranges
# (secondary) lie outside it, in non-RFC 1918 space GKE supports (100.64.0.0/10 or
# 240.0.0.0/4: VPC "Valid IPv4 ranges", https://cloud.google.com/vpc/docs/subnets#valid-ranges).

resource "google_compute_network" "this" {
  name                    = var.name
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"

  depends_on = [google_project_service.this]
}

resource "google_compute_subnetwork" "cluster" {
  for_each = var.clusters

  name                     = each.key
  network                  = google_compute_network.this.id
  region                   = var.region
  ip_cidr_range            = each.value.nodes
  private_ip_google_access = true
  stack_type               = "IPV4_ONLY"

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = each.value.pods
  }

  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = each.value.services
  }

  # Flow logs aggregated over 30 s at half the flows: enough to investigate, a fraction
  # of the volume (and cost) of 5 s records.
  log_config {
    aggregation_interval = "INTERVAL_30_SEC"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_firewall" "deny_ingress" {
  # The implied deny-all, explicit so that denials are logged; GKE's rules and those
  # at priority 1000 allow what the clusters need.
  name          = "${var.name}-deny-ingress"
  network       = google_compute_network.this.id
  direction     = "INGRESS"
  priority      = 65534
  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  # Every denial is logged, without the VM and network metadata: these are the most
  # numerous firewall log entries.
  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}

resource "google_compute_firewall" "cilium_encryption" {
  # Cilium's encryption between a cluster's nodes: WireGuard is UDP 51871 between node
  # addresses; IPsec is ESP (protocol 50), whose outer addresses are each node's
  # CiliumInternalIP, taken from the pod range with native routing (cilium/cilium
  # pkg/datapath/linux/ipsec.go, enableIPSecIPv4Do: localIP is the CiliumInternalIP), so
  # ESP is admitted between the node and pod ranges. GKE's own rules admit ESP only from
  # the pod range (its auto-created `-all` rule), and TCP, UDP and ICMP from the node range
  # (`-vms`): this rule keeps ESP open whatever GKE or a Cilium change does to them
  # (cilium v1.20 Documentation/security/network/encryption-ipsec.rst: GKE's default
  # firewall rules may not allow ESP).
  for_each = { for name, c in var.clusters : name => c if c.cilium_encryption != null }

  name               = "${each.key}-cilium-${each.value.cilium_encryption}"
  network            = google_compute_network.this.id
  direction          = "INGRESS"
  priority           = 1000
  source_ranges      = each.value.cilium_encryption == "ipsec" ? [each.value.nodes, each.value.pods] : [each.value.nodes]
  destination_ranges = each.value.cilium_encryption == "ipsec" ? [each.value.nodes, each.value.pods] : [each.value.nodes]

  allow {
    protocol = each.value.cilium_encryption == "wireguard" ? "udp" : "esp"
    ports    = each.value.cilium_encryption == "wireguard" ? ["51871"] : null
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_router" "this" {
  name    = var.name
  network = google_compute_network.this.id
  region  = var.region
}

resource "google_compute_router_nat" "this" {
  # Egress for private nodes (images from registries outside Google), from every range of
  # every subnetwork: the nodes' primary ranges and the pods' secondary ranges, which lie
  # outside RFC 1918 (pods leave behind their node's address anyway: GKE's and Cilium's
  # masquerading; ALL_SUBNETWORKS_ALL_IP_RANGES also covers a pod whose traffic is not
  # masqueraded, google `compute_router_nat` source_subnetwork_ip_ranges_to_nat). Ports per node
  # are allocated dynamically, from 64 up to 4096: a node runs up to 64 pods, and the
  # static default of 64 ports per VM runs out (google `compute_router_nat`:
  # min/max_ports_per_vm powers of two; exclusive with endpoint-independent mapping).
  name                                = var.name
  router                              = google_compute_router.this.name
  region                              = var.region
  nat_ip_allocate_option              = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat  = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  enable_dynamic_port_allocation      = true
  enable_endpoint_independent_mapping = false
  min_ports_per_vm                    = 64
  max_ports_per_vm                    = 4096

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

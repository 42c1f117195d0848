output "name" {
  description = "The cluster's name."
  value       = google_container_cluster.this.name
}

output "dns_endpoint" {
  description = "The control plane's IAM-gated DNS endpoint: the way in (gcloud container clusters get-credentials --dns-endpoint)."
  value       = google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}

output "private_endpoint" {
  description = "The control plane's private IP address, reachable from the cluster's node range and access.from."
  value       = google_container_cluster.this.private_cluster_config[0].private_endpoint
}

output "node_service_account" {
  description = "Email of the nodes' service account."
  value       = google_service_account.nodes.email
}

output "workload_identity_pool" {
  description = "The Workload Identity Federation pool: the project's, shared by every cluster in the project."
  value       = google_container_cluster.this.workload_identity_config[0].workload_pool
}

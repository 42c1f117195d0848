output "subnetworks" {
  description = "Each cluster's subnetwork, by cluster name."
  value       = { for name, s in google_compute_subnetwork.cluster : name => s.name }
}

output "workload_identity_pool" {
  description = "Workload Identity pool of every cluster in the project."
  value       = "${var.project}.svc.id.goog"
}

# The clusters' secrets keys live in the foundation, not in the cluster module:
# prevent_destroy cannot be a variable, and a key must outlive a destroy of its cluster's
# stack.

data "google_project" "this" {
  project_id = var.project
}

resource "google_kms_key_ring" "this" {
  # Key rings cannot be deleted: `terraform destroy` only forgets it.
  name     = var.name
  location = var.region

  depends_on = [google_project_service.this]
}

resource "google_kms_crypto_key" "secrets" {
  # Application-layer encryption of the cluster's Secrets in etcd.
  for_each = var.clusters

  name            = "${each.key}-secrets"
  key_ring        = google_kms_key_ring.this.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "7776000s"

  labels = {
    "cluster" = each.key
  }

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = "HSM"
  }

  lifecycle {
    # Destroying the key makes the cluster's etcd data unreadable.
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "secrets" {
  # The GKE service agent, which exists once generated (main.tf), uses the key.
  for_each = google_kms_crypto_key.secrets

  crypto_key_id = each.value.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:service-${data.google_project.this.number}@container-engine-robot.iam.gserviceaccount.com"

  depends_on = [google_project_service_identity.container]
}

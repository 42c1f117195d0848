terraform {
  required_version = ">= 1.6"

  required_providers {
    # The stacks pin one major, as here: google 7.6 changed an unset
    # kubelet_config.cpu_cfs_quota, so a major is moved to by a reviewed change.
    google = {
      source  = "hashicorp/google"
      version = "~> 8.7"
    }
  }
}

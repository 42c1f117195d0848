# The foundation module of an Azure environment: its foundation stack calls it once. The
# providers are configured by the calling stack (pinned to its subscription).
terraform {
  required_version = ">= 1.6"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.10"
    }
    # time_sleep: waits for Azure RBAC to propagate after a role assignment.
    time = {
      source  = "hashicorp/time"
      version = "~> 0.13"
    }
  }
}

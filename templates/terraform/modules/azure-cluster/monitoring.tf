# Control-plane logs and Container Insights.

resource "azurerm_monitor_diagnostic_setting" "control_plane" {
  # Control-plane logs, audit of every change included.
  name                           = "control-plane"
  target_resource_id             = azurerm_kubernetes_cluster.this.id
  log_analytics_workspace_id     = data.azurerm_log_analytics_workspace.environment.id
  log_analytics_destination_type = "Dedicated"

  dynamic "enabled_log" {
    for_each = ["guard", "kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler"]
    content {
      category = enabled_log.value
    }
  }

  enabled_metric {
    category = "AllMetrics"
  }
}

resource "azurerm_monitor_data_collection_rule" "container_insights" {
  # With msi_auth_for_monitoring_enabled the agent collects nothing until a data
  # collection rule is associated with the cluster (hashicorp/terraform-provider-azurerm
  # #23510; Microsoft's Container Insights ARM template): the ContainerInsights extension
  # sends the Microsoft-ContainerInsights-Group-Default streams to the workspace.
  name                = "MSCI-${data.azurerm_resource_group.environment.location}-${var.name}"
  location            = data.azurerm_resource_group.environment.location
  resource_group_name = var.foundation
  kind                = "Linux"
  tags                = local.tags

  destinations {
    log_analytics {
      name                  = "workspace"
      workspace_resource_id = data.azurerm_log_analytics_workspace.environment.id
    }
  }

  data_flow {
    streams      = ["Microsoft-ContainerInsights-Group-Default"]
    destinations = ["workspace"]
  }

  data_sources {
    extension {
      name           = "ContainerInsightsExtension"
      extension_name = "ContainerInsights"
      streams        = ["Microsoft-ContainerInsights-Group-Default"]
      extension_json = jsonencode({
        dataCollectionSettings = {
          interval               = "1m"
          namespaceFilteringMode = "Off"
          enableContainerLogV2   = true
        }
      })
    }
  }
}

resource "azurerm_monitor_data_collection_rule_association" "container_insights" {
  name                    = "ContainerInsightsExtension"
  target_resource_id      = azurerm_kubernetes_cluster.this.id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.container_insights.id
}

//! GCP facts and names: the name of every GCP resource a cluster or environment has, each
//! built in one function.

use super::names::shortened;

/// GCP service-account ids are 6–30 characters (`[a-z]([-a-z0-9]*[a-z0-9])`); cluster
/// names are 6–40. The cluster name itself where it fits.
pub fn service_account_id(cluster: &str) -> String {
    if cluster.len() <= 30 {
        cluster.to_owned()
    } else {
        shortened(cluster, 30, cluster)
    }
}

/// The email of service account `id` of `project`.
pub fn service_account_email(id: &str, project: &str) -> String {
    format!("{id}@{project}.iam.gserviceaccount.com")
}

/// The workload identity pool of `project`: `<project>.svc.id.goog`.
pub fn workload_pool(project: &str) -> String {
    format!("{project}.svc.id.goog")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_account_ids_fit() {
        let long = "pppppppppppppppppppp-eeeeeeeeeeee-01";
        assert_eq!(
            service_account_id("acme-prod-retail-01"),
            "acme-prod-retail-01"
        );
        let id = service_account_id(&format!("{long}xx"));
        assert!(id.len() <= 30 && id.len() >= 6, "{id}");
        assert!(!id.contains("--"));
    }
}

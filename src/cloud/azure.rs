//! Azure facts and names: the name of every Azure resource a cluster or environment has,
//! each built in one function.

use super::names::shortened;

/// Azure Key Vault names are 3–24 alphanumerics and single hyphens, globally unique:
/// `<platform>-<environment>` cut short, and a hash of the subscription, platform and
/// environment (two platforms with the same name in different subscriptions differ).
pub fn key_vault_name(platform: &str, environment: &str, account: &str) -> String {
    let stem = format!("{platform}-{environment}");
    let mut collapsed = String::with_capacity(stem.len());
    for c in stem.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    shortened(
        &collapsed,
        24,
        &format!("{account}/{platform}/{environment}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_vault_names_fit_and_differ() {
        let vault = key_vault_name("initech", "prod", "6f1c4a52-1d0e-4c7b-9b7e-2a1f3c4d5e6f");
        assert!(
            vault.starts_with("initech-prod-") && vault.len() <= 24,
            "{vault}"
        );
        let a = key_vault_name(&"p".repeat(20), "prod", "x");
        let b = key_vault_name(&"p".repeat(20), "test", "x");
        assert!(a.len() <= 24 && b.len() <= 24);
        assert_ne!(a, b, "long names must not collide");
    }
}

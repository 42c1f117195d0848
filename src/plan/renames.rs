//! Renames: a `--repack` renumbers clusters. A cluster that continues one the previous
//! placement knew under another name — same environment, same name but for the sequence
//! number, and each is the other's largest share of tenants — records the old name, so the
//! Terraform target emits `moved` blocks and the state of everything that can outlive a
//! rename (network, keys) is kept. The record stays in `placement.yaml` so that regenerating
//! keeps the blocks; a name taken again by another cluster drops out of it. Tenants that
//! move between clusters move no state: their node groups belong to the cluster they run in.
//!
//! Stage 3. Input: the previous placement and the clusters placed now (environment, name,
//! tenants). Output: per cluster, its former names, oldest first.

use std::collections::{BTreeMap, BTreeSet};

use super::placement::Placement;
use super::topology::Bin;

/// The former names of every cluster (oldest first), from the previous placement's record
/// and the renames a repack made now.
pub fn renames(previous: Option<&Placement>, clusters: &[Bin]) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some(previous) = previous else {
        return out;
    };
    for (env, old) in &previous.environments {
        let current: Vec<&Bin> = clusters
            .iter()
            .filter(|c| &c.key.environment == env)
            .collect();
        let names: BTreeSet<&str> = current.iter().map(|c| c.name.as_str()).collect();
        // Previous cluster → new cluster holding most of its tenants (same stem, new name).
        let mut best_new: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for (old_name, placed) in old {
            if names.contains(old_name.as_str()) {
                continue;
            }
            let tenants: BTreeSet<&str> = placed.tenants.iter().map(String::as_str).collect();
            for c in &current {
                if old.contains_key(&c.name) || stem(&c.name) != stem(old_name) {
                    continue;
                }
                let shared = c
                    .tenants
                    .iter()
                    .filter(|t| tenants.contains(t.as_str()))
                    .count();
                let better = best_new
                    .get(old_name.as_str())
                    .is_none_or(|(_, n)| shared > *n);
                if shared > 0 && better {
                    best_new.insert(old_name.as_str(), (c.name.as_str(), shared));
                }
            }
        }
        // New cluster → the previous one it holds the largest share of (names break ties).
        let mut continued: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for (old_name, (new_name, shared)) in &best_new {
            let better = continued.get(new_name).is_none_or(|(_, n)| *shared > *n);
            if better {
                continued.insert(new_name, (old_name, *shared));
            }
        }
        for c in &current {
            let mut chain: Vec<String> = old
                .get(&c.name)
                .map(|p| p.formerly.clone())
                .unwrap_or_default();
            if let Some((old_name, _)) = continued.get(c.name.as_str()) {
                chain = old
                    .get(*old_name)
                    .map(|p| p.formerly.clone())
                    .unwrap_or_default();
                chain.push((*old_name).to_owned());
            }
            // A name some cluster holds again cannot be moved from: the chain starts after it.
            if let Some(taken) = chain
                .iter()
                .rposition(|n| names.contains(n.as_str()) || n == &c.name)
            {
                chain.drain(..=taken);
            }
            if !chain.is_empty() {
                out.insert(c.name.clone(), chain);
            }
        }
    }
    out
}

/// With `--repack`, the clusters of production environments keep the names of the
/// clusters they continue: a cluster's name is set at creation on every cloud (EKS, GKE
/// and AKS replace a renamed cluster), and production is never destroyed just to be
/// renumbered. A cluster that continues none, and whose fresh name another cluster now
/// holds, is numbered after every name the environment has used.
pub fn keep_production_names(
    previous: Option<&Placement>,
    bins: &mut [Bin],
    production: &dyn Fn(&str) -> bool,
    platform: &str,
) {
    let chains = renames(previous, bins);
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut renamed: BTreeSet<usize> = BTreeSet::new();
    for (i, bin) in bins.iter_mut().enumerate() {
        if !production(&bin.key.environment) {
            continue;
        }
        if let Some(old) = chains.get(&bin.name).and_then(|c| c.last()) {
            bin.name.clone_from(old);
            bin.sequence = super::topology::sequence_of(old);
            renamed.insert(i);
        }
    }
    for bin in bins.iter() {
        taken
            .entry(bin.key.environment.clone())
            .or_default()
            .insert(bin.name.clone());
    }
    let mut next: BTreeMap<String, u32> = BTreeMap::new();
    for bin in bins.iter() {
        let used = previous
            .and_then(|p| p.environments.get(&bin.key.environment))
            .into_iter()
            .flat_map(|e| e.keys())
            .chain(taken.get(&bin.key.environment).into_iter().flatten())
            .map(|n| super::topology::sequence_of(n))
            .max()
            .unwrap_or(0);
        let e = next.entry(bin.key.environment.clone()).or_insert(used);
        *e = (*e).max(used);
    }
    // A fresh name that collides with a kept one is renumbered.
    for i in 0..bins.len() {
        if renamed.contains(&i) {
            continue;
        }
        let Some(bin) = bins.get(i) else { continue };
        let env = bin.key.environment.clone();
        let clash = bins
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && other.name == bin.name && other.key.environment == env);
        if !clash {
            continue;
        }
        let seq = next.entry(env.clone()).or_insert(0);
        *seq += 1;
        let sequence = *seq;
        if let Some(bin) = bins.get_mut(i) {
            bin.name = super::topology::cluster_name(
                platform,
                &env,
                super::topology::label(&bin.key),
                sequence,
            );
            bin.sequence = sequence;
        }
    }
}

/// A cluster name without its sequence number (`acme-prod-retail-03` is
/// `acme-prod-retail`).
fn stem(name: &str) -> &str {
    name.rsplit_once('-').map_or(name, |(stem, _)| stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_drop_the_sequence_number() {
        assert_eq!(stem("acme-prod-retail-03"), "acme-prod-retail");
    }
}

//! Packing new placements into as few clusters as possible.
//!
//! A partition's new tenants go into its existing clusters first, then into new ones. Three
//! packers run, and the one that opens the fewest new clusters wins (on a tie the earliest
//! listed, so that a plan only changes where it gets strictly better):
//!
//! 1. first-fit decreasing ([`FirstFit`], O(n log n)), the packer of earlier releases;
//! 2. best-fit decreasing over every dimension at once: tenants, node groups and nodes,
//!    each normalised by the cluster's capacity in that dimension. Items go largest first
//!    (by the sum of their normalised sizes) into the cluster they leave the least
//!    normalised room in;
//! 3. on partitions of at most [`EXACT_ITEMS`] placements whose best heuristic packing is
//!    above the lower bound, an exact branch and bound that either proves the minimum or
//!    keeps the best packing found within [`EXACT_NODES`] search nodes. The budget counts
//!    nodes, never wall time, so the result is the same on every machine and every run.
//!
//! Everything is integer arithmetic: the same input gives the same packing.

use super::firstfit::{FirstFit, Room};

/// Partitions of at most this many new placements get the exact search.
pub const EXACT_ITEMS: usize = 64;

/// Search nodes the exact search may visit per partition.
pub const EXACT_NODES: u64 = 20_000;

/// The balanced fill runs when the items have at most this many distinct needs.
pub const BALANCED_KINDS: usize = 1024;

/// Fixed-point scale of the normalised sizes.
const SCALE: u64 = 1 << 20;

/// Where each item goes: `< existing` is an existing cluster, `existing + k` the `k`-th new
/// cluster, new clusters numbered in the order the items (as given) first use them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packing {
    /// Cluster of each item, in the items' order.
    pub slots: Vec<usize>,
    /// New clusters opened.
    pub opened: usize,
}

/// Packs `needs` (items in the caller's order, largest first by its own measure) into
/// clusters of `existing` remaining room, then new clusters of room `cap`. An item that fits
/// no empty cluster still gets one of its own (validation keeps that from happening).
pub fn pack(needs: &[Room], existing: &[Room], cap: Room) -> Packing {
    let ffd = first_fit(needs, existing, cap);
    let bound = lower_bound(needs, existing, cap);
    if ffd.opened <= bound {
        return ffd;
    }
    let mut best = ffd;
    if let Some(balanced) = balanced(needs, existing, cap) {
        if balanced.opened < best.opened {
            best = balanced;
        }
        if best.opened <= bound {
            return best;
        }
    }
    let order = normalised_order(needs, cap);
    let bfd = best_fit(needs, &order, existing, cap);
    if bfd.opened < best.opened {
        best = bfd;
    }
    if best.opened > bound
        && needs.len() <= EXACT_ITEMS
        && let Some(exact) = exact(needs, &order, existing, cap, best.opened, bound)
    {
        best = exact;
    }
    best
}

/// New clusters needed at least: per dimension, what the existing clusters cannot hold
/// divided by a cluster's capacity, rounded up; the largest over the dimensions.
pub fn lower_bound(needs: &[Room], existing: &[Room], cap: Room) -> usize {
    (0..3)
        .map(|d| {
            let need: u64 = needs.iter().map(|n| u64::from(at(*n, d))).sum();
            let room: u64 = existing.iter().map(|r| u64::from(at(*r, d))).sum();
            need.saturating_sub(room)
                .div_ceil(u64::from(at(cap, d).max(1)))
        })
        .max()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Dimension `d` of `r` (0 past the end).
fn at<T: Copy + Default>(r: [T; 3], d: usize) -> T {
    r.get(d).copied().unwrap_or_default()
}

fn fits(room: Room, need: Room) -> bool {
    room.iter().zip(need).all(|(have, want)| *have >= want)
}

fn minus(room: Room, need: Room) -> Room {
    [
        room[0].saturating_sub(need[0]),
        room[1].saturating_sub(need[1]),
        room[2].saturating_sub(need[2]),
    ]
}

/// Σ over the dimensions of `at(r, d) / at(cap, d)`, fixed point.
fn normalised(r: Room, cap: Room) -> u64 {
    (0..3)
        .map(|d| u64::from(at(r, d)) * SCALE / u64::from(at(cap, d).max(1)))
        .sum()
}

/// Item indices, largest normalised size first; ties keep the caller's order.
fn normalised_order(needs: &[Room], cap: Room) -> Vec<usize> {
    let mut order: Vec<usize> = (0..needs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(needs.get(i).map_or(0, |n| normalised(*n, cap))));
    order
}

/// Renumbers new clusters by first use in the items' order.
fn canonical(mut slots: Vec<usize>, existing: usize) -> Packing {
    let mut renumber: Vec<Option<usize>> = Vec::new();
    let mut opened = 0;
    for slot in &mut slots {
        if *slot < existing {
            continue;
        }
        let k = *slot - existing;
        if renumber.len() <= k {
            renumber.resize(k + 1, None);
        }
        if let Some(new) = renumber.get_mut(k) {
            let new = *new.get_or_insert_with(|| {
                opened += 1;
                opened - 1
            });
            *slot = existing + new;
        }
    }
    Packing { slots, opened }
}

/// First-fit decreasing in the items' order.
fn first_fit(needs: &[Room], existing: &[Room], cap: Room) -> Packing {
    let mut fit = FirstFit::with_capacity(existing.len() + needs.len());
    for room in existing {
        fit.open(*room);
    }
    let mut slots = Vec::with_capacity(needs.len());
    for need in needs {
        let slot = fit.find(*need).unwrap_or_else(|| fit.open(cap));
        fit.take(slot, *need);
        slots.push(slot);
    }
    canonical(slots, existing.len())
}

/// Best-fit decreasing: each item, in `order`, into the cluster it leaves the least
/// normalised room in (the lowest-numbered on a tie). Clusters that cannot hold the
/// smallest item still to come, in any dimension, leave the candidate list for good.
fn best_fit(needs: &[Room], order: &[usize], existing: &[Room], cap: Room) -> Packing {
    let mut rooms: Vec<Room> = existing.to_vec();
    // The smallest need, per dimension, of the items from position `i` on.
    let mut smallest = vec![[u32::MAX; 3]; order.len() + 1];
    for (pos, &i) in order.iter().enumerate().rev() {
        let need = needs.get(i).copied().unwrap_or([0; 3]);
        let next = smallest.get(pos + 1).copied().unwrap_or([u32::MAX; 3]);
        if let Some(s) = smallest.get_mut(pos) {
            *s = [
                next[0].min(need[0]),
                next[1].min(need[1]),
                next[2].min(need[2]),
            ];
        }
    }
    let mut live: Vec<usize> = (0..rooms.len()).collect();
    let mut slots = vec![0; needs.len()];
    for (pos, &i) in order.iter().enumerate() {
        let need = needs.get(i).copied().unwrap_or([0; 3]);
        let floor = smallest.get(pos).copied().unwrap_or([0; 3]);
        live.retain(|&b| rooms.get(b).is_some_and(|r| fits(*r, floor)));
        let mut chosen: Option<(u64, usize)> = None;
        for &b in &live {
            let Some(room) = rooms.get(b) else { continue };
            if !fits(*room, need) {
                continue;
            }
            let slack = normalised(minus(*room, need), cap);
            if chosen.is_none_or(|(s, _)| slack < s) {
                chosen = Some((slack, b));
            }
        }
        let b = chosen.map_or_else(
            || {
                rooms.push(cap);
                live.push(rooms.len() - 1);
                rooms.len() - 1
            },
            |(_, b)| b,
        );
        if let Some(room) = rooms.get_mut(b) {
            *room = minus(*room, need);
        }
        if let Some(s) = slots.get_mut(i) {
            *s = b;
        }
    }
    canonical(slots, existing.len())
}

/// Balanced fill, cluster by cluster: each cluster (existing ones first) is given a target
/// number of tenants, the remaining tenants divided by the clusters they need at least, and
/// takes, one at a time, the item whose node groups and nodes come closest (normalised) to
/// an even share of the room left over the target's remaining slots; on a tie the larger,
/// then the first of its kind in the items' order. Decreasing orders put all the small
/// tenants last, where clusters run out of tenant slots before node groups; this mixes them
/// in. `None` when the items have more than [`BALANCED_KINDS`] distinct needs.
fn balanced(needs: &[Room], existing: &[Room], cap: Room) -> Option<Packing> {
    // Items by need, each kind in the items' order.
    let mut kinds: Vec<(Room, Vec<usize>)> = Vec::new();
    let mut kind_of: std::collections::BTreeMap<Room, usize> = std::collections::BTreeMap::new();
    for (i, need) in needs.iter().enumerate() {
        let k = *kind_of.entry(*need).or_insert_with(|| {
            kinds.push((*need, Vec::new()));
            kinds.len() - 1
        });
        if kinds.len() > BALANCED_KINDS {
            return None;
        }
        if let Some((_, items)) = kinds.get_mut(k) {
            items.push(i);
        }
    }
    for (_, items) in &mut kinds {
        items.reverse(); // pop() takes the first
    }
    let mut remaining = [0u64; 3];
    for need in needs {
        for (r, n) in remaining.iter_mut().zip(need) {
            *r += u64::from(*n);
        }
    }
    let mut left = needs.len();
    let mut slots = vec![0usize; needs.len()];
    let mut bin = 0usize;
    while left > 0 {
        let mut room = existing.get(bin).copied().unwrap_or(cap);
        // Clusters the remaining items need at least, and so tenants per cluster.
        let clusters = (0..3)
            .map(|d| at(remaining, d).div_ceil(u64::from(at(cap, d).max(1))))
            .max()
            .unwrap_or(1)
            .max(1);
        let per_cluster = u64::try_from(left).unwrap_or(u64::MAX).div_ceil(clusters);
        let target = per_cluster.min(u64::from(room[0]));
        let mut placed = 0u64;
        loop {
            let share = target.saturating_sub(placed).max(1);
            let mut chosen: Option<((u64, std::cmp::Reverse<u64>), usize)> = None;
            for (k, (need, items)) in kinds.iter().enumerate() {
                if items.is_empty() || !fits(room, *need) {
                    continue;
                }
                // Σ over node groups and nodes of |need - room/share| / cap.
                let distance: u64 = (1..3)
                    .map(|d| {
                        let want = u64::from(at(*need, d)) * share;
                        let have = u64::from(at(room, d));
                        want.abs_diff(have) * SCALE / (u64::from(at(cap, d).max(1)) * share)
                    })
                    .sum();
                let score = (distance, std::cmp::Reverse(normalised(*need, cap)));
                if chosen.as_ref().is_none_or(|(s, _)| score < *s) {
                    chosen = Some((score, k));
                }
            }
            let Some((_, k)) = chosen else { break };
            let Some((need, items)) = kinds.get_mut(k) else {
                break;
            };
            let Some(i) = items.pop() else { break };
            room = minus(room, *need);
            for (r, n) in remaining.iter_mut().zip(need.iter()) {
                *r = r.saturating_sub(u64::from(*n));
            }
            if let Some(s) = slots.get_mut(i) {
                *s = bin;
            }
            placed += 1;
            left -= 1;
        }
        bin += 1;
        // An item that fits not even an empty cluster: give it one of its own.
        if bin > existing.len()
            && placed == 0
            && left > 0
            && let Some((need, i)) = kinds
                .iter_mut()
                .find_map(|(need, items)| items.pop().map(|i| (*need, i)))
        {
            for (r, n) in remaining.iter_mut().zip(need.iter()) {
                *r = r.saturating_sub(u64::from(*n));
            }
            if let Some(s) = slots.get_mut(i) {
                *s = bin - 1;
            }
            left -= 1;
        }
    }
    Some(canonical(slots, existing.len()))
}

/// The exact search's state.
struct Search<'a> {
    needs: &'a [Room],
    order: &'a [usize],
    cap: Room,
    existing: usize,
    /// What the items from position `i` on need in total, per dimension.
    suffix: Vec<[u64; 3]>,
    rooms: Vec<Room>,
    slots: Vec<usize>,
    best: usize,
    best_slots: Option<Vec<usize>>,
    bound: usize,
    nodes: u64,
}

impl Search<'_> {
    /// New clusters still needed at least, given the room left.
    fn still_needed(&self, pos: usize) -> usize {
        let Some(need) = self.suffix.get(pos) else {
            return 0;
        };
        (0..3)
            .map(|d| {
                let room: u64 = self.rooms.iter().map(|r| u64::from(at(*r, d))).sum();
                at(*need, d)
                    .saturating_sub(room)
                    .div_ceil(u64::from(at(self.cap, d).max(1)))
            })
            .max()
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Places the item at `pos` and on; false once the budget is spent or the bound met.
    fn go(&mut self, pos: usize) -> bool {
        self.nodes += 1;
        if self.nodes > EXACT_NODES {
            return false;
        }
        let opened = self.rooms.len() - self.existing;
        let Some(&i) = self.order.get(pos) else {
            if opened < self.best {
                self.best = opened;
                self.best_slots = Some(self.slots.clone());
            }
            return self.best > self.bound;
        };
        if opened + self.still_needed(pos) >= self.best {
            return true;
        }
        let need = self.needs.get(i).copied().unwrap_or([0; 3]);
        for b in 0..self.rooms.len() {
            let room = self.rooms.get(b).copied().unwrap_or([0; 3]);
            // Clusters with the same room left are interchangeable: try one of them.
            if !fits(room, need) || self.rooms.get(..b).is_some_and(|r| r.contains(&room)) {
                continue;
            }
            self.set(b, i, minus(room, need));
            let more = self.go(pos + 1);
            self.set(b, i, room);
            if !more {
                return false;
            }
        }
        if opened + 1 < self.best {
            self.rooms.push(minus(self.cap, need));
            if let Some(s) = self.slots.get_mut(i) {
                *s = self.rooms.len() - 1;
            }
            let more = self.go(pos + 1);
            self.rooms.pop();
            if !more {
                return false;
            }
        }
        true
    }

    fn set(&mut self, b: usize, item: usize, room: Room) {
        if let Some(r) = self.rooms.get_mut(b) {
            *r = room;
        }
        if let Some(s) = self.slots.get_mut(item) {
            *s = b;
        }
    }
}

/// Branch and bound for a packing opening fewer than `incumbent` new clusters; `None` when
/// none is found within the budget.
fn exact(
    needs: &[Room],
    order: &[usize],
    existing: &[Room],
    cap: Room,
    incumbent: usize,
    bound: usize,
) -> Option<Packing> {
    let mut suffix = vec![[0u64; 3]; order.len() + 1];
    for (pos, &i) in order.iter().enumerate().rev() {
        let need = needs.get(i).copied().unwrap_or([0; 3]);
        let next = suffix.get(pos + 1).copied().unwrap_or([0; 3]);
        if let Some(s) = suffix.get_mut(pos) {
            *s = [
                next[0] + u64::from(need[0]),
                next[1] + u64::from(need[1]),
                next[2] + u64::from(need[2]),
            ];
        }
    }
    let mut search = Search {
        needs,
        order,
        cap,
        existing: existing.len(),
        suffix,
        rooms: existing.to_vec(),
        slots: vec![0; needs.len()],
        best: incumbent,
        best_slots: None,
        bound,
        nodes: 0,
    };
    search.go(0);
    search
        .best_slots
        .map(|slots| canonical(slots, existing.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every item placed once, no cluster over its room.
    fn valid(needs: &[Room], existing: &[Room], cap: Room, p: &Packing) -> bool {
        let mut rooms: Vec<Room> = existing.to_vec();
        rooms.resize(existing.len() + p.opened, cap);
        for (need, &slot) in needs.iter().zip(&p.slots) {
            let Some(room) = rooms.get_mut(slot) else {
                return false;
            };
            if !fits(*room, *need) {
                return false;
            }
            *room = minus(*room, *need);
        }
        p.slots.len() == needs.len()
    }

    #[test]
    fn finds_two_clusters_where_first_fit_needs_three() {
        // Nodes 4 4 3 3 3 3 (20) into clusters of 10: first fit decreasing packs 4 4 | 3 3 3
        // | 3; 4 3 3 | 4 3 3 fills two exactly.
        let cap = [4, 10, 10];
        let needs: Vec<Room> = [4, 4, 3, 3, 3, 3].iter().map(|&n| [1, 1, n]).collect();
        assert_eq!(first_fit(&needs, &[], cap).opened, 3);
        let p = pack(&needs, &[], cap);
        assert_eq!(p.opened, 2, "{p:?}");
        assert!(valid(&needs, &[], cap, &p));
    }

    #[test]
    fn balanced_fill_mixes_small_items_in() {
        // Four items of 3 groups, twelve of 1; clusters of 10 tenants and 12 groups.
        let cap = [10, 12, 36];
        let mut needs: Vec<Room> = vec![[1, 3, 3]; 4];
        needs.extend(vec![[1, 1, 1]; 12]);
        assert_eq!(first_fit(&needs, &[], cap).opened, 3);
        let order = normalised_order(&needs, cap);
        assert_eq!(best_fit(&needs, &order, &[], cap).opened, 3);
        let p = balanced(&needs, &[], cap).unwrap_or_else(|| panic!("few kinds"));
        assert_eq!(p.opened, 2, "{p:?}");
        assert!(valid(&needs, &[], cap, &p));
    }

    #[test]
    fn exact_search_proves_what_heuristics_miss() {
        // Two dimensions that pull apart: node groups and nodes, capacity 10 each.
        let cap = [10, 10, 10];
        // Found by a search over random instances: every heuristic opens five clusters;
        // four suffice: [7,5]+[1,4] | [6,5]+[4,4] | [5,2]+[1,7] | [4,6]+[1,4].
        let needs: Vec<Room> = vec![
            [1, 7, 5],
            [1, 6, 5],
            [1, 5, 2],
            [1, 4, 6],
            [1, 4, 4],
            [1, 1, 7],
            [1, 1, 4],
            [1, 1, 4],
        ];
        let ffd = first_fit(&needs, &[], cap);
        let order = normalised_order(&needs, cap);
        let bfd = best_fit(&needs, &order, &[], cap);
        let fill = balanced(&needs, &[], cap).unwrap_or_else(|| panic!("few kinds"));
        let p = pack(&needs, &[], cap);
        assert!(valid(&needs, &[], cap, &p));
        assert_eq!(lower_bound(&needs, &[], cap), 4);
        assert_eq!(p.opened, 4, "{p:?}");
        assert_eq!([ffd.opened, bfd.opened, fill.opened], [5, 5, 5]);
    }

    #[test]
    fn existing_clusters_fill_first() {
        let cap = [4, 10, 10];
        let existing = [[2, 5, 5]];
        let needs: Vec<Room> = vec![[1, 3, 3], [1, 2, 2], [1, 4, 4]];
        let p = pack(&needs, &existing, cap);
        assert!(valid(&needs, &existing, cap, &p));
        assert_eq!(p.opened, 1);
        assert!(p.slots.contains(&0));
    }

    proptest! {
        #[test]
        fn never_worse_than_first_fit_and_always_valid(
            needs in proptest::collection::vec((1u32..2, 1u32..6, 1u32..12), 0..40),
            existing in proptest::collection::vec((0u32..4, 0u32..10, 0u32..20), 0..4),
        ) {
            let cap = [4, 10, 20];
            let mut needs: Vec<Room> = needs.into_iter().map(|(t, g, n)| [t, g, n]).collect();
            needs.sort_by(|a, b| b[1].cmp(&a[1]).then(b[2].cmp(&a[2])));
            let existing: Vec<Room> = existing.into_iter().map(|(t, g, n)| [t, g, n]).collect();
            let p = pack(&needs, &existing, cap);
            prop_assert!(valid(&needs, &existing, cap, &p));
            prop_assert!(p.opened <= first_fit(&needs, &existing, cap).opened);
            prop_assert!(p.opened >= lower_bound(&needs, &existing, cap));
            prop_assert_eq!(&p, &pack(&needs, &existing, cap));
        }
    }
}

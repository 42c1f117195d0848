//! First fit in logarithmic time: "the first cluster, in order, with room for this tenant".
//!
//! A plain scan over every open cluster per tenant is quadratic: 10,000 tenants in 1,500
//! clusters of one partition is 15 million checks per packing. Here the clusters' remaining
//! room (tenants, node groups, nodes) sits at the leaves of a segment tree whose inner nodes
//! hold the largest remaining room per dimension below them; a search descends left first
//! and skips every subtree that lacks room in any dimension. The result is exactly that of
//! the scan: the lowest-numbered cluster that fits.

/// Room in one cluster: tenants, node groups, nodes.
pub type Room = [u32; 3];

/// Clusters in the order they were opened, searchable for the first with enough room.
#[derive(Debug, Clone)]
pub struct FirstFit {
    /// Leaves start here; inner node `i` has children `2i` and `2i + 1`.
    leaves: usize,
    /// Largest room per dimension in each subtree (index 0 unused).
    tree: Vec<Room>,
    /// Clusters opened so far.
    len: usize,
}

impl FirstFit {
    /// Room for at most `capacity` clusters.
    pub fn with_capacity(capacity: usize) -> Self {
        let leaves = capacity.max(1).next_power_of_two();
        Self {
            leaves,
            tree: vec![[0; 3]; 2 * leaves],
            len: 0,
        }
    }

    /// Opens a cluster with `room`; returns its number. Grows when full.
    pub fn open(&mut self, room: Room) -> usize {
        if self.len == self.leaves {
            let mut bigger = Self::with_capacity(self.leaves * 2);
            for i in 0..self.len {
                if let Some(r) = self.tree.get(self.leaves + i) {
                    bigger.set(i, *r);
                }
            }
            bigger.len = self.len;
            *self = bigger;
        }
        let at = self.len;
        self.len += 1;
        self.set(at, room);
        at
    }

    /// The first cluster with at least `need` room in every dimension.
    pub fn find(&self, need: Room) -> Option<usize> {
        self.search(1, need)
    }

    /// Depth-first, left first. A subtree's maxima may each come from a different cluster,
    /// so a subtree that seems to fit may not: the search then backs out and goes right.
    /// The depth is the tree's height (about 20 for a million clusters).
    fn search(&self, node: usize, need: Room) -> Option<usize> {
        let room = self.tree.get(node)?;
        if !room.iter().zip(need).all(|(have, want)| *have >= want) {
            return None;
        }
        if node >= self.leaves {
            return Some(node - self.leaves);
        }
        self.search(2 * node, need)
            .or_else(|| self.search(2 * node + 1, need))
    }

    /// Takes `need` from cluster `at`.
    pub fn take(&mut self, at: usize, need: Room) {
        let Some(room) = self.tree.get(self.leaves + at).copied() else {
            return;
        };
        let left = [
            room[0].saturating_sub(need[0]),
            room[1].saturating_sub(need[1]),
            room[2].saturating_sub(need[2]),
        ];
        self.set(at, left);
    }

    fn set(&mut self, at: usize, room: Room) {
        let mut node = self.leaves + at;
        if let Some(leaf) = self.tree.get_mut(node) {
            *leaf = room;
        }
        while node > 1 {
            node /= 2;
            let (l, r) = (
                self.tree.get(2 * node).copied().unwrap_or([0; 3]),
                self.tree.get(2 * node + 1).copied().unwrap_or([0; 3]),
            );
            if let Some(inner) = self.tree.get_mut(node) {
                *inner = [l[0].max(r[0]), l[1].max(r[1]), l[2].max(r[2])];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The quadratic scan it replaces.
    fn scan(rooms: &[Room], need: Room) -> Option<usize> {
        rooms
            .iter()
            .position(|r| r.iter().zip(need).all(|(h, w)| *h >= w))
    }

    #[test]
    fn maxima_from_different_clusters_do_not_fool_it() {
        let mut ff = FirstFit::with_capacity(4);
        ff.open([1, 0, 5]); // room for a tenant, no node groups
        ff.open([0, 5, 5]); // node groups, no tenant
        ff.open([1, 5, 5]); // both
        assert_eq!(ff.find([1, 1, 1]), Some(2));
        assert_eq!(ff.find([1, 6, 1]), None);
    }

    proptest! {
        #[test]
        fn finds_what_a_scan_finds(ops in proptest::collection::vec((0u32..3, 1u32..12, 1u32..40), 1..300)) {
            let mut ff = FirstFit::with_capacity(3);
            let mut rooms: Vec<Room> = Vec::new();
            for (t, g, n) in ops {
                let need = [t, g, n];
                match (ff.find(need), scan(&rooms, need)) {
                    (Some(a), Some(b)) => {
                        prop_assert_eq!(a, b);
                        ff.take(a, need);
                        for (r, w) in rooms[a].iter_mut().zip(need) { *r -= w; }
                    }
                    (None, None) => {
                        // Clusters of different shapes, so that maxima come from different ones.
                        let room = [[3, 10, 30], [1, 12, 8], [5, 2, 40]][rooms.len() % 3];
                        prop_assert_eq!(ff.open(room), rooms.len());
                        rooms.push(room);
                    }
                    (a, b) => prop_assert!(false, "tree {:?} vs scan {:?}", a, b),
                }
            }
        }
    }
}

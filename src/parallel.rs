//! Work split over the machine's cores: a pure function mapped over a list, in order; and
//! the time each stage of a run takes, on request.
//!
//! Rendering, formatting, parsing back, comparing and writing thousands of generated files
//! is most of a large `generate`; each file (each target, when rendering) is independent.
//! Items are handed out one at a time to a worker per core, so a few large items (a
//! network file, the decision record) do not leave the other cores idle.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// `f` applied to every item, on as many threads as there are cores, results in the
/// order of `items`. A panic in `f` is resumed on the caller's thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Whether `CLUSTERWRIGHT_TIMINGS` is set (to anything but empty): then [`timed`] reports.
fn timings_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CLUSTERWRIGHT_TIMINGS").is_some_and(|v| !v.is_empty()))
}

/// Runs `f`; with `CLUSTERWRIGHT_TIMINGS` set, prints how long it took to stderr as
/// `timing: <stage> <ms> ms`. A profiling aid (README, "Performance"): no output otherwise.
pub fn timed<R>(stage: &str, f: impl FnOnce() -> R) -> R {
    if !timings_on() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    eprintln!(
        "timing: {stage} {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |i| i * 2),
            items.iter().map(|i| i * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(&Vec::<u32>::new(), |i| *i), Vec::<u32>::new());
        assert_eq!(super::map(&[7u32], |i| i + 1), vec![8]);
    }

    #[test]
    fn uneven_items_keep_their_order() {
        // A few long items among short ones: handed out one at a time, collected in order.
        let items: Vec<u64> = (0..64)
            .map(|i| if i % 16 == 0 { 200_000 } else { 10 })
            .collect();
        let sums = super::map(&items, |n| (0..*n).sum::<u64>());
        let expected: Vec<u64> = items.iter().map(|n| (0..*n).sum()).collect();
        assert_eq!(sums, expected);
    }

    #[test]
    fn timed_returns_what_it_runs() {
        assert_eq!(super::timed("test", || 41 + 1), 42);
    }
}

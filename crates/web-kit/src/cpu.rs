//! Heavy computation off the async threads: [`run`] runs a closure on a pool of low-priority
//! threads ([`sozialatlas_cpu::Workers`]), at most one per core at a time, so that a few
//! expensive requests (a typology, Moran's permutations, a PNG, the report) never stall the
//! threads that serve every other page, and yield the cores to them when both want one.

use sozialatlas_cpu::Workers;

use crate::error::AppError;

/// The threads of heavy computations: one per core.
static HEAVY: Workers = Workers::new("heavy", sozialatlas_cpu::cores);

/// How many computations run at once: the number of cores.
pub fn slots() -> usize {
    HEAVY.threads()
}

/// Computations running now (those waiting for a slot are not counted).
pub fn busy() -> usize {
    HEAVY.busy()
}

/// Runs `f` on a heavy-work thread when one is free; its result, or an internal error if it
/// panicked.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    HEAVY
        .run(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At most [`slots`] computations run at once; a panic is an internal error, not a crash.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn bounded_and_panic_safe() {
        let most = sozialatlas_test_support::most_at_once(4 * slots() + 2, |job| async {
            run(job).await.unwrap();
        })
        .await;
        assert!((1..=slots()).contains(&most), "{most} at once");
        let r: Result<(), AppError> = run(|| panic!("boom")).await;
        assert!(matches!(r, Err(AppError::Internal(_))));
        assert_eq!(busy(), 0);
    }
}

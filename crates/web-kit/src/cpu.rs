//! Heavy computation off the async threads: [`run`] runs a closure on tokio's blocking threads,
//! at most one per core at a time, so that a few expensive requests (a typology, Moran's
//! permutations, a PNG, the report) never stall the threads that serve every other page.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use crate::error::AppError;

/// How many computations run at once: the number of cores.
pub fn slots() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(slots()))
}

/// Computations running now (those waiting for a slot are not counted).
pub fn busy() -> usize {
    slots().saturating_sub(permits().available_permits())
}

/// Runs `f` on a blocking thread when a slot is free; its result, or an internal error if it
/// panicked.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _slot = permits()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("cpu slots: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("a computation failed: {e}")))
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

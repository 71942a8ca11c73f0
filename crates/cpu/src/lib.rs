//! CPU-heavy work off the async threads, at a lower scheduling priority than the pages.
//!
//! A [`Workers`] pool is a fixed number of threads, started on first use, that take jobs in
//! arrival order: at most that many jobs run at once, the rest wait in the queue. On Linux each
//! thread lowers its own priority to [`NICE`] when it starts, so that when the cores are busy
//! the scheduler gives the threads serving pages (priority 0) the core first: a storm of
//! password checks or a slow analysis delays other such work, not the atlas pages. (A thread
//! may lower its priority without privileges but not raise it again, which is why the pool has
//! threads of its own instead of tokio's blocking threads.)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

/// The nice value of the pool's threads (0 is the default, 19 the lowest priority): with
/// Linux's weights, a busy thread at 10 gets about a tenth of a core against one at 0.
pub const NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// A bounded pool of low-priority threads; see the crate's documentation. Meant to live in a
/// `static`: [`Workers::new`] is `const` and starts nothing.
pub struct Workers {
    name: &'static str,
    threads: fn() -> usize,
    queue: OnceLock<Mutex<Sender<Job>>>,
    running: AtomicUsize,
}

/// A job that panicked (the panic's message, if it had one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked(pub String);

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a computation failed: {}", self.0)
    }
}

impl std::error::Error for Panicked {}

/// The number of cores (at least one).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl Workers {
    /// A pool named `name` (its threads are `name-0`, `name-1`, …) of `threads()` threads.
    pub const fn new(name: &'static str, threads: fn() -> usize) -> Self {
        Workers {
            name,
            threads,
            queue: OnceLock::new(),
            running: AtomicUsize::new(0),
        }
    }

    /// How many jobs run at once at most.
    pub fn threads(&self) -> usize {
        (self.threads)().max(1)
    }

    /// Jobs running now (those waiting in the queue are not counted).
    pub fn busy(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// Runs `f` on one of the pool's threads when one is free: its result, or [`Panicked`]
    /// when it panicked (the thread goes on with the next job). A job whose caller stopped
    /// waiting (the future was dropped) before a thread took it is not run.
    pub async fn run<T: Send + 'static>(
        &'static self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Panicked> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Nobody waits for it any more (the request was dropped: its client went away):
            // skip the work, as a task waiting for a slot would have been dropped.
            if done.is_closed() {
                return;
            }
            self.running.fetch_add(1, Ordering::Relaxed);
            let result = catch_unwind(AssertUnwindSafe(f));
            // Not running any more once its caller has the result.
            self.running.fetch_sub(1, Ordering::Relaxed);
            let _ = done.send(result);
        });
        let sent = self
            .queue()
            .lock()
            .map_err(|_| Panicked("the queue's lock".into()))?
            .send(job);
        sent.map_err(|_| Panicked("no worker thread could be started".into()))?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => Err(Panicked(panic_message(panic.as_ref()))),
            Err(_) => Err(Panicked("the worker stopped".into())),
        }
    }

    fn queue(&'static self) -> &'static Mutex<Sender<Job>> {
        self.queue.get_or_init(|| {
            let (send, receive) = channel::<Job>();
            let receive = Arc::new(Mutex::new(receive));
            for i in 0..self.threads() {
                let receive = Arc::clone(&receive);
                // A thread that cannot be started leaves fewer; with none, every job is
                // refused ("no worker thread") as the queue has no reader.
                let _ = std::thread::Builder::new()
                    .name(format!("{}-{i}", self.name))
                    .spawn(move || work(&receive));
            }
            Mutex::new(send)
        })
    }
}

/// A worker thread: lowers its priority, then runs jobs until the queue closes.
fn work(receive: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match receive.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        job();
    }
}

/// Sets the calling thread's nice value to [`NICE`] (Linux: `setpriority` with
/// `PRIO_PROCESS` and a thread id acts on that thread alone), unless it is already lower.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and getpriority/setpriority on the calling thread have no preconditions.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if now < NICE {
            libc::setpriority(libc::PRIO_PROCESS, tid, NICE);
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    static TWO: Workers = Workers::new("test-two", || 2);

    /// Many jobs at once: at most the pool's threads run together, every one finishes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn bounded() {
        static NOW: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let jobs: Vec<_> = (0..12)
            .map(|i| {
                tokio::spawn(TWO.run(move || {
                    let n = NOW.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    NOW.fetch_sub(1, Ordering::SeqCst);
                    i
                }))
            })
            .collect();
        let mut sum = 0;
        for j in jobs {
            sum += j.await.unwrap().unwrap();
        }
        assert_eq!(sum, (0..12).sum::<i32>());
        assert_eq!(MOST.load(Ordering::SeqCst), 2);
    }

    /// A panic is an error of its job; the thread runs the next job.
    #[tokio::test]
    async fn a_panic_is_an_error_and_the_pool_goes_on() {
        static ONE: Workers = Workers::new("test-one", || 1);
        let r: Result<(), Panicked> = ONE.run(|| panic!("boom")).await;
        assert_eq!(r, Err(Panicked("boom".into())));
        assert_eq!(ONE.run(|| 6 * 7).await, Ok(42));
        assert_eq!(ONE.busy(), 0);
        assert_eq!(ONE.threads(), 1);
    }

    /// A job whose caller went away while it waited in the queue is not run.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_nobody_waits_for_is_skipped() {
        static QUEUE: Workers = Workers::new("test-skip", || 1);
        static RAN: AtomicUsize = AtomicUsize::new(0);
        let (started, release) = (
            std::sync::Arc::new(std::sync::Barrier::new(2)),
            std::sync::Arc::new(std::sync::Barrier::new(2)),
        );
        let (s, r) = (started.clone(), release.clone());
        let busy = tokio::spawn(QUEUE.run(move || {
            s.wait();
            r.wait();
        }));
        tokio::task::spawn_blocking(move || started.wait())
            .await
            .unwrap();
        // Queued behind the busy job, then dropped.
        let queued = tokio::spawn(QUEUE.run(|| RAN.fetch_add(1, Ordering::SeqCst)));
        tokio::time::sleep(Duration::from_millis(50)).await;
        queued.abort();
        let _ = queued.await;
        tokio::task::spawn_blocking(move || release.wait())
            .await
            .unwrap();
        busy.await.unwrap().unwrap();
        assert_eq!(QUEUE.run(|| RAN.load(Ordering::SeqCst)).await, Ok(0));
    }

    /// The jobs run at a lower priority than the thread that sends them.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn jobs_run_at_lower_priority() {
        static LOW: Workers = Workers::new("test-low", || 1);
        let nice = || unsafe {
            // SAFETY: as in lower_priority.
            libc::getpriority(
                libc::PRIO_PROCESS,
                libc::syscall(libc::SYS_gettid) as libc::id_t,
            )
        };
        let here = nice();
        let there = LOW.run(nice).await.unwrap();
        assert_eq!(there, here.max(NICE), "the worker's nice value");
        assert!(
            LOW.run(|| std::thread::current().name().map(str::to_string))
                .await
                .unwrap()
                .as_deref()
                == Some("test-low-0")
        );
    }
}

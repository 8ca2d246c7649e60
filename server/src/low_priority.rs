//! Work nobody is waiting on, run below the requests: the background analysis
//! (`crate::background`) takes a whole second of CPU or more on a large conversation, and
//! on a tokio blocking thread it competed with the request workers as an equal. Under a
//! full core that put a vote behind it, and the vote's tail (p99) moved with the analysis's
//! schedule (BENCHMARKS.md, "At the size").
//!
//! [`run`] gives such work a thread of its own with a lower scheduling priority (nice +10
//! on Linux, where the nice value is a thread's own: `man 2 setpriority`, NOTES). With a
//! core to spare it runs as fast as before; when the requests want every core, the
//! kernel's fair scheduler gives it about a tenth of one (weights 1024 against 110), so a
//! run takes longer and the next one waits ten times longer still (`COST_FACTOR`). Threads
//! the work starts (stability's resamples) inherit the lower priority.

use anyhow::anyhow;

/// How much lower than the process the work runs: nice +10.
pub const NICE_INCREMENT: i32 = 10;

/// Runs `f` on a new thread named `name` at a lower priority, and waits for its result
/// without holding a runtime worker. An error if the thread cannot start or `f` panics.
pub async fn run<R, F>(name: &str, f: F) -> anyhow::Result<R>
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            lower_this_thread();
            let _ = tx.send(f());
        })
        .map_err(|e| anyhow!("could not start the {name} thread: {e}"))?;
    rx.await.map_err(|_| anyhow!("the {name} thread ended without a result (it panicked)"))
}

/// Lowers the calling thread's priority by [`NICE_INCREMENT`]; where that fails (or on
/// another system), the thread keeps the process's priority and the work runs as before.
fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        let now = nice_of_this_thread();
        let wanted = (now + NICE_INCREMENT).min(19);
        // SAFETY: setpriority takes plain integers and touches no memory of ours. With
        // PRIO_PROCESS and who = 0 Linux sets the calling thread's nice value only.
        let done = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, wanted) };
        if done != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "could not lower a background thread's priority");
        }
    }
}

/// The calling thread's nice value (-20..=19).
#[cfg(target_os = "linux")]
pub fn nice_of_this_thread() -> i32 {
    // SAFETY: as above. getpriority can return -1 as a value, so errno is cleared first
    // and read after (`man 2 getpriority`).
    unsafe {
        *libc::__errno_location() = 0;
        let p = libc::getpriority(libc::PRIO_PROCESS, 0);
        if p == -1 && *libc::__errno_location() != 0 {
            return 0;
        }
        p
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_work_runs_ten_steps_nicer_than_its_caller_and_its_threads_too() {
        let caller = nice_of_this_thread();
        let (own, spawned) = run("test-low", || {
            let spawned = std::thread::spawn(nice_of_this_thread).join().unwrap();
            (nice_of_this_thread(), spawned)
        })
        .await
        .unwrap();
        let wanted = (caller + NICE_INCREMENT).min(19);
        assert_eq!(own, wanted, "the work's own thread");
        assert_eq!(spawned, wanted, "a thread the work starts");
        // The caller is untouched.
        assert_eq!(nice_of_this_thread(), caller);
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_an_error_not_a_hang() {
        let r: anyhow::Result<()> = run("test-panic", || panic!("boom")).await;
        let e = r.unwrap_err().to_string();
        assert!(e.contains("test-panic") && e.contains("panicked"), "{e}");
    }
}

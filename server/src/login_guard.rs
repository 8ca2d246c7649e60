//! What stands between a password guesser and argon2: a per-address attempt limit, a
//! per-username failure limit, and a bounded pool that runs the password checks.
//!
//! An argon2 check with the default parameters takes about 19 MiB and tens of milliseconds of
//! one core; unbounded, 200 concurrent wrong logins took the server from 66 MB to 3.96 GB.
//! Here at most `workers` checks run at once, on blocking threads (never on the async
//! workers that serve votes), at most `queue` more wait for one, and any login beyond that is
//! refused at once with 503 `busy`. An unknown username is checked against a dummy hash
//! through the same pool, so it costs the same time and the same place in the queue.
//!
//! Order of the checks, cheapest first: the client address's token bucket (attempts, by
//! `ratelimit::client_address`, an IPv6 client by its /64), a place in the pool, then the
//! username's failure bucket (taken only once the check is sure to run, so a storm of
//! concurrent guesses cannot overdraw it; a successful login refills it).

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use blake2::{Blake2b512, Digest};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::ratelimit::RateLimiter;

/// Why a login attempt was not checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts from this client address; retry after the wait.
    Address(Duration),
    /// Too many failures for this username; retry after the wait.
    Username(Duration),
    /// Every password-check worker is busy and the queue is full.
    Busy,
}

/// At most `workers` password checks at once, and at most `queue` waiting for one.
pub struct PasswordPool {
    permits: Arc<Semaphore>,
    queue: usize,
    waiting: AtomicUsize,
    in_flight: Arc<AtomicUsize>,
    high_water: Arc<AtomicUsize>,
}

/// A place in the pool: the check it admits runs on a worker.
pub struct Admitted {
    _permit: OwnedSemaphorePermit,
}

/// Leaves the queue when the waiting request finishes or is dropped (client gone).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PasswordPool {
    pub fn new(workers: usize, queue: usize) -> PasswordPool {
        PasswordPool {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            queue,
            waiting: AtomicUsize::new(0),
            in_flight: Arc::new(AtomicUsize::new(0)),
            high_water: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A free worker now, or a place in the queue until one is free; `None` when the queue
    /// is full.
    pub async fn admit(&self) -> Option<Admitted> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Some(Admitted { _permit: p });
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let _waiting = Waiting(&self.waiting);
        self.permits.clone().acquire_owned().await.ok().map(|p| Admitted { _permit: p })
    }

    /// Runs `check` on a blocking thread; the worker stays taken until it returns, even if
    /// the request that asked is gone.
    pub async fn run(&self, admitted: Admitted, check: impl FnOnce() -> bool + Send + 'static) -> bool {
        let (in_flight, high_water) = (self.in_flight.clone(), self.high_water.clone());
        tokio::task::spawn_blocking(move || {
            let now = in_flight.fetch_add(1, Ordering::AcqRel) + 1;
            high_water.fetch_max(now, Ordering::AcqRel);
            let ok = check();
            in_flight.fetch_sub(1, Ordering::AcqRel);
            drop(admitted);
            ok
        })
        .await
        .unwrap_or(false)
    }

    /// The most checks that ever ran at once.
    pub fn high_water(&self) -> usize {
        self.high_water.load(Ordering::Acquire)
    }
}

/// Settings of [`LoginGuard`] (flags of `mufakat serve`).
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Password checks at once (argon2 workers).
    pub workers: usize,
    /// Logins that may wait for a worker; more are refused with 503.
    pub queue: usize,
    /// Login attempts per minute per client address (0: unlimited), and the burst.
    pub per_address_per_minute: f64,
    pub per_address_burst: f64,
    /// Failed logins per username within `failure_window` before that username is locked
    /// (0: unlimited); it then gets one more attempt per `failure_window / failures`.
    pub failures_per_user: f64,
    pub failure_window: Duration,
}

impl Default for LoginLimits {
    fn default() -> LoginLimits {
        LoginLimits {
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            queue: 32,
            per_address_per_minute: 5.0,
            per_address_burst: 10.0,
            failures_per_user: 10.0,
            failure_window: Duration::from_secs(15 * 60),
        }
    }
}

pub struct LoginGuard {
    pub pool: PasswordPool,
    by_address: RateLimiter<IpAddr>,
    failures_by_user: RateLimiter<[u8; 16]>,
}

impl LoginGuard {
    pub fn new(l: &LoginLimits) -> LoginGuard {
        let user_rate = if l.failures_per_user > 0.0 {
            l.failures_per_user / l.failure_window.as_secs_f64().max(0.001)
        } else {
            0.0
        };
        LoginGuard {
            pool: PasswordPool::new(l.workers, l.queue),
            by_address: RateLimiter::new(l.per_address_per_minute / 60.0, l.per_address_burst),
            failures_by_user: RateLimiter::new(user_rate, l.failures_per_user),
        }
    }

    /// Takes one attempt from `client`'s bucket (before anything costly is done for it).
    pub fn check_address(&self, client: IpAddr) -> Result<(), Refusal> {
        self.by_address.check(address_key(client)).map_err(Refusal::Address)
    }

    /// Runs `check` (the password check) for `username` on the pool unless the pool is full
    /// or the username locked; a failed check counts against the username, a successful one
    /// clears it.
    pub async fn check_password(
        &self,
        username: &str,
        check: impl FnOnce() -> bool + Send + 'static,
    ) -> Result<bool, Refusal> {
        let admitted = self.pool.admit().await.ok_or(Refusal::Busy)?;
        let user = username_key(username);
        self.failures_by_user.check(user).map_err(Refusal::Username)?;
        let ok = self.pool.run(admitted, check).await;
        if ok {
            self.failures_by_user.forget(&user);
        }
        Ok(ok)
    }

    /// Both checks, as a login does them.
    pub async fn attempt(
        &self,
        client: IpAddr,
        username: &str,
        check: impl FnOnce() -> bool + Send + 'static,
    ) -> Result<bool, Refusal> {
        self.check_address(client)?;
        self.check_password(username, check).await
    }
}

/// An IPv6 client is limited by its /64 (one household or machine gets a whole /64 to
/// pick addresses from); an IPv4-mapped address as the IPv4 one.
pub(crate) fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Usernames are kept as a short hash: guessers may send megabytes of them.
fn username_key(username: &str) -> [u8; 16] {
    let digest = Blake2b512::digest(username.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> LoginLimits {
        LoginLimits {
            workers: 2,
            queue: 2,
            per_address_per_minute: 0.0,
            per_address_burst: 1.0,
            failures_per_user: 0.0,
            failure_window: Duration::from_secs(60),
        }
    }

    #[tokio::test]
    async fn the_pool_runs_at_most_its_workers_and_refuses_past_its_queue() {
        let pool = Arc::new(PasswordPool::new(2, 3));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                let admitted = pool.admit().await?;
                let slow_check = || {
                    std::thread::sleep(Duration::from_millis(50));
                    true
                };
                Some(pool.run(admitted, slow_check).await)
            }));
        }
        let mut ran = 0;
        for t in tasks {
            if t.await.unwrap() == Some(true) {
                ran += 1;
            }
        }
        assert_eq!(pool.high_water(), 2);
        // Two running and three queued at most while the others arrived at once.
        assert!((2..=5).contains(&ran), "{ran} ran");
    }

    #[tokio::test]
    async fn a_username_is_locked_after_its_failures_and_a_success_clears_it() {
        let guard = LoginGuard::new(&LoginLimits { failures_per_user: 3.0, ..limits() });
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(guard.attempt(ip, "admin", || false).await, Ok(false));
        assert_eq!(guard.attempt(ip, "admin", || true).await, Ok(true));
        for _ in 0..3 {
            assert_eq!(guard.attempt(ip, "admin", || false).await, Ok(false));
        }
        let locked = guard.attempt(ip, "admin", || true).await;
        assert!(matches!(locked, Err(Refusal::Username(w)) if w > Duration::ZERO), "{locked:?}");
        // Another username is not held back.
        assert_eq!(guard.attempt(ip, "moderator", || true).await, Ok(true));
    }

    #[tokio::test]
    async fn an_address_gets_its_burst_of_attempts_then_waits() {
        let guard = LoginGuard::new(&LoginLimits {
            per_address_per_minute: 5.0,
            per_address_burst: 10.0,
            ..limits()
        });
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        for i in 0..10 {
            assert_eq!(guard.attempt(a, &format!("u{i}"), || false).await, Ok(false));
        }
        // The same /64 is the same client; another /64 is not.
        let same: IpAddr = "2001:db8::ffff".parse().unwrap();
        let wait = match guard.attempt(same, "u", || false).await {
            Err(Refusal::Address(w)) => w,
            other => panic!("{other:?}"),
        };
        assert!(wait > Duration::from_secs(1) && wait <= Duration::from_secs(12), "{wait:?}");
        assert_eq!(guard.attempt("2001:db8:0:1::1".parse().unwrap(), "u", || false).await, Ok(false));
    }
}

//! Bridging statements by Community Notes–style matrix factorisation (C.1 and C.3 of
//! `shared/spec/polis-math.md`; twitter/communitynotes `matrix_factorization.py`).
//!
//! Model: r̂_us = μ + i_u + i_s + f_u·f_s with one-dimensional factors, agree = 1,
//! disagree = 0, passes dropped, moderated-out and meta statements left out. Loss as the
//! Community Notes code: mean squared error plus λ_f·mean(f²) and λ_i·mean(i²) for users
//! and statements, plus λ_i·μ², with λ_f = 0.03 and λ_i = 0.15. We minimise it by
//! alternating least squares (closed-form 2 × 2 ridge solves per participant and per
//! statement, then μ), which is deterministic. After each round, closed-form steps along
//! the directions alternation moves slowly (the common level of μ and the intercepts, and
//! the offsets the factor term trades with the intercepts) cut the rounds needed. The user
//! factors start from the participants' first PCA coordinate, so the factor axis is the
//! map's first axis and has a fixed sign.
//!
//! The bridging score is the statement intercept i_s: approval that the factor term
//! cannot explain, i.e. shared across the opinion axis. A statement is **marked
//! bridging** when all hold:
//! * it has at least `min_ratings` (5) agree/disagree votes;
//! * |f_s| < `factor_limit` (0.5);
//! * i_s ≥ τ, with τ calibrated per conversation: the `percentile` (90th) of the
//!   intercepts of eligible statements, but never below `min_intercept` (0.05 above the
//!   conversation's mean agreement): Pol.is agree rates are far higher than Community
//!   Notes' helpful rates, so a fixed 0.40 would flag almost nothing or everything;
//! * net agrees (agrees − disagrees) are positive enough on *both* sides of the factor
//!   axis (raters with f_u > 0 and with f_u < 0): at least max(1, min(4, ⌈n_side / 5⌉)),
//!   a small-scale port of Community Notes' net-helpful minimum.

use serde::{Deserialize, Serialize};

use crate::cluster::Point;
use crate::matrix::VoteMatrix;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgingParams {
    pub lambda_factor: f64,
    pub lambda_intercept: f64,
    pub max_iters: usize,
    /// Stop once no intercept, factor or μ moves by more than this in an iteration.
    pub tolerance: f64,
    pub min_ratings: u32,
    pub factor_limit: f64,
    pub percentile: f64,
    pub min_intercept: f64,
}

impl Default for BridgingParams {
    fn default() -> Self {
        BridgingParams {
            lambda_factor: 0.03,
            lambda_intercept: 0.15,
            max_iters: 30,
            tolerance: 1e-3,
            min_ratings: 5,
            factor_limit: 0.5,
            percentile: 0.9,
            min_intercept: 0.05,
        }
    }
}

impl BridgingParams {
    pub(crate) fn check(&self) -> Result<(), String> {
        if !(self.lambda_factor >= 0.0 && self.lambda_intercept >= 0.0) {
            return Err("bridging lambdas must be non-negative".into());
        }
        if !(0.0..=1.0).contains(&self.percentile) {
            return Err("bridging percentile must be within 0..=1".into());
        }
        Ok(())
    }
}

/// One statement's bridging result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BridgingScore {
    /// i_s, the bridging score (0 for statements left out).
    pub intercept: f64,
    /// f_s, the statement's position on the factor axis.
    pub factor: f64,
    /// Agree/disagree votes used.
    pub ratings: u32,
    pub bridging: bool,
}

/// The fitted model (per matrix column) and the threshold used.
#[derive(Debug, Clone, PartialEq)]
pub struct BridgingFit {
    pub scores: Vec<BridgingScore>,
    pub mu: f64,
    pub threshold: f64,
    /// ALS iterations run and the final (mean-normalised) loss.
    pub iterations: usize,
    pub loss: f64,
}

/// Fits the model on `m` (columns with `excluded[c]` left out). `positions` are the
/// participants' map positions (rows), used to initialise the user factors. The stages:
/// collect the ratings, start the model, run the ALS rounds, then flag the statements.
pub fn fit(m: &VoteMatrix, excluded: &[bool], positions: &[Point], p: &BridgingParams) -> BridgingFit {
    let ratings = Ratings::collect(m, excluded);
    if ratings.total == 0 {
        let scores = vec![BridgingScore::default(); m.n_statements()];
        return BridgingFit { scores, mu: 0.0, threshold: 0.0, iterations: 0, loss: 0.0 };
    }
    let mut als = Als::start(&ratings, positions, p);
    let (iterations, loss) = als.run();
    let threshold = threshold(&ratings, excluded, &als.i_s, p);
    let side = net_agrees_by_side(&ratings, &als.f_u);
    let scores = flag(&ratings, excluded, &als, &side, threshold, p);
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    BridgingFit { scores, mu: finite(als.mu), threshold, iterations, loss: finite(loss) }
}

/// Ratings only (passes and left-out statements dropped), as columns with each user's
/// agrees first: the sweeps then sum agrees and disagrees in separate loops that do not
/// branch on the rating, and the sums with r follow from the agree part alone.
struct Ratings {
    /// Rated columns, user by user: `cols[starts[u]..agree_end[u]]` agreed,
    /// `cols[agree_end[u]..starts[u + 1]]` disagreed.
    cols: Vec<u32>,
    starts: Vec<usize>,
    agree_end: Vec<usize>,
    /// Per user: at least one rating.
    user_has: Vec<bool>,
    /// Per statement: ratings, and agrees among them.
    stmt_n: Vec<u32>,
    stmt_agree: Vec<u32>,
    /// All ratings, and their sum (the agrees).
    total: usize,
    sum_r: f64,
}

impl Ratings {
    fn collect(m: &VoteMatrix, excluded: &[bool]) -> Ratings {
        let n_u = m.n_participants();
        let n_s = m.n_statements();
        let rated = |c: usize, v: i8| v != 0 && !excluded[c];
        let mut total = 0usize;
        let mut sum_r = 0.0;
        let mut user_has = vec![false; n_u];
        let mut stmt_n = vec![0u32; n_s];
        let mut stmt_agree = vec![0u32; n_s];
        let mut cols: Vec<u32> = Vec::new();
        let mut starts: Vec<usize> = Vec::with_capacity(n_u + 1);
        let mut agree_end: Vec<usize> = Vec::with_capacity(n_u);
        starts.push(0);
        for (u, has) in user_has.iter_mut().enumerate() {
            for agree in [true, false] {
                for (c, v) in m.row(u) {
                    if rated(c, v) && (v > 0) == agree {
                        total += 1;
                        *has = true;
                        stmt_n[c] += 1;
                        if agree {
                            stmt_agree[c] += 1;
                            sum_r += 1.0;
                        }
                        cols.push(c as u32);
                    }
                }
                if agree {
                    agree_end.push(cols.len());
                }
            }
            starts.push(cols.len());
        }
        Ratings { cols, starts, agree_end, user_has, stmt_n, stmt_agree, total, sum_r }
    }

    fn n_users(&self) -> usize {
        self.user_has.len()
    }

    fn n_statements(&self) -> usize {
        self.stmt_n.len()
    }

    fn agrees(&self, u: usize) -> impl Iterator<Item = usize> + '_ {
        self.cols[self.starts[u]..self.agree_end[u]].iter().map(|&c| c as usize)
    }

    fn disagrees(&self, u: usize) -> impl Iterator<Item = usize> + '_ {
        self.cols[self.agree_end[u]..self.starts[u + 1]].iter().map(|&c| c as usize)
    }
}

/// The model being fitted by alternating least squares, with what stays fixed meanwhile.
struct Als<'a> {
    r: &'a Ratings,
    p: &'a BridgingParams,
    /// Users and statements with at least one rating: the ones the penalties' means and
    /// the closed-form steps run over.
    rated_users: Vec<usize>,
    rated_stmts: Vec<usize>,
    users: f64,
    stmts: f64,
    r_total: f64,
    /// Penalties of the mean-normalised loss, rescaled by R so the data term is a plain sum.
    a_fu: f64,
    a_iu: f64,
    a_fs: f64,
    a_is: f64,
    mu: f64,
    i_u: Vec<f64>,
    f_u: Vec<f64>,
    i_s: Vec<f64>,
    f_s: Vec<f64>,
}

impl<'a> Als<'a> {
    /// μ at the mean rating, intercepts and statement factors at 0, user factors at the
    /// standardised first map coordinate.
    fn start(r: &'a Ratings, positions: &[Point], p: &'a BridgingParams) -> Als<'a> {
        let (n_u, n_s) = (r.n_users(), r.n_statements());
        let r_total = r.total as f64;
        let rated_users: Vec<usize> = (0..n_u).filter(|&u| r.user_has[u]).collect();
        let rated_stmts: Vec<usize> = (0..n_s).filter(|&c| r.stmt_n[c] > 0).collect();
        let users = rated_users.len().max(1) as f64;
        let stmts = rated_stmts.len().max(1) as f64;
        let xs: Vec<f64> = rated_users.iter().map(|&u| positions.get(u).map_or(0.0, |p| p[0])).collect();
        let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len().max(1) as f64).sqrt();
        let f_u: Vec<f64> = (0..n_u)
            .map(|u| {
                let x = positions.get(u).map_or(0.0, |p| p[0]);
                if r.user_has[u] && sd > 1e-12 {
                    (x - mean) / sd
                } else {
                    0.0
                }
            })
            .collect();
        Als {
            r,
            p,
            a_fu: p.lambda_factor * r_total / users,
            a_iu: p.lambda_intercept * r_total / users,
            a_fs: p.lambda_factor * r_total / stmts,
            a_is: p.lambda_intercept * r_total / stmts,
            rated_users,
            rated_stmts,
            users,
            stmts,
            r_total,
            mu: r.sum_r / r_total,
            i_u: vec![0.0; n_u],
            f_u,
            i_s: vec![0.0; n_s],
            f_s: vec![0.0; n_s],
        }
    }

    /// Rounds until nothing moves by more than the tolerance or `max_iters` ran out.
    /// Returns the rounds run and the loss of the last round before the final one.
    fn run(&mut self) -> (usize, f64) {
        let mut last_loss = f64::INFINITY;
        let mut iters = 0;
        for _ in 0..self.p.max_iters.max(1) {
            iters += 1;
            let (max_change, loss) = self.round();
            if max_change < self.p.tolerance {
                break;
            }
            last_loss = loss;
        }
        (iters, last_loss)
    }

    /// One round: statements, participants, μ, then the closed-form steps. Returns the
    /// largest change of any parameter and the loss.
    fn round(&mut self) -> (f64, f64) {
        let mut max_change = self.statements_step();
        let (resid_sum, mut sq) = self.participants_step();
        // μ: minimises Σ(e + μ_old − μ)² + λ_i·R·μ².
        let r_total = self.r_total;
        let mu_old = self.mu;
        self.mu = (resid_sum + r_total * self.mu) / (r_total * (1.0 + self.p.lambda_intercept));
        // Residuals shift with μ: Σe² gains R·δ² − 2δ·Σe for δ = μ − μ_old.
        let delta = self.mu - mu_old;
        sq += r_total * delta * delta - 2.0 * delta * resid_sum;
        max_change = max_change.max(delta.abs());
        self.level_step(resid_sum - r_total * delta, delta, &mut sq, &mut max_change);
        self.factor_offset_step(&mut max_change);
        (max_change, self.loss(sq))
    }

    /// Statements: accumulate the 2 × 2 normal equations in one row sweep. Each rating
    /// adds its user's [f, f², i, i·f], to the agree or the disagree sums; then with t =
    /// r − μ − i_u: Σt = Σr − nμ − Σi and Σt·f = Σ_agree f − μΣf − Σi·f.
    fn statements_step(&mut self) -> f64 {
        let r = self.r;
        let n_s = r.n_statements();
        let mu = self.mu;
        let mut acc_agree = vec![[0.0f64; 4]; n_s];
        let mut acc_disagree = vec![[0.0f64; 4]; n_s];
        for u in 0..r.n_users() {
            let (f, i) = (self.f_u[u], self.i_u[u]);
            let user = [f, f * f, i, i * f];
            for c in r.agrees(u) {
                let a = &mut acc_agree[c];
                for j in 0..4 {
                    a[j] += user[j];
                }
            }
            for c in r.disagrees(u) {
                let a = &mut acc_disagree[c];
                for j in 0..4 {
                    a[j] += user[j];
                }
            }
        }
        let mut max_change = 0.0f64;
        for c in 0..n_s {
            let (ag, di) = (acc_agree[c], acc_disagree[c]);
            let n = f64::from(r.stmt_n[c]);
            let sum = [ag[0] + di[0], ag[1] + di[1], ag[2] + di[2], ag[3] + di[3]];
            let sums = [
                n,
                sum[0],
                sum[1],
                f64::from(r.stmt_agree[c]) - n * mu - sum[2],
                ag[0] - mu * sum[0] - sum[3],
            ];
            let (i, f) = solve_ridge(sums, self.a_is, self.a_fs);
            max_change = max_change.max((i - self.i_s[c]).abs()).max((f - self.f_s[c]).abs());
            self.i_s[c] = i;
            self.f_s[c] = f;
        }
        max_change
    }

    /// Participants in one pass; the residual sums for μ and the loss follow in closed
    /// form from the same sufficient statistics. Each rating adds its statement's
    /// [f, f², i, i·f] and i²; with t = r − μ − i_s:
    /// Σt² = n₊(1 − μ)² + n₋μ² − 2((1 − μ)Σ₊i − μΣ₋i) + Σi².
    /// Returns the residuals' sum and sum of squares.
    fn participants_step(&mut self) -> (f64, f64) {
        let r = self.r;
        let mu = self.mu;
        let n_s = r.n_statements();
        let stmt: Vec<[f64; 4]> = (0..n_s)
            .map(|c| [self.f_s[c], self.f_s[c] * self.f_s[c], self.i_s[c], self.i_s[c] * self.f_s[c]])
            .collect();
        let stmt_i2: Vec<f64> = self.i_s.iter().map(|i| i * i).collect();
        let mut resid_sum = 0.0;
        let mut sq = 0.0;
        for u in 0..r.n_users() {
            let (mut ag, mut di, mut i2) = ([0.0f64; 4], [0.0f64; 4], 0.0f64);
            for c in r.agrees(u) {
                for j in 0..4 {
                    ag[j] += stmt[c][j];
                }
                i2 += stmt_i2[c];
            }
            for c in r.disagrees(u) {
                for j in 0..4 {
                    di[j] += stmt[c][j];
                }
                i2 += stmt_i2[c];
            }
            let n_agree = (r.agree_end[u] - r.starts[u]) as f64;
            let n_disagree = (r.starts[u + 1] - r.agree_end[u]) as f64;
            let n = n_agree + n_disagree;
            let sum = [ag[0] + di[0], ag[1] + di[1], ag[2] + di[2], ag[3] + di[3]];
            // n, Σx, Σx², Σt, Σt·x, Σt²
            let a = [
                n,
                sum[0],
                sum[1],
                n_agree - n * mu - sum[2],
                ag[0] - mu * sum[0] - sum[3],
                n_agree * (1.0 - mu).powi(2) + n_disagree * mu * mu - 2.0 * ((1.0 - mu) * ag[2] - mu * di[2])
                    + i2,
            ];
            if a[0] > 0.0 {
                let (i, f) = solve_ridge([a[0], a[1], a[2], a[3], a[4]], self.a_iu, self.a_fu);
                self.i_u[u] = i;
                self.f_u[u] = f;
                resid_sum += a[3] - i * a[0] - f * a[1];
                sq +=
                    a[5] - 2.0 * i * a[3] - 2.0 * f * a[4] + i * i * a[0] + 2.0 * i * f * a[1] + f * f * a[2];
            }
        }
        (resid_sum, sq)
    }

    /// Alternating steps move the common level of μ, the user and the statement intercepts
    /// only slowly (each step holds the other two fixed). Solve for the best shift of all
    /// three at once: at the optimum μ = mean(i_u) = mean(i_s) = v with
    /// v = (Σe + R·(μ + mean(i_u) + mean(i_s))) / (R·(λ_i + 3)). An exact minimisation
    /// along three directions, so the loss only falls and the fixed point is the same.
    /// `resid_now` is Σe after the μ step, which moved μ by `delta`.
    fn level_step(&mut self, resid_now: f64, delta: f64, sq: &mut f64, max_change: &mut f64) {
        let r_total = self.r_total;
        let mean_iu = self.rated_users.iter().map(|&u| self.i_u[u]).sum::<f64>() / self.users;
        let mean_is = self.rated_stmts.iter().map(|&c| self.i_s[c]).sum::<f64>() / self.stmts;
        let v = (resid_now + r_total * (self.mu + mean_iu + mean_is))
            / (r_total * (self.p.lambda_intercept + 3.0));
        let (shift_u, shift_s, shift_mu) = (v - mean_iu, v - mean_is, v - self.mu);
        if self.p.lambda_intercept > 0.0 && v.is_finite() {
            self.rated_users.iter().for_each(|&u| self.i_u[u] += shift_u);
            self.rated_stmts.iter().for_each(|&c| self.i_s[c] += shift_s);
            self.mu = v;
            let t = shift_u + shift_s + shift_mu;
            *sq += r_total * t * t - 2.0 * t * resid_now;
            *max_change = max_change.max(shift_s.abs()).max((shift_mu + delta).abs());
        }
    }

    /// The two offsets the factor term can trade with the intercepts: f_u → f_u + c with
    /// i_s → i_s − c·f_s, and f_s → f_s + d with i_u → i_u − d·f_u, leave every prediction
    /// as it is; only the penalties fix c and d, in closed form.
    fn factor_offset_step(&mut self, max_change: &mut f64) {
        if self.p.lambda_factor > 0.0 {
            self.user_factor_offset(max_change);
            self.statement_factor_offset(max_change);
        }
    }

    /// c: f_u → f_u + c, i_s → i_s − c·f_s.
    fn user_factor_offset(&mut self, max_change: &mut f64) {
        let users = self.users;
        let sum_fu: f64 = self.rated_users.iter().map(|&u| self.f_u[u]).sum();
        let sum_fs_is: f64 = self.rated_stmts.iter().map(|&c| self.f_s[c] * self.i_s[c]).sum();
        let sum_fs2: f64 = self.rated_stmts.iter().map(|&c| self.f_s[c] * self.f_s[c]).sum();
        let c_shift =
            (self.a_is * sum_fs_is - self.a_fu * sum_fu) / (self.a_fu * users + self.a_is * sum_fs2);
        if c_shift.is_finite() {
            self.rated_users.iter().for_each(|&u| self.f_u[u] += c_shift);
            for &c in &self.rated_stmts {
                self.i_s[c] -= c_shift * self.f_s[c];
                *max_change = max_change.max((c_shift * self.f_s[c]).abs());
            }
        }
    }

    /// d: f_s → f_s + d, i_u → i_u − d·f_u.
    fn statement_factor_offset(&mut self, max_change: &mut f64) {
        let stmts = self.stmts;
        let sum_fs: f64 = self.rated_stmts.iter().map(|&c| self.f_s[c]).sum();
        let sum_fu_iu: f64 = self.rated_users.iter().map(|&u| self.f_u[u] * self.i_u[u]).sum();
        let sum_fu2: f64 = self.rated_users.iter().map(|&u| self.f_u[u] * self.f_u[u]).sum();
        let d_shift =
            (self.a_iu * sum_fu_iu - self.a_fs * sum_fs) / (self.a_fs * stmts + self.a_iu * sum_fu2);
        if d_shift.is_finite() {
            self.rated_stmts.iter().for_each(|&c| self.f_s[c] += d_shift);
            *max_change = max_change.max(d_shift.abs());
            self.rated_users.iter().for_each(|&u| self.i_u[u] -= d_shift * self.f_u[u]);
        }
    }

    /// The mean-normalised loss, given the data term's sum of squares.
    fn loss(&self, sq: f64) -> f64 {
        let (p, users, stmts) = (self.p, self.users, self.stmts);
        (sq.max(0.0) / self.r_total)
            + p.lambda_factor * (self.f_u.iter().map(|x| x * x).sum::<f64>() / users)
            + p.lambda_intercept * (self.i_u.iter().map(|x| x * x).sum::<f64>() / users)
            + p.lambda_factor * (self.f_s.iter().map(|x| x * x).sum::<f64>() / stmts)
            + p.lambda_intercept * (self.i_s.iter().map(|x| x * x).sum::<f64>() / stmts)
            + p.lambda_intercept * self.mu * self.mu
    }
}

/// Net agrees on each side of the factor axis, per statement: [net+, n+, net−, n−].
fn net_agrees_by_side(r: &Ratings, f_u: &[f64]) -> Vec<[i64; 4]> {
    let mut side = vec![[0i64; 4]; r.n_statements()];
    for (u, &fu) in f_u.iter().enumerate() {
        if fu != 0.0 {
            let k = if fu > 0.0 { 0 } else { 2 };
            for (c, net) in r.agrees(u).map(|c| (c, 1)).chain(r.disagrees(u).map(|c| (c, -1))) {
                side[c][k] += net;
                side[c][k + 1] += 1;
            }
        }
    }
    side
}

/// τ: the `percentile` of the eligible statements' intercepts, never below `min_intercept`.
fn threshold(r: &Ratings, excluded: &[bool], i_s: &[f64], p: &BridgingParams) -> f64 {
    let mut eligible: Vec<f64> = (0..r.n_statements())
        .filter(|&c| !excluded[c] && r.stmt_n[c] >= p.min_ratings)
        .map(|c| i_s[c])
        .collect();
    eligible.sort_by(f64::total_cmp);
    if eligible.is_empty() {
        p.min_intercept
    } else {
        let at = ((eligible.len() - 1) as f64 * p.percentile).round() as usize;
        eligible[at.min(eligible.len() - 1)].max(p.min_intercept)
    }
}

/// Every statement's score, marked bridging when all the module doc's conditions hold.
fn flag(
    r: &Ratings,
    excluded: &[bool],
    als: &Als<'_>,
    side: &[[i64; 4]],
    threshold: f64,
    p: &BridgingParams,
) -> Vec<BridgingScore> {
    let mut scores = vec![BridgingScore::default(); r.n_statements()];
    for c in 0..r.n_statements() {
        if excluded[c] {
            continue;
        }
        let need = |n: i64| 1i64.max(4i64.min((n + 4) / 5));
        let [net_pos, n_pos, net_neg, n_neg] = side[c];
        let both_sides = n_pos > 0 && n_neg > 0 && net_pos >= need(n_pos) && net_neg >= need(n_neg);
        let (i_s, f_s) = (als.i_s[c], als.f_s[c]);
        let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
        scores[c] = BridgingScore {
            intercept: finite(i_s),
            factor: finite(f_s),
            ratings: r.stmt_n[c],
            bridging: r.stmt_n[c] >= p.min_ratings
                && f_s.abs() < p.factor_limit
                && i_s >= threshold
                && both_sides,
        };
    }
    scores
}

/// Minimises Σ(t − i − f·x)² + a_i·i² + a_f·f² given sums [n, Σx, Σx², Σt, Σt·x].
fn solve_ridge(s: [f64; 5], a_i: f64, a_f: f64) -> (f64, f64) {
    let (a, b, d) = (s[0] + a_i, s[1], s[2] + a_f);
    let det = a * d - b * b;
    if s[0] == 0.0 || det.abs() < 1e-300 {
        return (0.0, 0.0);
    }
    ((d * s[3] - b * s[4]) / det, (a * s[4] - b * s[3]) / det)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Vote, VoteRecord};

    #[test]
    fn the_default_fit_lands_near_the_optimum() {
        // The optimum, approached by running far longer than the default allows; the default
        // stopping rule must land near it, not wherever 30 alternating rounds got to.
        let conv = crate::synthetic::planted(3_000, 200, 3, 30, 5);
        let m = VoteMatrix::from_records(&conv.votes, &[]);
        let positions: Vec<Point> = (0..m.n_participants())
            .map(|r| [f64::from(conv.truth[m.participants()[r] as usize]), 0.0])
            .collect();
        let excluded = vec![false; m.n_statements()];
        let long = BridgingParams { max_iters: 3_000, tolerance: 1e-12, ..BridgingParams::default() };
        let optimum = fit(&m, &excluded, &positions, &long);
        let default = fit(&m, &excluded, &positions, &BridgingParams::default());
        let worst = default
            .scores
            .iter()
            .zip(&optimum.scores)
            .map(|(a, b)| (a.intercept - b.intercept).abs())
            .fold(0.0f64, f64::max);
        assert!(worst < 5e-3, "intercepts differ from the optimum's by up to {worst}");
        assert!(default.loss >= optimum.loss - 1e-12);
    }

    #[test]
    fn a_statement_both_camps_agree_with_bridges_and_a_partisan_one_does_not() {
        // Two camps of 20; statements 0–3 partisan, 4 agreed by both, 5 agreed by camp A only.
        let mut votes = Vec::new();
        let mut positions = Vec::new();
        for p in 0..40u32 {
            let a = p < 20;
            positions.push([if a { 1.0 } else { -1.0 }, 0.0]);
            for s in 0..6u32 {
                let agree = match s {
                    0 | 1 => a,
                    2 | 3 => !a,
                    4 => p % 7 != 0,
                    _ => a,
                };
                votes.push(VoteRecord {
                    participant: p,
                    statement: s,
                    vote: if agree { Vote::Agree } else { Vote::Disagree },
                });
            }
        }
        let m = VoteMatrix::from_records(&votes, &[]);
        let fit = fit(&m, &[false; 6], &positions, &BridgingParams::default());
        let s = &fit.scores;
        assert!(s[4].bridging, "{s:?}");
        assert!(s[4].intercept > s[0].intercept && s[4].intercept > s[5].intercept);
        assert!(!s[0].bridging && !s[5].bridging);
        assert!(s[0].factor * s[2].factor < 0.0);
    }
}

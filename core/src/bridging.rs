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
/// participants' map positions (rows), used to initialise the user factors.
pub fn fit(m: &VoteMatrix, excluded: &[bool], positions: &[Point], p: &BridgingParams) -> BridgingFit {
    let n_u = m.n_participants();
    let n_s = m.n_statements();
    let rated = |c: usize, v: i8| v != 0 && !excluded[c];
    let mut total = 0usize;
    let mut sum_r = 0.0;
    let mut user_has = vec![false; n_u];
    let mut stmt_n = vec![0u32; n_s];
    let mut stmt_agree = vec![0u32; n_s];
    // Ratings only (passes and left-out statements dropped), as columns with each user's
    // agrees first: the sweeps then sum agrees and disagrees in separate loops that do not
    // branch on the rating, and the sums with r follow from the agree part alone.
    let mut rated_cols: Vec<u32> = Vec::new();
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
                    rated_cols.push(c as u32);
                }
            }
            if agree {
                agree_end.push(rated_cols.len());
            }
        }
        starts.push(rated_cols.len());
    }
    let agrees = |u: usize| rated_cols[starts[u]..agree_end[u]].iter().map(|&c| c as usize);
    let disagrees = |u: usize| rated_cols[agree_end[u]..starts[u + 1]].iter().map(|&c| c as usize);
    let mut scores = vec![BridgingScore::default(); n_s];
    if total == 0 {
        return BridgingFit { scores, mu: 0.0, threshold: 0.0, iterations: 0, loss: 0.0 };
    }
    let r_total = total as f64;
    // Users and statements with at least one rating: the ones the penalties' means and
    // the closed-form steps below run over.
    let rated_users: Vec<usize> = (0..n_u).filter(|&u| user_has[u]).collect();
    let rated_stmts: Vec<usize> = (0..n_s).filter(|&c| stmt_n[c] > 0).collect();
    let users = rated_users.len().max(1) as f64;
    let stmts = rated_stmts.len().max(1) as f64;
    // Penalties of the mean-normalised loss, rescaled by R so the data term is a plain sum.
    let a_fu = p.lambda_factor * r_total / users;
    let a_iu = p.lambda_intercept * r_total / users;
    let a_fs = p.lambda_factor * r_total / stmts;
    let a_is = p.lambda_intercept * r_total / stmts;
    let mut mu = sum_r / r_total;
    let mut i_u = vec![0.0; n_u];
    let mut i_s = vec![0.0; n_s];
    let mut f_s = vec![0.0; n_s];
    // User factors start at the standardised first map coordinate.
    let xs: Vec<f64> = rated_users.iter().map(|&u| positions.get(u).map_or(0.0, |p| p[0])).collect();
    let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len().max(1) as f64).sqrt();
    let mut f_u: Vec<f64> = (0..n_u)
        .map(|u| {
            let x = positions.get(u).map_or(0.0, |p| p[0]);
            if user_has[u] && sd > 1e-12 {
                (x - mean) / sd
            } else {
                0.0
            }
        })
        .collect();
    let mut last_loss = f64::INFINITY;
    let mut iters = 0;
    for _ in 0..p.max_iters.max(1) {
        iters += 1;
        // Statements: accumulate the 2 × 2 normal equations in one row sweep. Each rating
        // adds its user's [f, f², i, i·f], to the agree or the disagree sums; then with t =
        // r − μ − i_u: Σt = Σr − nμ − Σi and Σt·f = Σ_agree f − μΣf − Σi·f.
        let mut acc_agree = vec![[0.0f64; 4]; n_s];
        let mut acc_disagree = vec![[0.0f64; 4]; n_s];
        for u in 0..n_u {
            let (f, i) = (f_u[u], i_u[u]);
            let user = [f, f * f, i, i * f];
            for c in agrees(u) {
                let a = &mut acc_agree[c];
                for j in 0..4 {
                    a[j] += user[j];
                }
            }
            for c in disagrees(u) {
                let a = &mut acc_disagree[c];
                for j in 0..4 {
                    a[j] += user[j];
                }
            }
        }
        let mut max_change = 0.0f64;
        for c in 0..n_s {
            let (ag, di) = (acc_agree[c], acc_disagree[c]);
            let n = f64::from(stmt_n[c]);
            let sum = [ag[0] + di[0], ag[1] + di[1], ag[2] + di[2], ag[3] + di[3]];
            let sums =
                [n, sum[0], sum[1], f64::from(stmt_agree[c]) - n * mu - sum[2], ag[0] - mu * sum[0] - sum[3]];
            let (i, f) = solve_ridge(sums, a_is, a_fs);
            max_change = max_change.max((i - i_s[c]).abs()).max((f - f_s[c]).abs());
            i_s[c] = i;
            f_s[c] = f;
        }
        // Participants in one pass; the residual sums for μ and the loss follow in
        // closed form from the same sufficient statistics. Each rating adds its
        // statement's [f, f², i, i·f] and i²; with t = r − μ − i_s:
        // Σt² = n₊(1 − μ)² + n₋μ² − 2((1 − μ)Σ₊i − μΣ₋i) + Σi².
        let stmt: Vec<[f64; 4]> =
            (0..n_s).map(|c| [f_s[c], f_s[c] * f_s[c], i_s[c], i_s[c] * f_s[c]]).collect();
        let stmt_i2: Vec<f64> = i_s.iter().map(|i| i * i).collect();
        let mut resid_sum = 0.0;
        let mut sq = 0.0;
        for u in 0..n_u {
            let (mut ag, mut di, mut i2) = ([0.0f64; 4], [0.0f64; 4], 0.0f64);
            for c in agrees(u) {
                for j in 0..4 {
                    ag[j] += stmt[c][j];
                }
                i2 += stmt_i2[c];
            }
            for c in disagrees(u) {
                for j in 0..4 {
                    di[j] += stmt[c][j];
                }
                i2 += stmt_i2[c];
            }
            let n_agree = (agree_end[u] - starts[u]) as f64;
            let n_disagree = (starts[u + 1] - agree_end[u]) as f64;
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
                let (i, f) = solve_ridge([a[0], a[1], a[2], a[3], a[4]], a_iu, a_fu);
                i_u[u] = i;
                f_u[u] = f;
                resid_sum += a[3] - i * a[0] - f * a[1];
                sq +=
                    a[5] - 2.0 * i * a[3] - 2.0 * f * a[4] + i * i * a[0] + 2.0 * i * f * a[1] + f * f * a[2];
            }
        }
        // μ: minimises Σ(e + μ_old − μ)² + λ_i·R·μ².
        let mu_old = mu;
        mu = (resid_sum + r_total * mu) / (r_total * (1.0 + p.lambda_intercept));
        // Residuals shift with μ: Σe² gains R·δ² − 2δ·Σe for δ = μ − μ_old.
        let delta = mu - mu_old;
        sq += r_total * delta * delta - 2.0 * delta * resid_sum;
        max_change = max_change.max(delta.abs());
        // Alternating steps move the common level of μ, the user and the statement
        // intercepts only slowly (each step holds the other two fixed). Solve for the best
        // shift of all three at once: at the optimum μ = mean(i_u) = mean(i_s) = v with
        // v = (Σe + R·(μ + mean(i_u) + mean(i_s))) / (R·(λ_i + 3)). An exact minimisation
        // along three directions, so the loss only falls and the fixed point is the same.
        let resid_now = resid_sum - r_total * delta;
        let mean_iu = rated_users.iter().map(|&u| i_u[u]).sum::<f64>() / users;
        let mean_is = rated_stmts.iter().map(|&c| i_s[c]).sum::<f64>() / stmts;
        let v = (resid_now + r_total * (mu + mean_iu + mean_is)) / (r_total * (p.lambda_intercept + 3.0));
        let (shift_u, shift_s, shift_mu) = (v - mean_iu, v - mean_is, v - mu);
        if p.lambda_intercept > 0.0 && v.is_finite() {
            rated_users.iter().for_each(|&u| i_u[u] += shift_u);
            rated_stmts.iter().for_each(|&c| i_s[c] += shift_s);
            mu = v;
            let t = shift_u + shift_s + shift_mu;
            sq += r_total * t * t - 2.0 * t * resid_now;
            max_change = max_change.max(shift_s.abs()).max((shift_mu + delta).abs());
        }
        // And the two offsets the factor term can trade with the intercepts: f_u → f_u + c
        // with i_s → i_s − c·f_s, and f_s → f_s + d with i_u → i_u − d·f_u, leave every
        // prediction as it is; only the penalties fix c and d, in closed form.
        if p.lambda_factor > 0.0 {
            let sum_fu: f64 = rated_users.iter().map(|&u| f_u[u]).sum();
            let sum_fs_is: f64 = rated_stmts.iter().map(|&c| f_s[c] * i_s[c]).sum();
            let sum_fs2: f64 = rated_stmts.iter().map(|&c| f_s[c] * f_s[c]).sum();
            let c_shift = (a_is * sum_fs_is - a_fu * sum_fu) / (a_fu * users + a_is * sum_fs2);
            if c_shift.is_finite() {
                rated_users.iter().for_each(|&u| f_u[u] += c_shift);
                for &c in &rated_stmts {
                    i_s[c] -= c_shift * f_s[c];
                    max_change = max_change.max((c_shift * f_s[c]).abs());
                }
            }
            let sum_fs: f64 = rated_stmts.iter().map(|&c| f_s[c]).sum();
            let sum_fu_iu: f64 = rated_users.iter().map(|&u| f_u[u] * i_u[u]).sum();
            let sum_fu2: f64 = rated_users.iter().map(|&u| f_u[u] * f_u[u]).sum();
            let d_shift = (a_iu * sum_fu_iu - a_fs * sum_fs) / (a_fs * stmts + a_iu * sum_fu2);
            if d_shift.is_finite() {
                rated_stmts.iter().for_each(|&c| f_s[c] += d_shift);
                max_change = max_change.max(d_shift.abs());
                rated_users.iter().for_each(|&u| i_u[u] -= d_shift * f_u[u]);
            }
        }
        let loss = (sq.max(0.0) / r_total)
            + p.lambda_factor * (f_u.iter().map(|x| x * x).sum::<f64>() / users)
            + p.lambda_intercept * (i_u.iter().map(|x| x * x).sum::<f64>() / users)
            + p.lambda_factor * (f_s.iter().map(|x| x * x).sum::<f64>() / stmts)
            + p.lambda_intercept * (i_s.iter().map(|x| x * x).sum::<f64>() / stmts)
            + p.lambda_intercept * mu * mu;
        if max_change < p.tolerance {
            break;
        }
        last_loss = loss;
    }
    // Net agrees on each side of the factor axis.
    let mut side = vec![[0i64; 4]; n_s]; // net+, n+, net−, n−
    for (u, &fu) in f_u.iter().enumerate() {
        if fu != 0.0 {
            let k = if fu > 0.0 { 0 } else { 2 };
            for (c, net) in agrees(u).map(|c| (c, 1)).chain(disagrees(u).map(|c| (c, -1))) {
                side[c][k] += net;
                side[c][k + 1] += 1;
            }
        }
    }
    let mut eligible: Vec<f64> =
        (0..n_s).filter(|&c| !excluded[c] && stmt_n[c] >= p.min_ratings).map(|c| i_s[c]).collect();
    eligible.sort_by(f64::total_cmp);
    let threshold = if eligible.is_empty() {
        p.min_intercept
    } else {
        let at = ((eligible.len() - 1) as f64 * p.percentile).round() as usize;
        eligible[at.min(eligible.len() - 1)].max(p.min_intercept)
    };
    for c in 0..n_s {
        if excluded[c] {
            continue;
        }
        let need = |n: i64| 1i64.max(4i64.min((n + 4) / 5));
        let [net_pos, n_pos, net_neg, n_neg] = side[c];
        let both_sides = n_pos > 0 && n_neg > 0 && net_pos >= need(n_pos) && net_neg >= need(n_neg);
        let fin = |x: f64| if x.is_finite() { x } else { 0.0 };
        scores[c] = BridgingScore {
            intercept: fin(i_s[c]),
            factor: fin(f_s[c]),
            ratings: stmt_n[c],
            bridging: stmt_n[c] >= p.min_ratings
                && f_s[c].abs() < p.factor_limit
                && i_s[c] >= threshold
                && both_sides,
        };
    }
    BridgingFit {
        scores,
        mu: if mu.is_finite() { mu } else { 0.0 },
        threshold,
        iterations: iters,
        loss: if last_loss.is_finite() { last_loss } else { 0.0 },
    }
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

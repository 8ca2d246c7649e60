//! Two principal components of the vote matrix, without ever building it densely.
//!
//! Follows Pol.is (A.4–A.6 of `shared/spec/polis-math.md`, `pca.clj`): missing votes are
//! imputed with the column mean over observed votes (passes count as observed), columns
//! are centred on those means, so an imputed cell is exactly 0 after centring and the
//! centred matrix X is as sparse as the votes. Moderated-out and meta columns are zeroed
//! (as if everyone passed) and so carry no weight.
//!
//! Where Pol.is runs power iteration with deflation, we run block (subspace) iteration
//! with Rayleigh–Ritz on XᵀX, applied implicitly row by row: it converges to the same top
//! two eigenvectors (checked against linfa-reduction's dense `Pca` in the tests) while
//! sweeping the votes once per iteration for all vectors at once. Start vectors are the
//! previous components when a warm start is given (new statements padded with 1s, as
//! Pol.is), otherwise seeded uniform random.
//!
//! Sign convention: components carry no sign of their own, so without a warm start we
//! make the loading with the largest |value| positive (ties: the lowest column); with a
//! warm start we align each component with the previous one, so the map never flips.

use rand::Rng;

use crate::matrix::VoteMatrix;

/// Result of the reduction: centre and unit components over the matrix's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Components {
    /// Column means over observed votes (0 for zeroed or unvoted columns).
    pub center: Vec<f64>,
    /// Two unit vectors (or zero vectors when the data have lower rank).
    pub axes: [Vec<f64>; 2],
    /// Eigenvalues of XᵀX for the two axes.
    pub eigenvalues: [f64; 2],
    /// Iterations used.
    pub iterations: usize,
}

/// Block size: two wanted vectors plus two guards speed convergence to λ₅/λ₂.
const BLOCK: usize = 4;
const MAX_ITERS: usize = 500;
const TOLERANCE: f64 = 1e-13;

/// Computes the first two principal components. `active[col]` is false for zeroed columns.
/// `start` gives warm-start axes over the same columns (already padded).
pub fn principal_components(
    m: &VoteMatrix,
    active: &[bool],
    start: Option<&[Vec<f64>; 2]>,
    rng: &mut impl Rng,
) -> Components {
    let d = m.n_statements();
    let tallies = m.column_tallies(|_| true);
    let center: Vec<f64> = (0..d)
        .map(|c| {
            let t = tallies[c];
            if active[c] && t.seen > 0 {
                (t.agree as f64 - t.disagree as f64) / t.seen as f64
            } else {
                0.0
            }
        })
        .collect();
    let b = BLOCK.min(d);
    if b == 0 || m.n_participants() == 0 {
        return Components {
            center,
            axes: [vec![0.0; d], vec![0.0; d]],
            eigenvalues: [0.0; 2],
            iterations: 0,
        };
    }
    // q: d × b, row-major, so one column's b loadings sit together.
    let mut q = vec![0.0; d * b];
    for j in 0..b {
        let warm = start.and_then(|s| s.get(j)).filter(|v| v.len() == d && v.iter().any(|x| *x != 0.0));
        for c in 0..d {
            q[c * b + j] = match warm {
                Some(v) => v[c],
                None => rng.gen_range(-1.0..1.0),
            };
        }
    }
    for c in 0..d {
        if !active[c] {
            for j in 0..b {
                q[c * b + j] = 0.0;
            }
        }
    }
    orthonormalise(&mut q, d, b);
    let mut ritz_vectors = vec![0.0; d * b];
    let mut ritz_values = vec![0.0; b];
    let mut iterations = 0;
    for it in 0..MAX_ITERS {
        iterations = it + 1;
        let z = apply_xtx(m, active, &center, &q, b);
        // Rayleigh–Ritz: H = QᵀZ, H = W Λ Wᵀ.
        let mut h = vec![0.0; b * b];
        for c in 0..d {
            for i in 0..b {
                let qi = q[c * b + i];
                if qi != 0.0 {
                    for j in 0..b {
                        h[i * b + j] += qi * z[c * b + j];
                    }
                }
            }
        }
        for i in 0..b {
            for j in 0..i {
                let s = 0.5 * (h[i * b + j] + h[j * b + i]);
                h[i * b + j] = s;
                h[j * b + i] = s;
            }
        }
        let (values, w) = symmetric_eigen(&h, b);
        let new_ritz = mat_mul_small(&q, &w, d, b);
        let converged = it > 0
            && (0..2.min(b)).all(|j| {
                let cos: f64 = (0..d).map(|c| new_ritz[c * b + j] * ritz_vectors[c * b + j]).sum();
                1.0 - cos.abs() < TOLERANCE
            });
        ritz_vectors = new_ritz;
        ritz_values = values;
        if converged {
            break;
        }
        q = mat_mul_small(&z, &w, d, b);
        orthonormalise(&mut q, d, b);
    }
    let mut axes = [vec![0.0; d], vec![0.0; d]];
    let mut eigenvalues = [0.0; 2];
    for j in 0..2.min(b) {
        if ritz_values[j] > 1e-9 {
            eigenvalues[j] = ritz_values[j];
            for c in 0..d {
                axes[j][c] = ritz_vectors[c * b + j];
            }
        }
    }
    for (j, axis) in axes.iter_mut().enumerate() {
        let flip = match start.map(|s| &s[j]).filter(|p| p.len() == d && p.iter().any(|x| *x != 0.0)) {
            Some(prev) => axis.iter().zip(prev).map(|(a, p)| a * p).sum::<f64>() < 0.0,
            None => {
                let mut best = 0.0f64;
                let mut sign_negative = false;
                for &a in axis.iter() {
                    if a.abs() > best + 1e-12 {
                        best = a.abs();
                        sign_negative = a < 0.0;
                    }
                }
                sign_negative
            }
        };
        if flip {
            axis.iter_mut().for_each(|a| *a = -*a);
        }
    }
    Components { center, axes, eigenvalues, iterations }
}

/// Z = XᵀX Q with X the centred, zero-imputed matrix, one sweep over the votes.
///
/// The hot loop works on 4-wide blocks (zero-padded when b < 4) and looks each cell's
/// centred value up in a per-column table (0 for zeroed columns), so it has no branch
/// and vectorises; the sums run in the same order as a plain loop would.
fn apply_xtx(m: &VoteMatrix, active: &[bool], center: &[f64], q: &[f64], b: usize) -> Vec<f64> {
    let d = m.n_statements();
    let centred: Vec<[f64; 4]> = (0..d)
        .map(|c| if active[c] { [-1.0 - center[c], 0.0 - center[c], 1.0 - center[c], 0.0] } else { [0.0; 4] })
        .collect();
    let mut q4 = vec![[0.0f64; BLOCK]; d];
    for (c, row) in q4.iter_mut().enumerate() {
        row[..b].copy_from_slice(&q[c * b..c * b + b]);
    }
    let mut z4 = vec![[0.0f64; BLOCK]; d];
    for row in 0..m.n_participants() {
        let (cols, values) = m.row_slices(row);
        let mut y = [0.0f64; BLOCK];
        for (&c, &v) in cols.iter().zip(values) {
            let x = centred[c as usize][((v + 1) & 3) as usize];
            let qc = &q4[c as usize];
            for j in 0..BLOCK {
                y[j] += x * qc[j];
            }
        }
        for (&c, &v) in cols.iter().zip(values) {
            let x = centred[c as usize][((v + 1) & 3) as usize];
            let zc = &mut z4[c as usize];
            for j in 0..BLOCK {
                zc[j] += x * y[j];
            }
        }
    }
    let mut z = vec![0.0; d * b];
    for (c, row) in z4.iter().enumerate() {
        z[c * b..c * b + b].copy_from_slice(&row[..b]);
    }
    z
}

/// (d × b) · (b × b), both row-major.
fn mat_mul_small(a: &[f64], w: &[f64], d: usize, b: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * b];
    for c in 0..d {
        for j in 0..b {
            let mut s = 0.0;
            for k in 0..b {
                s += a[c * b + k] * w[k * b + j];
            }
            out[c * b + j] = s;
        }
    }
    out
}

/// Modified Gram–Schmidt on the b columns of a d × b row-major matrix; columns that
/// vanish (rank deficiency) become zero rather than amplified noise.
fn orthonormalise(q: &mut [f64], d: usize, b: usize) {
    let mut first_norm = 0.0f64;
    for j in 0..b {
        for k in 0..j {
            let dot: f64 = (0..d).map(|c| q[c * b + j] * q[c * b + k]).sum();
            for c in 0..d {
                q[c * b + j] -= dot * q[c * b + k];
            }
        }
        let norm = (0..d).map(|c| q[c * b + j] * q[c * b + j]).sum::<f64>().sqrt();
        if j == 0 {
            first_norm = norm;
        }
        if norm > 1e-10 * first_norm.max(1e-300) && norm > 1e-300 {
            for c in 0..d {
                q[c * b + j] /= norm;
            }
        } else {
            for c in 0..d {
                q[c * b + j] = 0.0;
            }
        }
    }
}

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations.
/// Returns eigenvalues in descending order and eigenvectors as columns (row-major b × b).
pub(crate) fn symmetric_eigen(h: &[f64], b: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = h.to_vec();
    let mut v = vec![0.0; b * b];
    for i in 0..b {
        v[i * b + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..b)
            .flat_map(|i| (0..b).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * b + j].powi(2))
            .sum();
        let scale: f64 = (0..b).map(|i| a[i * b + i].powi(2)).sum::<f64>().max(1e-300);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..b {
            for r in (p + 1)..b {
                let apr = a[p * b + r];
                if apr.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[r * b + r] - a[p * b + p]) / (2.0 * apr);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..b {
                    let akp = a[k * b + p];
                    let akr = a[k * b + r];
                    a[k * b + p] = c * akp - s * akr;
                    a[k * b + r] = s * akp + c * akr;
                }
                for k in 0..b {
                    let apk = a[p * b + k];
                    let ark = a[r * b + k];
                    a[p * b + k] = c * apk - s * ark;
                    a[r * b + k] = s * apk + c * ark;
                }
                for k in 0..b {
                    let vkp = v[k * b + p];
                    let vkr = v[k * b + r];
                    v[k * b + p] = c * vkp - s * vkr;
                    v[k * b + r] = s * vkp + c * vkr;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..b).collect();
    order.sort_by(|&i, &j| a[j * b + j].total_cmp(&a[i * b + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * b + i]).collect();
    let mut vectors = vec![0.0; b * b];
    for (new, &old) in order.iter().enumerate() {
        for k in 0..b {
            vectors[k * b + new] = v[k * b + old];
        }
    }
    (values, vectors)
}

/// Sparsity-aware projection of every participant (A.5):
/// x_k(p) = sqrt(|C| / max(|V_p|, 1)) · Σ_{j∈V_p} (v_pj − c_j)·pc_k[j].
///
/// `n_columns` is |C|, `zeroed_columns` the count of zeroed (moderated-out) columns with
/// votes, which every participant counts as voted on, as Pol.is's zeroed columns do.
pub fn project_participants(
    m: &VoteMatrix,
    active: &[bool],
    comps: &Components,
    n_columns: usize,
    zeroed_columns: usize,
) -> Vec<[f64; 2]> {
    (0..m.n_participants())
        .map(|row| {
            let mut p = [0.0; 2];
            let mut voted = zeroed_columns;
            for (c, v) in m.row(row) {
                if active[c] {
                    voted += 1;
                    let x = v as f64 - comps.center[c];
                    p[0] += x * comps.axes[0][c];
                    p[1] += x * comps.axes[1][c];
                }
            }
            let scale = (n_columns as f64 / voted.max(1) as f64).sqrt();
            [p[0] * scale, p[1] * scale]
        })
        .collect()
}

/// Statement projection (A.6), with our sign: a virtual participant who agreed (+1) on
/// statement j only, proj(j) = sqrt(|C|)·(1 − c_j)·(pc₁[j], pc₂[j]). Pol.is writes −1 for
/// agree; the global flip only mirrors the map.
pub fn project_statements(comps: &Components, n_columns: usize) -> Vec<[f64; 2]> {
    let scale = (n_columns as f64).sqrt();
    (0..comps.center.len())
        .map(|c| {
            let x = 1.0 - comps.center[c];
            [scale * x * comps.axes[0][c], scale * x * comps.axes[1][c]]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Vote, VoteRecord};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn jacobi_finds_eigenvalues_in_descending_order() {
        let (vals, vecs) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((vals[0] - 3.0).abs() < 1e-12 && (vals[1] - 1.0).abs() < 1e-12);
        assert!((vecs[0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn two_opposed_camps_split_on_the_first_axis() {
        let mut votes = Vec::new();
        for p in 0..20u32 {
            for s in 0..6u32 {
                let agree = (p < 10) == (s < 3);
                votes.push(VoteRecord {
                    participant: p,
                    statement: s,
                    vote: if agree { Vote::Agree } else { Vote::Disagree },
                });
            }
        }
        let m = VoteMatrix::from_records(&votes, &[]);
        let active = vec![true; 6];
        let comps = principal_components(&m, &active, None, &mut Xoshiro256PlusPlus::seed_from_u64(1));
        let proj = project_participants(&m, &active, &comps, 6, 0);
        assert!(proj[0][0] * proj[15][0] < 0.0);
        assert!((comps.axes[0].iter().map(|a| a * a).sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(comps.axes[1].iter().all(|a| a.abs() < 1e-9), "rank one data has no second axis");
    }
}

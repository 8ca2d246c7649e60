//! Math that gives the same bits on every platform. `f64::sin`/`cos` call the platform's
//! libm (glibc natively, Rust's libm port in wasm32), which may differ in the last bit, so
//! anything written to an export uses these instead: only +, −, ×, ÷ and `round`, which
//! IEEE 754 defines exactly, so the browser and the CLI write byte-identical files.

/// (sin x, cos x): reduction to [−π, π], then Taylor series to the 29th power
/// (truncation error below 1e-17 on that range).
pub fn sin_cos(x: f64) -> (f64, f64) {
    let tau = std::f64::consts::TAU;
    let r = x - (x / tau).round() * tau;
    let r2 = r * r;
    let (mut s, mut c) = (1.0, 1.0);
    for n in (1..=14u32).rev() {
        let n = f64::from(n);
        s = 1.0 - r2 / ((2.0 * n) * (2.0 * n + 1.0)) * s;
        c = 1.0 - r2 / ((2.0 * n - 1.0) * (2.0 * n)) * c;
    }
    (r * s, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_libm_closely() {
        for i in -2000..2000 {
            let x = i as f64 * 0.0137;
            let (s, c) = sin_cos(x);
            assert!((s - x.sin()).abs() < 1e-14, "sin {x}");
            assert!((c - x.cos()).abs() < 1e-14, "cos {x}");
        }
    }
}

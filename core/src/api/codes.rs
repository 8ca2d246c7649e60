//! Invitation codes: one-time codes that let one person each join a conversation set to
//! "join by invitation code only" (`ConversationSettings::invitation_only`).
//!
//! A code is [`CODE_LEN`] characters of [`CODE_ALPHABET`] (32 symbols without 0, 1, I and O,
//! which residents mistake for each other), drawn uniformly from the random source the caller
//! passes (the server: the operating system's), so 50 bits: 32^10 ≈ 1.13 × 10^15 codes.
//! With `n` unused codes, a guess hits one with probability n / 32^10, so 10^6 guesses find
//! one with probability at most 10^6 · n / 32^10 ([`chance_to_guess`]): 8.9 × 10^-7 for 1,000
//! codes, 8.9 × 10^-6 for 10,000. The server also rate-limits failed attempts per address.
//!
//! Printed as two groups of five (`ABCDE-FGHJK`); read back case-insensitively, with spaces
//! and dashes ignored ([`normalize_code`]). The join link carries the code in the fragment
//! (`/c/<id>#code=ABCDE-FGHJK`), which browsers never send to a server, so no access log
//! holds a code.
//!
//! Routes (moderators only; see `admin.rs` for sessions and the CSRF header):
//! - `GET /api/v1/admin/conversations/{id}/codes` → [`CodeCounts`]
//! - `POST /api/v1/admin/conversations/{id}/codes` [`GenerateCodes`] → [`GeneratedCodes`]
//!   (the only time the codes are shown: the server keeps only a hash of each)
//! - `POST /api/v1/admin/conversations/{id}/codes/revoke` [`RevokeCodes`] → [`CodeCounts`]

use rand::RngCore;
use serde::{Deserialize, Serialize};

/// The symbols of a code: digits and capital letters without 0, 1, I and O.
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a code (spaces and dashes aside).
pub const CODE_LEN: usize = 10;
/// Codes one request may generate.
pub const MAX_CODES_PER_REQUEST: u32 = 200;
/// Longest code text accepted on join, in bytes (a code with generous spacing).
pub const MAX_CODE_INPUT_BYTES: usize = 40;

/// A new code from `rng`: [`CODE_LEN`] symbols, each uniform over the alphabet (5 bits of a
/// random byte each: 32 divides 256, so no symbol is favoured).
pub fn new_code(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; CODE_LEN];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| CODE_ALPHABET[(b & 31) as usize] as char).collect()
}

/// The code as residents type it back, in canonical form (upper case, without spaces and
/// dashes); `None` when it is not a code (wrong length or a symbol outside the alphabet).
pub fn normalize_code(text: &str) -> Option<String> {
    if text.len() > MAX_CODE_INPUT_BYTES {
        return None;
    }
    let code: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A canonical code as printed: two groups of five, `ABCDE-FGHJK`.
pub fn format_code(code: &str) -> String {
    let half = code.len() / 2;
    match (code.get(..half), code.get(half..)) {
        (Some(a), Some(b)) if !a.is_empty() => format!("{a}-{b}"),
        _ => code.to_string(),
    }
}

/// The chance that `tries` uniform guesses hit one of `unused` valid codes (at least one
/// hit; the guesser never repeats a guess): 1 − Π (1 − unused / (S − i)) over the tries,
/// bounded above by tries · unused / (S − tries), with S = 32^10.
pub fn chance_to_guess(unused: u64, tries: u64) -> f64 {
    let space = (CODE_ALPHABET.len() as f64).powi(CODE_LEN as i32);
    let per_try = unused as f64 / (space - tries as f64);
    // 1 − (1 − p)^tries, computed without cancellation.
    -f64::exp_m1(tries as f64 * f64::ln_1p(-per_try))
}

/// The link of a printed slip: the participant page, the code in the fragment.
pub fn join_link(participant_url: &str, code: &str) -> String {
    format!("{participant_url}#code={}", format_code(code))
}

/// How many codes of a conversation are unused, used and revoked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCounts {
    pub unused: u32,
    pub used: u32,
    pub revoked: u32,
}

/// Make `count` new codes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateCodes {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 200))]
    pub count: u32,
}

/// One new code and what its slip carries.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCode {
    /// As printed: `ABCDE-FGHJK`.
    pub code: String,
    /// The participant link with the code in its fragment.
    pub link: String,
    /// A QR code of `link`, as an SVG document.
    pub qr_svg: String,
}

/// The new codes: shown this once (the server keeps only a hash of each), so print them now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedCodes {
    pub codes: Vec<NewCode>,
    pub counts: CodeCounts,
}

/// Revoke one unused code (`code`), or every unused code of the conversation (no `code`).
/// Used codes stay used: their participants keep their votes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeCodes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn codes_are_ten_symbols_of_the_alphabet_and_read_back_however_typed() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for _ in 0..1000 {
            let code = new_code(&mut rng);
            assert_eq!(code.len(), CODE_LEN);
            assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
            let printed = format_code(&code);
            assert_eq!(printed.len(), CODE_LEN + 1);
            assert_eq!(normalize_code(&printed).as_deref(), Some(code.as_str()));
            let typed = format!("  {} ", printed.to_lowercase().replace('-', " - "));
            assert_eq!(normalize_code(&typed).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn text_that_is_not_a_code_is_refused() {
        for bad in ["", "ABCDE", "ABCDE-FGHJKL", "ABCDE-FGHJ0", "ABCDE-FGHJI", "ÀBCDE-FGHJK", &"2".repeat(41)]
        {
            assert_eq!(normalize_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_symbol_is_equally_likely() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        let mut seen = [0u32; 32];
        let draws = 32_000;
        for _ in 0..draws / CODE_LEN {
            for b in new_code(&mut rng).bytes() {
                let i = CODE_ALPHABET.iter().position(|a| *a == b).expect("in the alphabet");
                seen[i] += 1;
            }
        }
        // Chi-square with 31 degrees of freedom: above 61.1 with probability 0.001.
        let expected = draws as f64 / 32.0;
        let chi2: f64 = seen.iter().map(|&o| (o as f64 - expected).powi(2) / expected).sum();
        assert!(chi2 < 61.1, "chi-square {chi2}: {seen:?}");
    }

    #[test]
    fn a_million_guesses_rarely_find_a_code() {
        // The figures in SECURITY.md and BENCHMARKS.md.
        let p1k = chance_to_guess(1_000, 1_000_000);
        let p10k = chance_to_guess(10_000, 1_000_000);
        assert!((8.8e-7..9.0e-7).contains(&p1k), "{p1k:e}");
        assert!((8.8e-6..9.0e-6).contains(&p10k), "{p10k:e}");
        assert_eq!(chance_to_guess(0, 1_000_000), 0.0);
    }

    #[test]
    fn the_slip_link_carries_the_code_in_the_fragment() {
        assert_eq!(join_link("https://x.id/c/rt5", "ABCDEFGHJK"), "https://x.id/c/rt5#code=ABCDE-FGHJK");
    }
}

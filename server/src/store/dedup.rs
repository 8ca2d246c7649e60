//! Duplicate statements: texts are folded (case, punctuation and spacing) into a key; a
//! new statement is refused when its key equals an existing one, or is within a small edit
//! distance of it (a typo or a changed letter): at most 1 edit for keys of 12 to 23
//! characters, at most 2 from 24 characters. Short keys must match exactly, since a short
//! text with a changed word ("tax up" / "tax cut") is often a different statement, and
//! texts whose numbers differ ("10%" / "20%") are never near-duplicates.

/// Folds case, punctuation and spacing so that near-identical statements collide.
pub fn dedup_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

/// Edits allowed between two keys, by the shorter one's length in characters.
fn allowed_edits(chars: usize) -> usize {
    match chars {
        0..=11 => 0,
        12..=23 => 1,
        _ => 2,
    }
}

/// Whether two folded keys are the same statement.
pub fn is_near_duplicate(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    if digits(a) != digits(b) {
        return false;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = allowed_edits(a.len().min(b.len()));
    max > 0 && a.len().abs_diff(b.len()) <= max && levenshtein_within(&a, &b, max)
}

/// Levenshtein distance ≤ `max`, on one row of the DP table.
fn levenshtein_within(a: &[char], b: &[char], max: usize) -> bool {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_key_folds_case_spacing_and_punctuation() {
        assert_eq!(dedup_key("  More  trees, please! "), dedup_key("more trees please"));
        assert_ne!(dedup_key("more trees"), dedup_key("fewer trees"));
        assert_eq!(dedup_key("Jalan RUSAK!"), "jalan rusak");
    }

    #[test]
    fn typos_in_longer_statements_are_near_duplicates() {
        let a = dedup_key("Lampu jalan yang mati harus segera diperbaiki.");
        let b = dedup_key("Lampu jalan yang mati harus segra diperbaiki");
        assert!(is_near_duplicate(&a, &b));
        let c = dedup_key("Lampu jalan yang mati harus segera diganti.");
        assert!(!is_near_duplicate(&a, &c));
    }

    #[test]
    fn short_statements_must_match_exactly() {
        assert!(!is_near_duplicate(&dedup_key("tax up"), &dedup_key("tax cut")));
        assert!(is_near_duplicate(&dedup_key("Tax up!"), &dedup_key("tax up")));
    }

    #[test]
    fn different_numbers_make_different_statements() {
        let a = dedup_key("The budget for drainage should grow by 10% next year");
        let b = dedup_key("The budget for drainage should grow by 20% next year");
        assert!(!is_near_duplicate(&a, &b));
    }
}

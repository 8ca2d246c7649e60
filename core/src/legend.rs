//! How a group is shown, on every page and in every file: its letter and its colour.
//!
//! Both take a group's *number*, which each caller chooses as it did before there was one
//! definition: the report and the exported files number groups by their place in
//! [`Analysis::groups`](crate::Analysis) (0, 1, … in label order), the participant page
//! and the projector by the group's stable label (`Group::id`), so a group keeps its
//! letter and colour from one live analysis to the next. A fresh analysis labels its
//! groups 0..k, so the two agree there; and labels stay below the number of groups ever
//! shown at once (`cluster::stable_labels` hands out the smallest free label), so they
//! stay within 0..8 and never wrap.
//!
//! The letter continues past Z as spreadsheets do (Z, AA, AB, …) rather than wrapping to
//! A again, so two groups never share a letter; at most 8 groups are shown (max_groups
//! ≤ 8), so no real conversation reaches that.

/// Group colours by group number: each carries white text at WCAG AA contrast (4.8:1 or
/// more) and is at least 3:1 on white, so letters on a group's colour and its dots on
/// the white map both read. One list for the app's maps and the exported SVGs.
pub const GROUP_COLOURS: [&str; 8] =
    ["#1f6fb2", "#b35900", "#6a3d9a", "#11734b", "#a3195b", "#5c6b00", "#00727a", "#8a4b00"];

/// The colour of a participant outside every group, and of groups past the palette.
pub const UNGROUPED_COLOUR: &str = "#7a8494";

/// Group number `n`'s colour.
pub fn group_colour(n: usize) -> &'static str {
    GROUP_COLOURS.get(n).copied().unwrap_or(UNGROUPED_COLOUR)
}

/// A participant's colour: their group's (by its label), or grey outside every group.
pub fn participant_colour(group: Option<u32>) -> &'static str {
    group.map_or(UNGROUPED_COLOUR, |g| group_colour(g as usize))
}

/// Group number `n`'s letter: 0 → A, 25 → Z, 26 → AA, 27 → AB, …
/// (comment-groups.csv writes it in lower case, as Pol.is does).
pub fn group_letter(n: usize) -> String {
    let mut n = n;
    let mut s = String::new();
    loop {
        s.insert(0, char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_letters_run_a_to_z_then_continue_with_two_letters() {
        assert_eq!(group_letter(0), "A");
        assert_eq!(group_letter(1), "B");
        assert_eq!(group_letter(25), "Z");
        assert_eq!(group_letter(26), "AA");
        assert_eq!(group_letter(27), "AB");
        assert_eq!(group_letter(26 + 26 * 26), "AAA");
    }

    #[test]
    fn no_two_group_numbers_share_a_letter() {
        let letters: std::collections::HashSet<String> = (0..2_000).map(group_letter).collect();
        assert_eq!(letters.len(), 2_000);
    }

    #[test]
    fn every_group_that_can_be_shown_has_its_own_colour() {
        let colours: std::collections::HashSet<&str> = (0..8).map(group_colour).collect();
        assert_eq!(colours.len(), 8);
        assert!(!colours.contains(UNGROUPED_COLOUR));
        assert_eq!(group_colour(8), UNGROUPED_COLOUR);
    }

    #[test]
    fn a_participant_outside_every_group_is_grey() {
        assert_eq!(participant_colour(None), UNGROUPED_COLOUR);
        assert_eq!(participant_colour(Some(2)), GROUP_COLOURS[2]);
    }

    #[test]
    fn white_letters_on_every_group_colour_meet_wcag_aa() {
        fn luminance(hex: &str) -> f64 {
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour")) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        }
        for c in GROUP_COLOURS {
            let contrast = 1.05 / (luminance(c) + 0.05);
            assert!(contrast >= 4.5, "{c}: {contrast:.2}");
        }
    }
}

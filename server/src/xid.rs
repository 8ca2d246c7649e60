//! Sign-in by an embedding site's own user ids (xids), and the proof that the site vouches
//! for one.
//!
//! An xid names a participant: the same xid is the same participant in any browser. Taken
//! on trust, anyone who knows or guesses someone's xid (often an email address) would get
//! their participant token and could read and change their votes. So each conversation has
//! a secret that only its moderators see, and a join by xid must carry
//!
//! `xid_proof` = lowercase hex of HMAC-SHA256 (RFC 2104) with key = the UTF-8 bytes of the
//! secret exactly as the console shows it (64 hex characters, not the bytes they spell), and
//! message = the UTF-8 bytes of the xid. A link that expires signs the xid, a line feed and
//! the expiry (seconds since 1970, in decimal) instead: xids hold no control characters, so
//! no message of one kind is a message of the other, and a proof made for an expiring link
//! cannot be turned into one that never expires.
//!
//! The embedding site computes it on its own server (the secret never reaches a browser);
//! `docs/embedding.md` is the integrator's side of this contract, with examples.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Random bytes in a secret: 256 bits, as much as the HMAC's output.
const SECRET_BYTES: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// A new secret: 32 bytes from the operating system's random source, as 64 lowercase hex
/// characters (copyable, and the same bytes in every language's string type).
pub fn new_secret() -> String {
    crate::store::random_hex::<SECRET_BYTES>()
}

fn mac(secret: &str, xid: &str) -> HmacSha256 {
    // HMAC takes a key of any length (longer ones are hashed first): this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(xid.as_bytes());
    mac
}

/// What a proof signs: the xid, and for a link that expires, a line feed and the expiry.
fn message(xid: &str, expires: Option<i64>) -> std::borrow::Cow<'_, str> {
    match expires {
        None => xid.into(),
        Some(at) => format!("{xid}\n{at}").into(),
    }
}

/// Whether `xid` may name a participant: 1 to `MAX_XID_BYTES` bytes without control
/// characters (which keep the signed messages of expiring and lasting links apart).
pub fn well_formed(xid: &str) -> bool {
    (1..=mufakat_core::api::MAX_XID_BYTES).contains(&xid.len()) && !xid.chars().any(char::is_control)
}

/// The proof an embedding site sends for `xid` (and the link's expiry, if it has one): what
/// [`verify`] accepts.
pub fn proof(secret: &str, xid: &str, expires: Option<i64>) -> String {
    hex::encode(mac(secret, &message(xid, expires)).finalize().into_bytes())
}

/// Whether `proof` is the HMAC of `xid` under `secret`, compared in constant time. Hex in
/// either case is accepted; anything else (wrong length, not hex, empty) is not.
pub fn verify(secret: &str, xid: &str, expires: Option<i64>, proof: &str) -> bool {
    match hex::decode(proof) {
        Ok(bytes) => mac(secret, &message(xid, expires)).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "8c2f5d0e4b7a1936c58e0f2a7d4b6c1e9a3f7052d8b4e6a1c0f9e3d7b5a28146";

    #[test]
    fn proof_is_the_hmac_sha256_of_the_xid_keyed_by_the_secret_text() {
        // Computed outside Rust, as docs/embedding.md tells integrators to:
        // python3 -c "import hmac,hashlib; print(hmac.new(SECRET.encode(), XID.encode(), hashlib.sha256).hexdigest())"
        // (and node's crypto.createHmac('sha256', SECRET).update(XID).digest('hex')).
        let vectors = [
            ("victim@example.org", "8685bdb55ec7ac97518d7cc49a0688b19f5bae2ebb6f871e8a5c302cb13fdeca"),
            ("warga-42", "ccce8f11aef7691f6b6f89ac690fba4bfa9f3bd43b79abf909cec74d28a39780"),
            ("Žofie Nováková", "c3728f382cf68485f5b02a51e961499b5c24ce124bfc3416f8668ef121981ca7"),
        ];
        for (xid, expected) in vectors {
            assert_eq!(proof(SECRET, xid, None), expected, "{xid}");
            assert!(verify(SECRET, xid, None, expected), "{xid}");
            assert!(verify(SECRET, xid, None, &expected.to_uppercase()), "{xid} in upper case");
        }
    }

    #[test]
    fn the_embedding_guides_check_value_is_right() {
        let guide = include_str!("../../docs/embedding.md");
        assert!(guide.contains(SECRET) && guide.contains("`warga-42`"));
        assert!(guide.contains(&proof(SECRET, "warga-42", None)), "docs/embedding.md gives a wrong proof");
        let expiring = proof(SECRET, "warga-42", Some(1_798_761_600));
        assert!(guide.contains(&expiring), "docs/embedding.md gives a wrong expiring proof");
    }

    #[test]
    fn proof_for_another_xid_another_secret_or_malformed_is_refused() {
        let good = proof(SECRET, "victim@example.org", None);
        assert!(!verify(SECRET, "attacker@example.org", None, &good), "another xid");
        assert!(!verify(&new_secret(), "victim@example.org", None, &good), "another secret");
        assert!(!verify(SECRET, "victim@example.org", None, &good[..62]), "truncated");
        assert!(!verify(SECRET, "victim@example.org", None, &format!("{good}00")), "too long");
        assert!(!verify(SECRET, "victim@example.org", None, ""), "empty");
        assert!(!verify(SECRET, "victim@example.org", None, &format!("{}zz", &good[..62])), "not hex");
        // One flipped bit anywhere.
        let mut bytes = hex::decode(&good).unwrap();
        bytes[31] ^= 1;
        assert!(!verify(SECRET, "victim@example.org", None, &hex::encode(bytes)), "one bit off");
        // The key is the secret's text, not the bytes its hex spells.
        let spelled = hex::decode(SECRET).unwrap();
        let mut other = HmacSha256::new_from_slice(&spelled).unwrap();
        other.update(b"victim@example.org");
        assert!(!verify(SECRET, "victim@example.org", None, &hex::encode(other.finalize().into_bytes())));
    }

    #[test]
    fn new_secrets_are_64_lowercase_hex_characters_and_differ() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn an_expiring_proof_signs_the_expiry_and_is_no_lasting_proof() {
        // python3 -c "import hmac,hashlib; print(hmac.new(SECRET.encode(), b'warga-42\n1798761600', hashlib.sha256).hexdigest())"
        let expiring = proof(SECRET, "warga-42", Some(1_798_761_600));
        assert_eq!(expiring, "78bd1c7c061a71b9a76f0f080bace18d4073d984b4f996a006221f967e603cb7");
        assert!(verify(SECRET, "warga-42", Some(1_798_761_600), &expiring));
        assert!(!verify(SECRET, "warga-42", Some(1_798_761_601), &expiring), "another expiry");
        assert!(!verify(SECRET, "warga-42", None, &expiring), "the expiry left out");
        assert!(!verify(SECRET, "warga-42", Some(1_798_761_600), &proof(SECRET, "warga-42", None)));
    }

    #[test]
    fn xids_with_control_characters_are_not_well_formed() {
        assert!(well_formed("warga-42") && well_formed("Žofie Nováková") && well_formed(&"x".repeat(200)));
        for bad in ["", "warga-42\n1798761600", "a\tb", "a\u{7f}", &"x".repeat(201)] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }
}

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
//! message = the UTF-8 bytes of the xid.
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

/// The proof an embedding site sends for `xid`: what [`verify`] accepts.
pub fn proof(secret: &str, xid: &str) -> String {
    hex::encode(mac(secret, xid).finalize().into_bytes())
}

/// Whether `proof` is the HMAC of `xid` under `secret`, compared in constant time. Hex in
/// either case is accepted; anything else (wrong length, not hex, empty) is not.
pub fn verify(secret: &str, xid: &str, proof: &str) -> bool {
    match hex::decode(proof) {
        Ok(bytes) => mac(secret, xid).verify_slice(&bytes).is_ok(),
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
            assert_eq!(proof(SECRET, xid), expected, "{xid}");
            assert!(verify(SECRET, xid, expected), "{xid}");
            assert!(verify(SECRET, xid, &expected.to_uppercase()), "{xid} in upper case");
        }
    }

    #[test]
    fn the_embedding_guides_check_value_is_right() {
        let guide = include_str!("../../docs/embedding.md");
        assert!(guide.contains(SECRET) && guide.contains("`warga-42`"));
        assert!(guide.contains(&proof(SECRET, "warga-42")), "docs/embedding.md gives a wrong proof");
    }

    #[test]
    fn proof_for_another_xid_another_secret_or_malformed_is_refused() {
        let good = proof(SECRET, "victim@example.org");
        assert!(!verify(SECRET, "attacker@example.org", &good), "another xid");
        assert!(!verify(&new_secret(), "victim@example.org", &good), "another secret");
        assert!(!verify(SECRET, "victim@example.org", &good[..62]), "truncated");
        assert!(!verify(SECRET, "victim@example.org", &format!("{good}00")), "too long");
        assert!(!verify(SECRET, "victim@example.org", ""), "empty");
        assert!(!verify(SECRET, "victim@example.org", &format!("{}zz", &good[..62])), "not hex");
        // One flipped bit anywhere.
        let mut bytes = hex::decode(&good).unwrap();
        bytes[31] ^= 1;
        assert!(!verify(SECRET, "victim@example.org", &hex::encode(bytes)), "one bit off");
        // The key is the secret's text, not the bytes its hex spells.
        let spelled = hex::decode(SECRET).unwrap();
        let mut other = HmacSha256::new_from_slice(&spelled).unwrap();
        other.update(b"victim@example.org");
        assert!(!verify(SECRET, "victim@example.org", &hex::encode(other.finalize().into_bytes())));
    }

    #[test]
    fn new_secrets_are_64_lowercase_hex_characters_and_differ() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{a}");
        assert_ne!(a, b);
    }
}

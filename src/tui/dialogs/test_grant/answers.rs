//! What the "test a grant" result shows for the signing, MAC, key agreement and data key
//! pair operations: signatures, MACs and public keys (public data, shortened), and for
//! private keys and shared secrets only their length and fingerprint, never the bytes.

use ratatui::text::Line;

use crate::backend::{KeyFingerprint, TestAnswer};
use crate::tui::widgets::cut;

fn fingerprint(what: &str, f: &KeyFingerprint) -> String {
    format!(
        "{what}: {} bytes, SHA-256 {}… (not shown)",
        f.bytes, f.sha256_prefix
    )
}

/// The lines of an answer of these operations (none for the others, which `view` draws).
pub(super) fn answer_lines(answer: &TestAnswer) -> Vec<Line<'static>> {
    let line = |s: String| Line::from(s);
    match answer {
        TestAnswer::Signed {
            signature_base64,
            algorithm,
        } => vec![line(format!(
            "Signature ({algorithm}) {}",
            cut(signature_base64, 60)
        ))],
        TestAnswer::Verified { algorithm } => {
            vec![line(format!("SignatureValid true ({algorithm})"))]
        }
        TestAnswer::PublicKey {
            public_key_base64,
            spec,
        } => vec![line(format!(
            "PublicKey ({spec}, DER) {}",
            cut(public_key_base64, 60)
        ))],
        TestAnswer::Mac {
            mac_base64,
            algorithm,
        } => vec![line(format!("Mac ({algorithm}) {}", cut(mac_base64, 60)))],
        TestAnswer::MacVerified { algorithm } => vec![line(format!("MacValid true ({algorithm})"))],
        TestAnswer::DataKeyPair {
            public_key_base64,
            private_key_ciphertext_base64,
            private_key,
        } => vec![
            line(format!("PublicKey {}", cut(public_key_base64, 60))),
            line(format!(
                "PrivateKeyCiphertextBlob {}",
                cut(private_key_ciphertext_base64, 50)
            )),
            line(match private_key {
                Some(f) => fingerprint("Plaintext private key", f),
                None => "No plaintext private key (WithoutPlaintext)".to_string(),
            }),
        ],
        TestAnswer::SharedSecret(f) => vec![line(fingerprint("SharedSecret", f))],
        _ => vec![],
    }
}

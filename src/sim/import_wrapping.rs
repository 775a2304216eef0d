//! The cryptography of importing key material: the wrapping parameter sets that
//! GetParametersForImport hands out (an RSA key pair each, aws-lc-rs), the import token
//! that names one, and unwrapping: RSA-OAEP (SHA-1 or SHA-256) for RSAES_OAEP_*, and for
//! RSA_AES_KEY_WRAP_* an RSA-OAEP-wrapped ephemeral AES key followed by the material
//! wrapped with AES key wrap with padding (RFC 5649), as the Developer Guide describes the
//! two-step wrapping. Private keys are secret: never logged, never shown (`Debug` hides
//! them).

use aws_lc_rs::key_wrap::{KeyEncryptionKey, KeyWrapPadded, AES_256};
use aws_lc_rs::rsa::{
    OaepAlgorithm, OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA1_MGF1SHA1,
    OAEP_SHA256_MGF1SHA256,
};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::kms::api_admin::WrappingAlgorithm;
use crate::kms::{ErrorCode, KmsError, Timestamp};

/// A parameter set GetParametersForImport handed out: secret, never shown.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WrappingParams {
    pub id: String,
    pub algorithm: WrappingAlgorithm,
    pub valid_to: Timestamp,
    #[serde(with = "b64")]
    pub private_pkcs8: Vec<u8>,
}

impl std::fmt::Debug for WrappingParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WrappingParams({} {} ..)", self.id, self.algorithm)
    }
}

pub(super) mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        base64::engine::general_purpose::STANDARD
            .decode(String::deserialize(d)?)
            .map_err(serde::de::Error::custom)
    }
}

pub(super) fn fingerprint(key_id: &str, material: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"grantscope-imported-material");
    h.update(key_id.as_bytes());
    h.update(material);
    hex::encode(h.finalize())
}

fn token_mac(secret: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut m =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    m.update(b"import-token");
    m.update(payload);
    m.finalize().into_bytes().to_vec()
}

pub(super) fn issue_token(secret: &[u8], key_id: &str, params_id: &str) -> Vec<u8> {
    let mut payload = vec![1u8];
    payload.extend_from_slice(uuid::Uuid::parse_str(key_id).unwrap_or_default().as_bytes());
    payload.extend_from_slice(&hex::decode(params_id).unwrap_or_default());
    let tag = token_mac(secret, &payload);
    payload.extend_from_slice(&tag);
    payload
}

/// The parameter set id an import token names, if this world issued it for this key.
pub(super) fn read_token(secret: &[u8], key_id: &str, token: &[u8]) -> Option<String> {
    if token.len() != 1 + 16 + 16 + 32 || token[0] != 1 {
        return None;
    }
    let (payload, tag) = token.split_at(1 + 16 + 16);
    let expected = token_mac(secret, payload);
    let same = expected.len() == tag.len()
        && expected.iter().zip(tag).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
    let key_ok = uuid::Uuid::from_slice(&payload[1..17])
        .ok()?
        .hyphenated()
        .to_string()
        == key_id;
    (same && key_ok).then(|| hex::encode(&payload[17..33]))
}

pub(super) fn invalid_token() -> KmsError {
    KmsError::new(
        ErrorCode::InvalidImportTokenException,
        "The import token that you supplied is invalid or is associated with a different KMS key.",
    )
}

fn oaep(alg: WrappingAlgorithm) -> &'static OaepAlgorithm {
    match alg {
        WrappingAlgorithm::RsaesOaepSha1 | WrappingAlgorithm::RsaAesKeyWrapSha1 => {
            &OAEP_SHA1_MGF1SHA1
        }
        _ => &OAEP_SHA256_MGF1SHA256,
    }
}

/// Unwrap the encrypted key material with a parameter set's private key.
pub(super) fn unwrap(params: &WrappingParams, wrapped: &[u8]) -> Option<Vec<u8>> {
    let private = PrivateDecryptingKey::from_pkcs8(&params.private_pkcs8).ok()?;
    let modulus = private.key_size_bytes();
    let rsa = OaepPrivateDecryptingKey::new(private).ok()?;
    let mut out = vec![0u8; rsa.min_output_size()];
    match params.algorithm {
        WrappingAlgorithm::RsaesOaepSha1 | WrappingAlgorithm::RsaesOaepSha256 => {
            let n = rsa
                .decrypt(oaep(params.algorithm), wrapped, &mut out, None)
                .ok()?
                .len();
            out.truncate(n);
            Some(out)
        }
        WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256 => {
            if wrapped.len() <= modulus {
                return None;
            }
            let (head, rest) = wrapped.split_at(modulus);
            let n = rsa
                .decrypt(oaep(params.algorithm), head, &mut out, None)
                .ok()?
                .len();
            let kek = KeyEncryptionKey::new(&AES_256, &out[..n]).ok()?;
            let mut material = vec![0u8; rest.len()];
            let m = kek.unwrap_with_padding(rest, &mut material).ok()?.len();
            material.truncate(m);
            Some(material)
        }
        _ => None,
    }
}

//! Cryptography: AES-256-GCM per key with the encryption context bound as additional
//! authenticated data, ciphertext blobs that name their key (and, once the key has
//! rotated, the version of its material), and HMAC-authenticated grant tokens and paging
//! markers.
//!
//! Blob formats: version 1 `[1][key uuid][nonce][ciphertext+tag]` is sealed under a key's
//! first material (every blob written before rotation existed is one, and still opens);
//! version 2 `[2][key uuid][material version u32 BE][nonce][ciphertext+tag]` names a later
//! material, with the version bound into the additional data. Versions 3 and 4 are 1 and 2
//! for a multi-Region key, whose id (`mrk-` and 32 hex digits) is held as the 16 bytes the
//! hex digits spell.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::kms::{EncryptionContext, GrantId};

const BLOB_VERSION: u8 = 1;
const BLOB_VERSION_ROTATED: u8 = 2;
const BLOB_VERSION_MRK: u8 = 3;
const BLOB_VERSION_MRK_ROTATED: u8 = 4;
const MATERIAL_VERSION_LEN: usize = 4;
const TOKEN_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const UUID_LEN: usize = 16;
const TAG_LEN: usize = 16;

/// Fresh 256-bit key material.
pub fn new_key_material() -> Vec<u8> {
    rand::random::<[u8; 32]>().to_vec()
}

/// The additional data: the key id and the context, canonical (sorted by key, as JSON).
fn aad(key_id: &uuid::Uuid, context: &EncryptionContext) -> Vec<u8> {
    let mut out = key_id.as_bytes().to_vec();
    out.extend_from_slice(&serde_json::to_vec(context).unwrap_or_default());
    out
}

/// A key id as a blob holds it: is it a multi-Region key's, and its 16 bytes.
fn id_bytes(key_id: &str) -> Option<(bool, uuid::Uuid)> {
    match key_id.strip_prefix("mrk-") {
        Some(hex) if hex.len() == 32 => Some((true, uuid::Uuid::try_parse(hex).ok()?)),
        Some(_) => None,
        None => Some((false, uuid::Uuid::parse_str(key_id).ok()?)),
    }
}

/// Encrypt `plaintext` under the key: `[version][key uuid][nonce][ciphertext+tag]`.
pub fn seal(
    material: &[u8],
    key_id: &str,
    context: &EncryptionContext,
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    let (mrk, uuid) = id_bytes(key_id)?;
    let cipher = Aes256Gcm::new_from_slice(material).ok()?;
    let nonce_bytes: [u8; NONCE_LEN] = rand::random();
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce_bytes),
            Payload {
                msg: plaintext,
                aad: &aad(&uuid, context),
            },
        )
        .ok()?;
    let mut blob = Vec::with_capacity(1 + UUID_LEN + NONCE_LEN + ct.len());
    blob.push(if mrk { BLOB_VERSION_MRK } else { BLOB_VERSION });
    blob.extend_from_slice(uuid.as_bytes());
    blob.extend_from_slice(&nonce_bytes);
    blob.extend_from_slice(&ct);
    Some(blob)
}

/// Encrypt under material version `version` of the key: version 0 writes the original
/// format (version 1 or 3 blobs), later versions name themselves (version 2 or 4 blobs).
pub fn seal_version(
    material: &[u8],
    version: u32,
    key_id: &str,
    context: &EncryptionContext,
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    if version == 0 {
        return seal(material, key_id, context, plaintext);
    }
    let (mrk, uuid) = id_bytes(key_id)?;
    let cipher = Aes256Gcm::new_from_slice(material).ok()?;
    let nonce_bytes: [u8; NONCE_LEN] = rand::random();
    let mut ad = aad(&uuid, context);
    ad.extend_from_slice(&version.to_be_bytes());
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce_bytes),
            Payload {
                msg: plaintext,
                aad: &ad,
            },
        )
        .ok()?;
    let mut blob = Vec::with_capacity(1 + UUID_LEN + MATERIAL_VERSION_LEN + NONCE_LEN + ct.len());
    blob.push(if mrk {
        BLOB_VERSION_MRK_ROTATED
    } else {
        BLOB_VERSION_ROTATED
    });
    blob.extend_from_slice(uuid.as_bytes());
    blob.extend_from_slice(&version.to_be_bytes());
    blob.extend_from_slice(&nonce_bytes);
    blob.extend_from_slice(&ct);
    Some(blob)
}

/// The parts of a well-formed blob: key id, material version, nonce, ciphertext.
struct Parts<'b> {
    uuid: uuid::Uuid,
    mrk: bool,
    version: u32,
    /// The material version is named (and bound into the additional data).
    rotated: bool,
    nonce: &'b [u8],
    ct: &'b [u8],
}

fn parts(blob: &[u8]) -> Option<Parts<'_>> {
    let uuid = uuid::Uuid::from_slice(blob.get(1..1 + UUID_LEN)?).ok()?;
    let format = *blob.first()?;
    let mrk = matches!(format, BLOB_VERSION_MRK | BLOB_VERSION_MRK_ROTATED);
    let rotated = matches!(format, BLOB_VERSION_ROTATED | BLOB_VERSION_MRK_ROTATED);
    let (version, body) = match format {
        BLOB_VERSION | BLOB_VERSION_MRK => (0, &blob[1 + UUID_LEN..]),
        BLOB_VERSION_ROTATED | BLOB_VERSION_MRK_ROTATED => {
            let v = blob.get(1 + UUID_LEN..1 + UUID_LEN + MATERIAL_VERSION_LEN)?;
            (
                u32::from_be_bytes(v.try_into().ok()?),
                &blob[1 + UUID_LEN + MATERIAL_VERSION_LEN..],
            )
        }
        _ => return None,
    };
    if body.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, ct) = body.split_at(NONCE_LEN);
    Some(Parts {
        uuid,
        mrk,
        version,
        rotated,
        nonce,
        ct,
    })
}

/// The key id a ciphertext blob names, if the blob is well formed.
pub fn blob_key_id(blob: &[u8]) -> Option<String> {
    parts(blob).map(|p| {
        if p.mrk {
            format!("mrk-{}", p.uuid.simple())
        } else {
            p.uuid.hyphenated().to_string()
        }
    })
}

/// The key material version a well-formed blob was sealed under (0 for version 1 blobs).
pub fn blob_material_version(blob: &[u8]) -> Option<u32> {
    parts(blob).map(|p| p.version)
}

/// Decrypt a blob with the key's material (of the version the blob names); `None` when
/// the blob, key or context is wrong.
pub fn open(material: &[u8], blob: &[u8], context: &EncryptionContext) -> Option<Vec<u8>> {
    let p = parts(blob)?;
    let cipher = Aes256Gcm::new_from_slice(material).ok()?;
    let mut ad = aad(&p.uuid, context);
    if p.rotated {
        ad.extend_from_slice(&p.version.to_be_bytes());
    }
    cipher
        .decrypt(
            Nonce::from_slice(p.nonce),
            Payload {
                msg: p.ct,
                aad: &ad,
            },
        )
        .ok()
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC accepts keys of any length; the fallback is unreachable for a byte key.
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// A new grant token: opaque, URL-safe base64, authenticated, unique per call, and valid
/// only for its grant. `[version][grant id 32][key uuid 16][nonce 16][mac 32]`.
pub fn issue_token(secret: &[u8], grant: &GrantId, key_id: &str) -> String {
    let mut payload = vec![TOKEN_VERSION];
    payload.extend_from_slice(&hex::decode(grant.as_str()).unwrap_or_default());
    let id = super::regions::slot_key_id(key_id);
    payload.extend_from_slice(id_bytes(id).map(|(_, u)| u).unwrap_or_default().as_bytes());
    payload.extend_from_slice(&rand::random::<[u8; 16]>());
    let tag = mac(secret, &[b"grant-token", &payload]);
    payload.extend_from_slice(&tag);
    b64().encode(payload)
}

/// The grant a token stands for, or `None` for anything this world did not issue.
pub fn read_token(secret: &[u8], token: &str) -> Option<(GrantId, String)> {
    let raw = b64().decode(token.trim_end_matches('=')).ok()?;
    if raw.len() != 1 + 32 + 16 + 16 + 32 || raw[0] != TOKEN_VERSION {
        return None;
    }
    let (payload, tag) = raw.split_at(raw.len() - 32);
    let expected = mac(secret, &[b"grant-token", payload]);
    if !constant_time_eq(&expected, tag) {
        return None;
    }
    let grant = GrantId::parse(&hex::encode(&payload[1..33]))?;
    let key = uuid::Uuid::from_slice(&payload[33..49])
        .ok()?
        .hyphenated()
        .to_string();
    Some((grant, key))
}

/// A paging marker for position `pos` of the listing named `scope`.
pub fn issue_marker(secret: &[u8], scope: &str, pos: u64) -> String {
    let pos_bytes = pos.to_be_bytes();
    let tag = mac(secret, &[b"marker", scope.as_bytes(), &pos_bytes]);
    let mut raw = pos_bytes.to_vec();
    raw.extend_from_slice(&tag[..12]);
    b64().encode(raw)
}

/// The position a marker stands for, if it was issued for this listing.
pub fn read_marker(secret: &[u8], scope: &str, marker: &str) -> Option<u64> {
    let raw = b64().decode(marker).ok()?;
    if raw.len() != 20 {
        return None;
    }
    let pos = u64::from_be_bytes(raw[..8].try_into().ok()?);
    let tag = mac(secret, &[b"marker", scope.as_bytes(), &raw[..8]]);
    constant_time_eq(&tag[..12], &raw[8..]).then_some(pos)
}

/// A paging marker that names the listing's next item by its sort key (a key id, an
/// alias slot): items created or deleted between pages never shift the others, and the
/// next page starts at the first item at or after `next` in the listing's order.
pub fn issue_name_marker(secret: &[u8], scope: &str, next: &str) -> String {
    let tag = mac(secret, &[b"name-marker", scope.as_bytes(), next.as_bytes()]);
    let mut raw = tag[..12].to_vec();
    raw.extend_from_slice(next.as_bytes());
    b64().encode(raw)
}

/// The item a name marker points at, if it was issued for this listing.
pub fn read_name_marker(secret: &[u8], scope: &str, marker: &str) -> Option<String> {
    let raw = b64().decode(marker).ok()?;
    if raw.len() <= 12 {
        return None;
    }
    let (tag, next) = raw.split_at(12);
    let expected = mac(secret, &[b"name-marker", scope.as_bytes(), next]);
    if !constant_time_eq(&expected[..12], tag) {
        return None;
    }
    String::from_utf8(next.to_vec()).ok()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn seal_and_open_bind_the_context() {
        let m = new_key_material();
        let ctx: EncryptionContext = [("a".to_string(), "1".to_string())].into();
        let blob = seal(&m, KEY, &ctx, b"hello").unwrap();
        assert_eq!(blob_key_id(&blob).as_deref(), Some(KEY));
        assert_eq!(open(&m, &blob, &ctx).as_deref(), Some(&b"hello"[..]));
        assert_eq!(open(&m, &blob, &EncryptionContext::new()), None);
        assert_eq!(open(&new_key_material(), &blob, &ctx), None);
        let mut tampered = blob.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&m, &tampered, &ctx), None);
    }

    #[test]
    fn tokens_are_url_safe_unique_and_authenticated() {
        let secret = b"world-secret".to_vec();
        let g = GrantId::random();
        let t1 = issue_token(&secret, &g, KEY);
        let t2 = issue_token(&secret, &g, KEY);
        assert_ne!(t1, t2);
        assert!(t1
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(read_token(&secret, &t1), Some((g.clone(), KEY.to_string())));
        assert_eq!(read_token(b"other-secret", &t1), None);
        assert_eq!(read_token(&secret, "AQpAMWIyNTQ4MjBi"), None);
        assert_eq!(read_token(&secret, "not base64 !!"), None);
    }

    #[test]
    fn markers_belong_to_their_listing() {
        let s = b"k".to_vec();
        let m = issue_marker(&s, "grants:abc", 42);
        assert_eq!(read_marker(&s, "grants:abc", &m), Some(42));
        assert_eq!(read_marker(&s, "grants:def", &m), None);
        assert_eq!(read_marker(&s, "grants:abc", "garbage"), None);
        let n = issue_name_marker(&s, "keys:111122223333", KEY);
        assert_eq!(
            read_name_marker(&s, "keys:111122223333", &n).as_deref(),
            Some(KEY)
        );
        assert_eq!(read_name_marker(&s, "keys:444455556666", &n), None);
        assert_eq!(read_marker(&s, "keys:111122223333", &n), None);
    }
}

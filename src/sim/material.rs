//! Key material versions: the material a key has had (version 0 first, the current one
//! last), the `KeyMaterialId` of each, and sealing under the current version and opening
//! with the version a ciphertext names (`crypto.rs` holds the blob formats). Older
//! material stays as long as the key does: Developer Guide, "When you use the rotated KMS
//! key to decrypt ciphertext, AWS KMS uses the version of the key material that was used
//! to encrypt it."

use sha2::{Digest, Sha256};

use crate::kms::EncryptionContext;

use super::crypto;
use super::world::Key;

/// Older material versions in snapshots and journal records: base64, secret.
pub(super) mod versions {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let e = base64::engine::general_purpose::STANDARD;
        s.collect_seq(list.iter().map(|m| e.encode(m)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let e = base64::engine::general_purpose::STANDARD;
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|t| e.decode(t).map_err(serde::de::Error::custom))
            .collect()
    }
}

impl Key {
    /// The version of the current material.
    pub fn material_version(&self) -> u32 {
        u32::try_from(self.rotation.older.len()).unwrap_or(u32::MAX)
    }

    /// Material of version `v`, if the key has it.
    pub fn material_of(&self, v: u32) -> Option<&[u8]> {
        let i = v as usize;
        match i.cmp(&self.rotation.older.len()) {
            std::cmp::Ordering::Less => Some(&self.rotation.older[i]),
            std::cmp::Ordering::Equal => Some(&self.material),
            std::cmp::Ordering::Greater => None,
        }
    }

    /// The KeyMaterialId of version `v`: 64 hex characters, stable for the key.
    pub fn material_id(&self, v: u32) -> String {
        let mut h = Sha256::new();
        h.update(self.id.as_bytes());
        h.update(v.to_be_bytes());
        hex::encode(h.finalize())
    }
}

/// Encrypt under the key's current material.
pub fn seal_current(key: &Key, context: &EncryptionContext, plaintext: &[u8]) -> Option<Vec<u8>> {
    crypto::seal_version(
        &key.material,
        key.material_version(),
        &key.id,
        context,
        plaintext,
    )
}

/// Decrypt with the material version the blob names.
pub fn open_blob(key: &Key, blob: &[u8], context: &EncryptionContext) -> Option<Vec<u8>> {
    let material = key.material_of(crypto::blob_material_version(blob)?)?;
    crypto::open(material, blob, context)
}

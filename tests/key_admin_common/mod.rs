//! Helpers shared by the key-administration tests (issue #15 part B): JSON calls through
//! the wire dispatcher as a named caller, base64, and wrapping key material for
//! ImportKeyMaterial as openssl would (RSA-OAEP, or RSA-OAEP + AES key wrap with padding).
#![allow(dead_code)]

use base64::Engine;
use grantscope::kms::{ApiOperation, KmsError};
use grantscope::sim::{Caller, Simulator};
use grantscope::wire::dispatch::dispatch;
use serde_json::Value;

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a base64 string"))
        .expect("base64")
}

pub fn try_call(
    sim: &mut Simulator,
    caller: &Caller,
    op: ApiOperation,
    body: Value,
) -> Result<Value, KmsError> {
    dispatch(sim, caller, op, body.to_string().as_bytes())
        .map(|out| serde_json::from_slice(&out).unwrap_or(Value::Null))
}

pub fn ok(sim: &mut Simulator, who: &str, op: ApiOperation, body: Value) -> Value {
    try_call(sim, &Caller::new(who), op, body)
        .unwrap_or_else(|e| panic!("{op:?}: {}: {}", e.code, e.message))
}

pub fn err(sim: &mut Simulator, who: &str, op: ApiOperation, body: Value) -> KmsError {
    match try_call(sim, &Caller::new(who), op, body) {
        Ok(v) => panic!("{op:?} unexpectedly succeeded: {v}"),
        Err(e) => e,
    }
}

pub fn last_why(sim: &Simulator) -> String {
    sim.world().activity.last().expect("an entry").why.clone()
}

/// Wrap `material` for a GetParametersForImport answer, as openssl would.
pub fn wrap(public_der: &[u8], algorithm: &str, material: &[u8]) -> Vec<u8> {
    use aws_lc_rs::rsa::{
        OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256,
    };
    let public =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(public_der).unwrap()).unwrap();
    let oaep = if algorithm.ends_with("SHA_1") {
        &OAEP_SHA1_MGF1SHA1
    } else {
        &OAEP_SHA256_MGF1SHA256
    };
    let mut out = vec![0u8; public.ciphertext_size()];
    if algorithm.starts_with("RSA_AES_KEY_WRAP") {
        use aws_lc_rs::key_wrap::{KeyEncryptionKey, KeyWrapPadded, AES_256};
        let aes: [u8; 32] = rand::random();
        let n = public.encrypt(oaep, &aes, &mut out, None).unwrap().len();
        out.truncate(n);
        let kek = KeyEncryptionKey::new(&AES_256, &aes).unwrap();
        let mut wrapped = vec![0u8; material.len() + 16];
        let m = kek.wrap_with_padding(material, &mut wrapped).unwrap().len();
        out.extend_from_slice(&wrapped[..m]);
        out
    } else {
        let n = public
            .encrypt(oaep, material, &mut out, None)
            .unwrap()
            .len();
        out.truncate(n);
        out
    }
}

//! Key material for every key spec, and the cryptography that uses it, all through
//! aws-lc-rs (no hand-rolled primitives): RSA (PSS and PKCS #1 v1.5 signatures, OAEP
//! encryption), ECDSA on the NIST curves and secp256k1, Ed25519, ML-DSA, ECDH, HMAC.
//!
//! What `Key::material` holds, by spec: SYMMETRIC_DEFAULT an AES-256 key (32 bytes); HMAC_n
//! an n-bit HMAC key ("HMAC_224 ... 224 bits" and so on, the key spec reference); every
//! asymmetric spec a PKCS #8 `PrivateKeyInfo` (DER). The material is never logged, shown
//! or returned (only public keys and results leave this module).
//!
//! Decisions where AWS says nothing the library could follow:
//! - SM2 exists only in China Regions ("SM2 (China Regions only)", key spec reference); the
//!   simulator's regions are not China Regions, so SM2 keys are refused at CreateKey (see
//!   `sim::asymmetric_keys`) and never reach this module.
//! - ED25519_PH_SHA_512 (pre-hashed Ed25519) and ML-DSA's EXTERNAL_MU message type have no
//!   aws-lc-rs API; both answer UnsupportedOperationException naming the gap.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::rsa::{
    KeySize, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256,
};
use aws_lc_rs::signature::{self, KeyPair};
use aws_lc_rs::{agreement, digest, hmac, rand};

use crate::kms::{EncryptionAlgorithm, KeySpec, MacAlgorithm, SigningAlgorithm};

/// Why a cryptographic step could not be done (the operations map each to AWS's error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The library has no such operation (see the module's decisions).
    Unsupported(&'static str),
    /// The input does not fit (a digest of the wrong length, a plaintext too long for
    /// the RSA key, a peer public key that does not parse or is on another curve).
    BadInput(String),
    /// The key material did not load or the library failed: an internal error.
    Internal,
}

impl From<Unspecified> for CryptoError {
    fn from(_: Unspecified) -> Self {
        CryptoError::Internal
    }
}

pub type CryptoResult<T> = Result<T, CryptoError>;

/// `n` bytes from the system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    // SystemRandom fails only if the OS entropy source does; fall back to rand's.
    if rand::fill(&mut out).is_err() {
        out.iter_mut().for_each(|b| *b = ::rand::random());
    }
    out
}

fn pkcs8<T: AsDer<Pkcs8V1Der<'static>>>(k: &T) -> CryptoResult<Vec<u8>> {
    Ok(k.as_der()?.as_ref().to_vec())
}

fn ecdsa_alg(spec: KeySpec) -> Option<&'static signature::EcdsaSigningAlgorithm> {
    match spec {
        KeySpec::EccNistP256 => Some(&signature::ECDSA_P256_SHA256_ASN1_SIGNING),
        KeySpec::EccNistP384 => Some(&signature::ECDSA_P384_SHA384_ASN1_SIGNING),
        KeySpec::EccNistP521 => Some(&signature::ECDSA_P521_SHA512_ASN1_SIGNING),
        KeySpec::EccSecgP256k1 => Some(&signature::ECDSA_P256K1_SHA256_ASN1_SIGNING),
        _ => None,
    }
}

fn ecdsa_verify_alg(spec: KeySpec) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    match spec {
        KeySpec::EccNistP256 => Some(&signature::ECDSA_P256_SHA256_ASN1),
        KeySpec::EccNistP384 => Some(&signature::ECDSA_P384_SHA384_ASN1),
        KeySpec::EccNistP521 => Some(&signature::ECDSA_P521_SHA512_ASN1),
        KeySpec::EccSecgP256k1 => Some(&signature::ECDSA_P256K1_SHA256_ASN1),
        _ => None,
    }
}

fn ml_dsa_alg(spec: KeySpec) -> Option<&'static signature::PqdsaSigningAlgorithm> {
    match spec {
        KeySpec::MlDsa44 => Some(&signature::ML_DSA_44_SIGNING),
        KeySpec::MlDsa65 => Some(&signature::ML_DSA_65_SIGNING),
        KeySpec::MlDsa87 => Some(&signature::ML_DSA_87_SIGNING),
        _ => None,
    }
}

fn ecdh_alg(spec: KeySpec) -> Option<&'static agreement::Algorithm> {
    match spec {
        KeySpec::EccNistP256 => Some(&agreement::ECDH_P256),
        KeySpec::EccNistP384 => Some(&agreement::ECDH_P384),
        KeySpec::EccNistP521 => Some(&agreement::ECDH_P521),
        _ => None,
    }
}

/// New key material for a key of `spec` (see the module comment for what it holds).
/// RSA 4096 takes the longest (a few hundred milliseconds); the rest are fast.
pub fn generate(spec: KeySpec) -> CryptoResult<Vec<u8>> {
    let rsa = |size| -> CryptoResult<Vec<u8>> { pkcs8(&aws_lc_rs::rsa::KeyPair::generate(size)?) };
    match spec {
        KeySpec::SymmetricDefault => Ok(random_bytes(32)),
        KeySpec::Hmac224 => Ok(random_bytes(28)),
        KeySpec::Hmac256 => Ok(random_bytes(32)),
        KeySpec::Hmac384 => Ok(random_bytes(48)),
        KeySpec::Hmac512 => Ok(random_bytes(64)),
        KeySpec::Rsa2048 => rsa(KeySize::Rsa2048),
        KeySpec::Rsa3072 => rsa(KeySize::Rsa3072),
        KeySpec::Rsa4096 => rsa(KeySize::Rsa4096),
        KeySpec::EccNistEdwards25519 => Ok(signature::Ed25519KeyPair::generate()?
            .to_pkcs8v1()?
            .as_ref()
            .to_vec()),
        KeySpec::Sm2 => Err(CryptoError::Unsupported(
            "SM2 keys exist only in China Regions",
        )),
        s => {
            if let Some(alg) = ecdsa_alg(s) {
                Ok(signature::EcdsaKeyPair::generate(alg)?
                    .to_pkcs8v1()?
                    .as_ref()
                    .to_vec())
            } else if let Some(alg) = ml_dsa_alg(s) {
                Ok(signature::PqdsaKeyPair::generate(alg)?
                    .to_pkcs8v1()?
                    .as_ref()
                    .to_vec())
            } else {
                Err(CryptoError::Internal)
            }
        }
    }
}

/// The public key as a DER-encoded X.509 SubjectPublicKeyInfo (RFC 5280), which is what
/// GetPublicKey returns ("The exported public key ... is a DER-encoded X.509
/// SubjectPublicKeyInfo (SPKI), as defined in RFC 5280").
pub fn public_key_der(spec: KeySpec, material: &[u8]) -> CryptoResult<Vec<u8>> {
    use aws_lc_rs::encoding::PublicKeyX509Der;
    fn x509<T: AsDer<PublicKeyX509Der<'static>>>(k: &T) -> CryptoResult<Vec<u8>> {
        Ok(k.as_der()?.as_ref().to_vec())
    }
    let bad = |_| CryptoError::Internal;
    if spec.is_rsa() {
        let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(material).map_err(bad)?;
        return x509(kp.public_key());
    }
    if let Some(alg) = ecdsa_alg(spec) {
        let kp = signature::EcdsaKeyPair::from_pkcs8(alg, material).map_err(bad)?;
        return x509(kp.public_key());
    }
    if let Some(alg) = ml_dsa_alg(spec) {
        let kp = signature::PqdsaKeyPair::from_pkcs8(alg, material).map_err(bad)?;
        return x509(kp.public_key());
    }
    if spec == KeySpec::EccNistEdwards25519 {
        let kp = signature::Ed25519KeyPair::from_pkcs8(material).map_err(bad)?;
        return x509(kp.public_key());
    }
    Err(CryptoError::Internal)
}

fn sha(alg: SigningAlgorithm) -> Option<&'static digest::Algorithm> {
    match alg.digest_len() {
        Some(32) => Some(&digest::SHA256),
        Some(48) => Some(&digest::SHA384),
        Some(64) => Some(&digest::SHA512),
        _ => None,
    }
}

fn rsa_encoding(alg: SigningAlgorithm) -> Option<&'static dyn signature::RsaEncoding> {
    use SigningAlgorithm::*;
    Some(match alg {
        RsassaPssSha256 => &signature::RSA_PSS_SHA256,
        RsassaPssSha384 => &signature::RSA_PSS_SHA384,
        RsassaPssSha512 => &signature::RSA_PSS_SHA512,
        RsassaPkcs1V15Sha256 => &signature::RSA_PKCS1_SHA256,
        RsassaPkcs1V15Sha384 => &signature::RSA_PKCS1_SHA384,
        RsassaPkcs1V15Sha512 => &signature::RSA_PKCS1_SHA512,
        _ => return None,
    })
}

fn rsa_params(alg: SigningAlgorithm) -> Option<&'static signature::RsaParameters> {
    use SigningAlgorithm::*;
    Some(match alg {
        RsassaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        RsassaPssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        RsassaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        RsassaPkcs1V15Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        RsassaPkcs1V15Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        RsassaPkcs1V15Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        _ => return None,
    })
}

/// What Sign and Verify sign: the message itself, or a digest of it made by the caller.
#[derive(Debug, Clone, Copy)]
pub enum Signed<'a> {
    Raw(&'a [u8]),
    Digest(&'a [u8]),
}

impl Signed<'_> {
    /// The caller's digest, checked against the algorithm's digest length.
    fn digest(bytes: &[u8], alg: SigningAlgorithm) -> CryptoResult<digest::Digest> {
        let md = sha(alg).ok_or(CryptoError::Unsupported(
            "this signing algorithm does not sign a message digest",
        ))?;
        digest::Digest::import_less_safe(bytes, md).map_err(|_| {
            CryptoError::BadInput(format!("Digest is invalid length for algorithm {alg}."))
        })
    }
}

/// Sign with the private key. The algorithm has been checked against the key's spec.
pub fn sign(
    spec: KeySpec,
    material: &[u8],
    alg: SigningAlgorithm,
    msg: Signed,
) -> CryptoResult<Vec<u8>> {
    let bad = |_| CryptoError::Internal;
    if spec.is_rsa() {
        let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(material).map_err(bad)?;
        let enc = rsa_encoding(alg).ok_or(CryptoError::Internal)?;
        let mut sig = vec![0u8; kp.public_modulus_len()];
        match msg {
            Signed::Raw(m) => kp.sign(enc, &rand::SystemRandom::new(), m, &mut sig)?,
            Signed::Digest(d) => kp.sign_digest(enc, &Signed::digest(d, alg)?, &mut sig)?,
        }
        return Ok(sig);
    }
    if let Some(a) = ecdsa_alg(spec) {
        let kp = signature::EcdsaKeyPair::from_pkcs8(a, material).map_err(bad)?;
        let sig = match msg {
            Signed::Raw(m) => kp.sign(&rand::SystemRandom::new(), m)?,
            Signed::Digest(d) => kp.sign_digest(&Signed::digest(d, alg)?)?,
        };
        return Ok(sig.as_ref().to_vec());
    }
    if let Some(a) = ml_dsa_alg(spec) {
        let Signed::Raw(m) = msg else {
            return Err(CryptoError::Unsupported(
                "ML-DSA signs RAW messages only here",
            ));
        };
        let kp = signature::PqdsaKeyPair::from_pkcs8(a, material).map_err(bad)?;
        let mut sig = vec![0u8; a.signature_len()];
        let n = kp.sign(m, &mut sig)?;
        sig.truncate(n);
        return Ok(sig);
    }
    if spec == KeySpec::EccNistEdwards25519 {
        let (SigningAlgorithm::Ed25519Sha512, Signed::Raw(m)) = (alg, msg) else {
            return Err(CryptoError::Unsupported(
                "pre-hashed Ed25519 (ED25519_PH_SHA_512) is not available in the simulator",
            ));
        };
        let kp = signature::Ed25519KeyPair::from_pkcs8(material).map_err(bad)?;
        return Ok(kp.sign(m).as_ref().to_vec());
    }
    Err(CryptoError::Internal)
}

/// Verify a signature with the public key: `Ok(false)` when it does not verify.
pub fn verify(
    spec: KeySpec,
    material: &[u8],
    alg: SigningAlgorithm,
    msg: Signed,
    sig: &[u8],
) -> CryptoResult<bool> {
    let bad = |_| CryptoError::Internal;
    let check = |v: &'static dyn signature::VerificationAlgorithm, public: &[u8]| {
        let key = signature::UnparsedPublicKey::new(v, public);
        Ok(match msg {
            Signed::Raw(m) => key.verify(m, sig).is_ok(),
            Signed::Digest(d) => key.verify_digest(&Signed::digest(d, alg)?, sig).is_ok(),
        })
    };
    if spec.is_rsa() {
        let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(material).map_err(bad)?;
        let params = rsa_params(alg).ok_or(CryptoError::Internal)?;
        return check(params, kp.public_key().as_ref());
    }
    if let (Some(a), Some(v)) = (ecdsa_alg(spec), ecdsa_verify_alg(spec)) {
        let kp = signature::EcdsaKeyPair::from_pkcs8(a, material).map_err(bad)?;
        return check(v, kp.public_key().as_ref());
    }
    if let Some(a) = ml_dsa_alg(spec) {
        if let Signed::Digest(_) = msg {
            return Err(CryptoError::Unsupported(
                "ML-DSA verifies RAW messages only here",
            ));
        }
        let kp = signature::PqdsaKeyPair::from_pkcs8(a, material).map_err(bad)?;
        let v: &'static dyn signature::VerificationAlgorithm = match spec {
            KeySpec::MlDsa44 => &signature::ML_DSA_44,
            KeySpec::MlDsa65 => &signature::ML_DSA_65,
            _ => &signature::ML_DSA_87,
        };
        return check(v, kp.public_key().as_ref());
    }
    if spec == KeySpec::EccNistEdwards25519 {
        if alg != SigningAlgorithm::Ed25519Sha512 || matches!(msg, Signed::Digest(_)) {
            return Err(CryptoError::Unsupported(
                "pre-hashed Ed25519 (ED25519_PH_SHA_512) is not available in the simulator",
            ));
        }
        let kp = signature::Ed25519KeyPair::from_pkcs8(material).map_err(bad)?;
        return check(&signature::ED25519, kp.public_key().as_ref());
    }
    Err(CryptoError::Internal)
}

fn hmac_alg(alg: MacAlgorithm) -> hmac::Algorithm {
    match alg {
        MacAlgorithm::HmacSha224 => hmac::HMAC_SHA224,
        MacAlgorithm::HmacSha256 => hmac::HMAC_SHA256,
        MacAlgorithm::HmacSha384 => hmac::HMAC_SHA384,
        MacAlgorithm::HmacSha512 => hmac::HMAC_SHA512,
    }
}

/// HMAC of `msg` under the key's secret (RFC 2104).
pub fn mac(material: &[u8], alg: MacAlgorithm, msg: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac_alg(alg), material), msg)
        .as_ref()
        .to_vec()
}

/// Does `tag` authenticate `msg`? (Constant-time comparison, in the library.)
pub fn mac_matches(material: &[u8], alg: MacAlgorithm, msg: &[u8], tag: &[u8]) -> bool {
    hmac::verify(&hmac::Key::new(hmac_alg(alg), material), msg, tag).is_ok()
}

fn oaep(alg: EncryptionAlgorithm) -> CryptoResult<&'static aws_lc_rs::rsa::OaepAlgorithm> {
    match alg {
        EncryptionAlgorithm::RsaesOaepSha1 => Ok(&OAEP_SHA1_MGF1SHA1),
        EncryptionAlgorithm::RsaesOaepSha256 => Ok(&OAEP_SHA256_MGF1SHA256),
        _ => Err(CryptoError::Internal),
    }
}

/// RSAES-OAEP encryption with the public key: the raw RSA ciphertext (as AWS returns it).
pub fn rsa_encrypt(
    material: &[u8],
    alg: EncryptionAlgorithm,
    plaintext: &[u8],
) -> CryptoResult<Vec<u8>> {
    let private = PrivateDecryptingKey::from_pkcs8(material).map_err(|_| CryptoError::Internal)?;
    let public = OaepPublicEncryptingKey::new(private.public_key())?;
    let algorithm = oaep(alg)?;
    let max = public.max_plaintext_size(algorithm);
    if plaintext.len() > max {
        return Err(CryptoError::BadInput(format!(
            "Plaintext is {} bytes; {alg} with this {}-bit key encrypts at most {max} bytes.",
            plaintext.len(),
            public.key_size_bits()
        )));
    }
    let mut out = vec![0u8; public.ciphertext_size()];
    let n = public.encrypt(algorithm, plaintext, &mut out, None)?.len();
    out.truncate(n);
    Ok(out)
}

/// RSAES-OAEP decryption; `None` when the ciphertext does not decrypt under this key.
pub fn rsa_decrypt(
    material: &[u8],
    alg: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> CryptoResult<Option<Vec<u8>>> {
    let private = PrivateDecryptingKey::from_pkcs8(material).map_err(|_| CryptoError::Internal)?;
    let key = OaepPrivateDecryptingKey::new(private)?;
    let algorithm = oaep(alg)?;
    let mut out = vec![0u8; key.min_output_size()];
    Ok(key
        .decrypt(algorithm, ciphertext, &mut out, None)
        .ok()
        .map(|p| p.to_vec()))
}

/// ECDH: the raw shared secret (the x coordinate) of the key's private key and the peer's
/// DER-encoded X.509 public key, which must be on the same curve.
pub fn ecdh(spec: KeySpec, material: &[u8], peer_der: &[u8]) -> CryptoResult<Vec<u8>> {
    let alg = ecdh_alg(spec).ok_or(CryptoError::Internal)?;
    let private = agreement::PrivateKey::from_private_key_der(alg, material)
        .map_err(|_| CryptoError::Internal)?;
    let peer = agreement::UnparsedPublicKey::new(alg, peer_der);
    agreement::agree(
        &private,
        peer,
        CryptoError::BadInput(format!(
            "The public key is not a DER-encoded X.509 public key on the key's curve ({spec})."
        )),
        |secret| Ok(secret.to_vec()),
    )
}

//! Operation dispatch: the JSON body becomes the typed request, the simulator answers, the
//! typed response becomes JSON. Malformed input gets AWS's errors: SerializationException
//! for bodies that do not parse, ValidationException ("1 validation error detected: ...")
//! for a missing member or a value outside an enum.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::kms::{ApiOperation, ErrorCode, KmsError, KmsResult};
use crate::sim::{Caller, Simulator};

/// Does this operation change the world (so `--state` must save before answering)?
pub fn is_mutating(op: ApiOperation) -> bool {
    use ApiOperation::*;
    matches!(
        op,
        CreateKey
            | CreateAlias
            | DeleteAlias
            | EnableKey
            | DisableKey
            | ScheduleKeyDeletion
            | CancelKeyDeletion
            | PutKeyPolicy
            | CreateGrant
            | RetireGrant
            | RevokeGrant
            // Issue #15 part B.
            | TagResource
            | UntagResource
            | UpdateAlias
            | UpdateKeyDescription
            | EnableKeyRotation
            | DisableKeyRotation
            | RotateKeyOnDemand
            | GetParametersForImport
            | ImportKeyMaterial
            | DeleteImportedKeyMaterial
            // Multi-Region keys (issue #15, part C).
            | ReplicateKey
            | UpdatePrimaryRegion
    )
}

/// `KeyId` -> `keyId`, as AWS names members in validation messages.
fn member_name(path: &str) -> String {
    path.split('.')
        .filter(|s| !s.is_empty() && *s != "?")
        .map(|seg| {
            let mut c = seg.chars();
            match c.next() {
                Some(first) => first.to_lowercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// How a request body does not fit its operation's shape, as serde's `de::Error` methods
/// name it: by kind, never by reading the wording of a message.
#[derive(Debug)]
enum Misfit {
    /// A required member is absent.
    Missing(&'static str),
    /// JSON null where a value is required.
    Null,
    /// A value outside the member's enum.
    UnknownVariant {
        value: String,
        expected: &'static [&'static str],
    },
    /// A value of the wrong type, or one its type refuses (a blob that is not base64).
    Invalid(String),
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misfit::Missing(field) => write!(f, "missing field `{field}`"),
            Misfit::Null => f.write_str("null"),
            Misfit::UnknownVariant { value, .. } => write!(f, "unknown variant `{value}`"),
            Misfit::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Misfit {}

impl serde::de::Error for Misfit {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Misfit::Invalid(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        Misfit::Missing(field)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Misfit::UnknownVariant {
            value: variant.to_string(),
            expected,
        }
    }

    fn invalid_type(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        match unexp {
            serde::de::Unexpected::Unit | serde::de::Unexpected::Option => Misfit::Null,
            _ => Misfit::Invalid(format!("invalid type: {unexp}, expected {exp}")),
        }
    }
}

/// Parse a request body (empty means `{}`) into the operation's request type: the JSON is
/// read first (a body that is not one JSON object is a SerializationException), then its
/// members are fitted to the request type with `Misfit` as the error, which says what
/// kind of misfit it is (a missing member or a value outside an enum is AWS's
/// ValidationException, a wrong type a SerializationException).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> KmsResult<T> {
    let body: &[u8] = if body.iter().all(|b| b.is_ascii_whitespace()) {
        b"{}"
    } else {
        body
    };
    let serialization = |m: String| KmsError::new(ErrorCode::SerializationException, m);
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| serialization(format!("The request body is not valid JSON: {e}")))?;
    // A request body is one JSON object: serde would also read a struct from an array.
    if !json.is_object() {
        return Err(serialization(
            "The request body must be a JSON object.".into(),
        ));
    }
    let tree = serde_value::to_value(json)
        .map_err(|e| serialization(format!("The request body could not be read: {e}")))?;
    let result: Result<T, serde_path_to_error::Error<Misfit>> =
        serde_path_to_error::deserialize(serde_value::ValueDeserializer::<Misfit>::new(tree));
    result.map_err(|e| {
        let path = e.path().to_string();
        let at = |p: &str| member_name(p);
        match e.into_inner() {
            Misfit::Missing(field) => {
                let full = if path == "." || path.is_empty() {
                    field.to_string()
                } else {
                    format!("{path}.{field}")
                };
                KmsError::missing(&at(&full))
            }
            Misfit::Null => KmsError::missing(&at(&path)),
            Misfit::UnknownVariant { value, expected } => KmsError::validation(
                &format!("'{value}'"),
                &at(&path),
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    expected.join(", ")
                ),
            ),
            Misfit::Invalid(why) => {
                let member = at(&path);
                serialization(if member.is_empty() {
                    format!("Unexpected request body: {why}")
                } else {
                    format!("Invalid value for '{member}': {why}")
                })
            }
        }
    })
}

fn run<Req: DeserializeOwned, Resp: Serialize>(
    body: &[u8],
    f: impl FnOnce(Req) -> KmsResult<Resp>,
) -> KmsResult<Vec<u8>> {
    let req = parse::<Req>(body)?;
    let resp = f(req)?;
    serde_json::to_vec(&resp).map_err(|e| KmsError::internal(format!("response encoding: {e}")))
}

/// Run one KMS operation for `caller` with a JSON body.
pub fn dispatch(
    sim: &mut Simulator,
    caller: &Caller,
    op: ApiOperation,
    body: &[u8],
) -> KmsResult<Vec<u8>> {
    use ApiOperation::*;
    match op {
        CreateKey => run(body, |r| sim.create_key(caller, r)),
        DescribeKey => run(body, |r| sim.describe_key(caller, r)),
        ListKeys => run(body, |r| sim.list_keys(caller, r)),
        ListAliases => run(body, |r| sim.list_aliases(caller, r)),
        CreateAlias => run(body, |r| sim.create_alias(caller, r)),
        DeleteAlias => run(body, |r| sim.delete_alias(caller, r)),
        EnableKey => run(body, |r| sim.enable_key(caller, r)),
        DisableKey => run(body, |r| sim.disable_key(caller, r)),
        ScheduleKeyDeletion => run(body, |r| sim.schedule_key_deletion(caller, r)),
        CancelKeyDeletion => run(body, |r| sim.cancel_key_deletion(caller, r)),
        GetKeyPolicy => run(body, |r| sim.get_key_policy(caller, r)),
        PutKeyPolicy => run(body, |r| sim.put_key_policy(caller, r)),
        CreateGrant => run(body, |r| sim.create_grant(caller, r)),
        ListGrants => run(body, |r| sim.list_grants(caller, r)),
        ListRetirableGrants => run(body, |r| sim.list_retirable_grants(caller, r)),
        RetireGrant => run(body, |r| sim.retire_grant(caller, r)),
        RevokeGrant => run(body, |r| sim.revoke_grant(caller, r)),
        Encrypt => run(body, |r| sim.encrypt(caller, r)),
        Decrypt => run(body, |r| sim.decrypt(caller, r)),
        ReEncrypt => run(body, |r| sim.re_encrypt(caller, r)),
        GenerateDataKey => run(body, |r| sim.generate_data_key(caller, r)),
        GenerateDataKeyWithoutPlaintext => {
            run(body, |r| sim.generate_data_key_without_plaintext(caller, r))
        }
        // Issue #15 part B.
        TagResource => run(body, |r| sim.tag_resource(caller, r)),
        UntagResource => run(body, |r| sim.untag_resource(caller, r)),
        ListResourceTags => run(body, |r| sim.list_resource_tags(caller, r)),
        UpdateAlias => run(body, |r| sim.update_alias(caller, r)),
        UpdateKeyDescription => run(body, |r| sim.update_key_description(caller, r)),
        EnableKeyRotation => run(body, |r| sim.enable_key_rotation(caller, r)),
        DisableKeyRotation => run(body, |r| sim.disable_key_rotation(caller, r)),
        GetKeyRotationStatus => run(body, |r| sim.get_key_rotation_status(caller, r)),
        ListKeyRotations => run(body, |r| sim.list_key_rotations(caller, r)),
        RotateKeyOnDemand => run(body, |r| sim.rotate_key_on_demand(caller, r)),
        ListKeyPolicies => run(body, |r| sim.list_key_policies(caller, r)),
        GetParametersForImport => run(body, |r| sim.get_parameters_for_import(caller, r)),
        ImportKeyMaterial => run(body, |r| sim.import_key_material(caller, r)),
        DeleteImportedKeyMaterial => run(body, |r| sim.delete_imported_key_material(caller, r)),
        CreateCustomKeyStore => run(body, |r| sim.create_custom_key_store(caller, r)),
        ConnectCustomKeyStore => run(body, |r| sim.connect_custom_key_store(caller, r)),
        DisconnectCustomKeyStore => run(body, |r| sim.disconnect_custom_key_store(caller, r)),
        UpdateCustomKeyStore => run(body, |r| sim.update_custom_key_store(caller, r)),
        DeleteCustomKeyStore => run(body, |r| sim.delete_custom_key_store(caller, r)),
        DescribeCustomKeyStores => run(body, |r| sim.describe_custom_key_stores(caller, r)),
        Sign => run(body, |r| sim.sign(caller, r)),
        Verify => run(body, |r| sim.verify(caller, r)),
        GetPublicKey => run(body, |r| sim.get_public_key(caller, r)),
        GenerateMac => run(body, |r| sim.generate_mac(caller, r)),
        VerifyMac => run(body, |r| sim.verify_mac(caller, r)),
        GenerateRandom => run(body, |r| sim.generate_random(caller, r)),
        GenerateDataKeyPair => run(body, |r| sim.generate_data_key_pair(caller, r)),
        GenerateDataKeyPairWithoutPlaintext => run(body, |r| {
            sim.generate_data_key_pair_without_plaintext(caller, r)
        }),
        DeriveSharedSecret => run(body, |r| sim.derive_shared_secret(caller, r)),
        // Multi-Region keys (issue #15, part C).
        ReplicateKey => run(body, |r| sim.replicate_key(caller, r)),
        UpdatePrimaryRegion => run(body, |r| sim.update_primary_region(caller, r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::api::{
        CreateGrantRequest, CreateKeyRequest, EncryptRequest, ListGrantsRequest,
    };

    #[test]
    fn missing_member_is_a_validation_error_in_aws_words() {
        let e = parse::<EncryptRequest>(br#"{"Plaintext":"aGk="}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationException);
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn malformed_json_and_wrong_types_are_serialization_errors() {
        for body in [
            &b"{not json"[..],
            b"[1,2]",
            br#"{"KeyId":"k","Limit":"ten"}"#,
        ] {
            let e = parse::<ListGrantsRequest>(body).unwrap_err();
            assert_eq!(
                e.code,
                ErrorCode::SerializationException,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let e = parse::<EncryptRequest>(br#"{"KeyId":"k","Plaintext":"%%%"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::SerializationException);
        assert!(e.message.contains("plaintext"), "{}", e.message);
    }

    #[test]
    fn only_one_json_object_is_a_request_body() {
        for body in [
            &br#"{"KeyId":"k"}}"#[..],
            br#"{"KeyId":"k"} {}"#,
            br#"["k"]"#,
            b"null",
            b"\"k\"",
        ] {
            let e = parse::<ListGrantsRequest>(body).unwrap_err();
            assert_eq!(
                e.code,
                ErrorCode::SerializationException,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(parse::<ListGrantsRequest>(b" {\"KeyId\":\"k\"}\n ").is_ok());
    }

    #[test]
    fn unknown_enum_value_names_member_and_set() {
        let e = parse::<CreateKeyRequest>(br#"{"KeySpec":"AES_999"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationException);
        assert!(
            e.message
                .starts_with("1 validation error detected: Value 'AES_999' at 'keySpec'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn empty_body_is_an_empty_object() {
        let e = parse::<CreateGrantRequest>(b"").unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationException);
        assert!(parse::<CreateKeyRequest>(b"").is_ok());
    }
}

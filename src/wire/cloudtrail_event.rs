//! One activity-log entry as CloudTrail records a KMS call: the `Event` of LookupEvents'
//! answer (EventId, EventName, ReadOnly, EventTime, EventSource, Username, Resources) and,
//! inside it as a JSON string, the full record (`CloudTrailEvent`: userIdentity with the
//! session issuer of an assumed role, requestParameters, errorCode, resources...).
//!
//! AWS's documentation (CloudTrail userIdentity element): "type: IAMUser, AssumedRole,
//! Root, AWSService..."; for an assumed role, "sessionContext ... sessionIssuer: the
//! details about the role that issued the session". Decisions where the activity log keeps
//! less than CloudTrail: `requestParameters` holds the key ARN only (`keyId`); the access
//! key that signed a call is not kept, so `AccessKeyId` is absent; `Username` is the user's
//! name, the session name of an assumed role, `root` for the account; a denied call's
//! `errorCode` is `AccessDenied`, as KMS's CloudTrail events write it, and `errorMessage`
//! the simulator's reason for the denial; `sourceIPAddress` is
//! loopback; the event id is derived from the world's secret and the entry's sequence
//! number, so it is stable across pages and restarts.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::kms::ids::PrincipalArn;
use crate::sim::activity::{ActivityEntry, Outcome};
use crate::sim::World;

use super::dispatch::is_mutating;

/// What LookupEvents' top level says of an entry.
pub struct EventView {
    pub username: Option<String>,
    pub identity: Value,
}

impl EventView {
    pub fn of(world: &World, entry: &ActivityEntry) -> Self {
        let (username, identity) = user_identity(world, &entry.caller);
        Self { username, identity }
    }

    /// The event's id: a UUID from the world's secret and the sequence number.
    pub fn event_id(world: &World, entry: &ActivityEntry) -> String {
        let digest = Sha256::new()
            .chain_update(&world.token_secret)
            .chain_update(b"cloudtrail-event")
            .chain_update(entry.seq.to_be_bytes())
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// Reads (Describe, List, Get) and cryptographic calls are read-only in CloudTrail;
    /// changes (CreateGrant, RevokeGrant, key-state and policy changes) are not.
    pub fn read_only(entry: &ActivityEntry) -> bool {
        !is_mutating(entry.operation)
    }
}

/// `userIdentity` for a caller ARN, and the `Username` LookupEvents shows.
fn user_identity(world: &World, caller: &str) -> (Option<String>, Value) {
    let unique_id = world
        .find_principal(caller)
        .ok()
        .map(|p| p.unique_id.clone());
    match PrincipalArn::parse(caller) {
        Some(PrincipalArn::User { account, name }) => (
            Some(name.rsplit('/').next().unwrap_or(&name).to_string()),
            json!({
                "type": "IAMUser",
                "principalId": unique_id,
                "arn": caller,
                "accountId": account,
                "userName": name.rsplit('/').next().unwrap_or(&name),
            }),
        ),
        Some(PrincipalArn::AssumedRole {
            account,
            role,
            session,
        }) => {
            let role_arn = world
                .find_principal(caller)
                .map(|p| p.arn.clone())
                .unwrap_or_else(|_| format!("arn:aws:iam::{account}:role/{role}"));
            let id = unique_id.clone().unwrap_or_default();
            (
                Some(session.clone()),
                json!({
                    "type": "AssumedRole",
                    "principalId": format!("{id}:{session}"),
                    "arn": caller,
                    "accountId": account,
                    "sessionContext": {
                        "sessionIssuer": {
                            "type": "Role",
                            "principalId": id,
                            "arn": role_arn,
                            "accountId": account,
                            "userName": role,
                        }
                    }
                }),
            )
        }
        Some(PrincipalArn::Role { account, name }) => (
            Some(name.clone()),
            json!({ "type": "AssumedRole", "arn": caller, "accountId": account,
                    "sessionContext": { "sessionIssuer": {
                        "type": "Role", "principalId": unique_id, "arn": caller,
                        "accountId": account, "userName": name } } }),
        ),
        Some(PrincipalArn::Root { account }) => (
            Some("root".to_string()),
            json!({ "type": "Root", "principalId": account, "arn": caller, "accountId": account }),
        ),
        Some(PrincipalArn::Service(service)) => (
            Some(service.clone()),
            json!({ "type": "AWSService", "invokedBy": service }),
        ),
        // A signature that never resolved to a principal.
        None => (None, json!({ "type": "Unknown", "principalId": caller })),
    }
}

fn iso(t: crate::kms::Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The LookupEvents `Event` for an activity entry.
pub fn event(world: &World, entry: &ActivityEntry) -> Value {
    let view = EventView::of(world, entry);
    let id = EventView::event_id(world, entry);
    let read_only = EventView::read_only(entry);
    let name = entry.operation.as_str();
    let account = entry
        .key
        .as_deref()
        .and_then(|k| k.split(':').nth(4))
        .map(str::to_string)
        .or_else(|| view.identity["accountId"].as_str().map(str::to_string));
    let (error_code, error_message) = match &entry.outcome {
        Outcome::Allowed => (None, None),
        Outcome::Denied => (Some("AccessDenied".to_string()), Some(entry.why.clone())),
        Outcome::Failed { code } => (Some(code.as_str().to_string()), Some(entry.why.clone())),
    };
    let resources: Vec<Value> = entry
        .key
        .iter()
        .map(|k| {
            json!({ "accountId": k.split(':').nth(4).unwrap_or_default(),
                    "type": "AWS::KMS::Key", "ARN": k })
        })
        .collect();
    let mut record = json!({
        "eventVersion": "1.08",
        "userIdentity": view.identity,
        "eventTime": iso(entry.time),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": world.region,
        "sourceIPAddress": "127.0.0.1",
        "userAgent": "grantscope-serve",
        "requestParameters": entry.key.as_ref().map(|k| json!({ "keyId": k })),
        "responseElements": Value::Null,
        "requestID": id,
        "eventID": id,
        "readOnly": read_only,
        "resources": resources,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    });
    if let Some(code) = error_code {
        record["errorCode"] = Value::String(code);
        record["errorMessage"] = Value::String(error_message.unwrap_or_default());
    }
    let mut out = json!({
        "EventId": id,
        "EventName": name,
        "ReadOnly": read_only.to_string(),
        "EventTime": entry.time.timestamp_millis() as f64 / 1000.0,
        "EventSource": "kms.amazonaws.com",
        "Resources": entry.key.iter().map(|k| json!({
            "ResourceType": "AWS::KMS::Key", "ResourceName": k })).collect::<Vec<_>>(),
        "CloudTrailEvent": record.to_string(),
    });
    if let Some(u) = view.username {
        out["Username"] = Value::String(u);
    }
    out
}

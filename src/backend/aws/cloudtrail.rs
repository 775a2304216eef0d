//! CloudTrail's LookupEvents through aws-sdk-cloudtrail, as the usage evidence's source of
//! pages (`crate::evidence::TrailPages`). The client shares the connection's configuration
//! (profile, region, `--endpoint-url`, adaptive retry on ThrottlingException).

use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};

use crate::evidence::{Page, TrailEvent, TrailPages};

use super::connection::{sdk_error, AwsConnection};

/// LookupEvents for one connection.
pub struct CloudTrail {
    client: aws_sdk_cloudtrail::Client,
}

impl CloudTrail {
    pub fn new(conn: &AwsConnection) -> Self {
        Self {
            client: aws_sdk_cloudtrail::Client::new(&conn.config),
        }
    }

    /// One page of LookupEvents for one lookup attribute between `start` and `end`; the
    /// error is AWS's message.
    async fn lookup(
        &self,
        key: LookupAttributeKey,
        value: &str,
        (start, end): (f64, f64),
        token: Option<String>,
    ) -> Result<aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput, String> {
        let attribute = LookupAttribute::builder()
            .attribute_key(key)
            .attribute_value(value)
            .build()
            .map_err(|e| e.to_string())?;
        self.client
            .lookup_events()
            .lookup_attributes(attribute)
            .start_time(DateTime::from_secs_f64(start))
            .end_time(DateTime::from_secs_f64(end))
            .max_results(crate::evidence::PAGE_SIZE)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| {
                let e = sdk_error(e);
                format!("{}: {}", e.label(), e.message)
            })
    }
}

#[async_trait::async_trait]
impl TrailPages for CloudTrail {
    async fn page(
        &self,
        resource: &str,
        start: f64,
        end: f64,
        token: Option<String>,
    ) -> Result<Page, String> {
        let out = self
            .lookup(
                LookupAttributeKey::ResourceName,
                resource,
                (start, end),
                token,
            )
            .await?;
        let events = out
            .events()
            .iter()
            .filter_map(|e| {
                let time = e.event_time().map(|t| t.as_secs_f64())?;
                TrailEvent::parse(time, e.cloud_trail_event()?)
            })
            .collect();
        Ok(Page {
            events,
            next_token: out.next_token().map(str::to_string),
        })
    }
}

/// The CloudTrail events that change what an inventory shows of a key (`--refresh`).
pub const KEY_CHANGING_EVENTS: [&str; 13] = [
    "CreateGrant",
    "RetireGrant",
    "RevokeGrant",
    "DisableKey",
    "EnableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "PutKeyPolicy",
    "CreateKey",
    "UpdateKeyDescription",
    "ReplicateKey",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
];

impl CloudTrail {
    /// The resource names (key ARNs) of every event named one of `KEY_CHANGING_EVENTS`
    /// between `start` and `end`, every page, at most `rate` requests a second; the error
    /// is AWS's message.
    pub async fn changed_keys(
        &self,
        start: f64,
        end: f64,
        rate: std::num::NonZeroU32,
    ) -> Result<std::collections::HashSet<String>, String> {
        let limiter = crate::pace::per_second(rate);
        let mut changed = std::collections::HashSet::new();
        for name in KEY_CHANGING_EVENTS {
            let mut token = None;
            loop {
                limiter.until_ready().await;
                let out = self
                    .lookup(LookupAttributeKey::EventName, name, (start, end), token)
                    .await?;
                for e in out.events() {
                    for r in e.resources() {
                        if let Some(n) = r.resource_name() {
                            changed.insert(n.to_string());
                        }
                    }
                }
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(changed)
    }
}

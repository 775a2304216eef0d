//! Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
//! ListKeyRotations and RotateKeyOnDemand; scheduled rotation driven by the simulator
//! clock; and the material versions that keep older ciphertext decryptable.
//!
//! AWS's rules, from the API Reference and the Developer Guide ("Rotate AWS KMS keys"):
//! - EnableKeyRotation: "RotationPeriodInDays ... between 90 and 2560 days, inclusive. If
//!   no value is specified, the default value is 365 days." "Automatic key rotation is
//!   supported only on symmetric encryption KMS keys. You cannot enable automatic rotation
//!   of asymmetric KMS keys, HMAC KMS keys, KMS keys with imported key material, or KMS keys
//!   in a custom key store."
//! - "When you enable automatic rotation, AWS KMS rotates the KMS key ... RotationPeriodInDays
//!   after the date you enable it." AWS managed keys: "AWS KMS automatically rotates AWS
//!   managed keys every year (approximately 365 days). You cannot enable or disable
//!   rotation of AWS managed keys."
//! - "When you use a rotated KMS key to encrypt data, AWS KMS uses the current key
//!   material. When you use the rotated KMS key to decrypt ciphertext, AWS KMS uses the
//!   version of the key material that was used to encrypt it." (Blobs name their material
//!   version: `crypto.rs`.)
//! - RotateKeyOnDemand: "You can perform on-demand key rotation a maximum of 25 times per
//!   KMS key" (the Developer Guide's current figure; older API Reference pages said 10).
//!   "On-demand key rotation is supported only on symmetric encryption KMS keys. You
//!   cannot perform on-demand rotation of asymmetric KMS keys, HMAC KMS keys, KMS keys
//!   with imported key material, or KMS keys in a custom key store." "On-demand rotations
//!   do not change existing automatic rotation schedules."
//!
//! Decisions where AWS is silent or asynchronous: an on-demand rotation completes within
//! the call (AWS rotates in the background; `OnDemandRotationStartDate` is therefore never
//! reported, there being no rotation in progress to report). Enabling rotation again with
//! another period restarts the schedule from that day. When the clock jumps over many
//! periods, each missed rotation happens, at its own date, up to 100 per settle; after
//! that the schedule restarts from now (so a jump to the year 9999 costs 100 materials,
//! not thousands). GetKeyRotationStatus reports `false` for keys that cannot rotate (as
//! the API Reference says of asymmetric, HMAC, imported and custom-key-store keys), and
//! works in every key state; ListKeyRotations of such a key is UnsupportedOperationException.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::kms::api_admin::*;
use crate::kms::time::epoch_seconds;
use crate::kms::{ApiOperation, ErrorCode, KeyManager, KeyState, KmsError, KmsResult, Timestamp};

use super::keys::require_enabled;
use super::keys_admin::admin_key;
use super::validate;
use super::world::{Key, World};
use super::{crypto, Caller, Simulator};

pub const DEFAULT_PERIOD_DAYS: u32 = 365;
pub const MAX_ON_DEMAND_ROTATIONS: u32 = 25;
const MAX_CATCH_UP: usize = 100;

/// `t + d`, saturating at the clock's latest time (the end of the year 9999).
pub fn later(t: Timestamp, d: Duration) -> Timestamp {
    t.checked_add_signed(d)
        .map_or_else(crate::kms::time::latest, |x| {
            x.min(crate::kms::time::latest())
        })
}

/// One completed rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationRecord {
    pub date: Timestamp,
    pub kind: RotationType,
    /// The material version it made current.
    pub version: u32,
}

/// A key's rotation state and its older material versions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    #[serde(default)]
    pub enabled: bool,
    /// Days between automatic rotations (0: never set, the default applies).
    #[serde(default)]
    pub period_days: u32,
    /// The next automatic rotation, while enabled.
    #[serde(default)]
    pub next: Option<Timestamp>,
    #[serde(default)]
    pub on_demand_count: u32,
    #[serde(default)]
    pub history: Vec<RotationRecord>,
    /// Material versions 0..n-1 (the key's `material` is version n). Secret.
    #[serde(default, with = "super::material::versions")]
    pub older: Vec<Vec<u8>>,
}

impl Rotation {
    pub fn is_unset(&self) -> bool {
        *self == Rotation::default()
    }

    pub fn period(&self) -> u32 {
        if self.period_days == 0 {
            DEFAULT_PERIOD_DAYS
        } else {
            self.period_days
        }
    }

    /// Rotation as AWS sets it on an AWS managed key: on, yearly, from `created`.
    pub fn aws_managed(created: Timestamp) -> Self {
        Rotation {
            enabled: true,
            period_days: DEFAULT_PERIOD_DAYS,
            next: Some(later(created, Duration::days(DEFAULT_PERIOD_DAYS as i64))),
            ..Default::default()
        }
    }
}

impl Key {
    /// Can this key's material rotate at all?
    fn rotation_unsupported(&self) -> Option<String> {
        if !self.spec.is_symmetric_encryption() {
            Some(format!("{} is not a symmetric encryption KMS key ({}). Key rotation is supported only on symmetric encryption KMS keys.", self.arn, self.spec))
        } else if self.imported.is_some() {
            Some(format!("{} has imported key material. You cannot rotate the key material of KMS keys with imported key material.", self.arn))
        } else {
            None
        }
    }
}

/// Times at which the clock must look at this key (its next rotation, its imported
/// material's expiry).
pub fn key_timer_times(k: &Key) -> Vec<Timestamp> {
    let mut out = Vec::new();
    if k.rotation.enabled {
        out.extend(k.rotation.next);
    }
    out.extend(super::import::expiry_of(k));
    out
}

/// Replace the key's material with fresh material (a new version).
fn rotate(key: &mut Key, at: Timestamp, kind: RotationType) {
    let old = std::mem::replace(&mut key.material, crypto::new_key_material());
    key.rotation.older.push(old);
    let version = key.material_version();
    key.rotation.history.push(RotationRecord {
        date: at,
        kind,
        version,
    });
}

impl World {
    /// Run the key timers that are due: scheduled rotations and material expiries.
    pub(crate) fn settle_key_timers(&mut self, now: Timestamp) {
        while let Some((t, id)) = self.idx.key_timers.first().cloned() {
            if t > now {
                break;
            }
            self.idx.key_timers.pop_first();
            let Some(key) = self.keys.get(&id) else {
                continue;
            };
            let rotation_due = key.rotation.enabled
                && key.rotation.next == Some(t)
                && key.state != KeyState::PendingDeletion;
            let expiry_due = super::import::expiry_of(key) == Some(t);
            if !(rotation_due || expiry_due) {
                continue;
            }
            self.touch_key(&id);
            let Some(key) = self.keys.get_mut(&id) else {
                continue;
            };
            if expiry_due {
                super::import::expire(key);
            }
            if rotation_due {
                let period = Duration::days(key.rotation.period() as i64);
                let mut at = t;
                let mut done = 0;
                while at <= now && done < MAX_CATCH_UP {
                    rotate(key, at, RotationType::Automatic);
                    at = later(at, period);
                    done += 1;
                }
                if at <= now {
                    at = later(now, period);
                }
                // At the end of time there is no next rotation.
                key.rotation.next = (at > now).then_some(at);
                if at > now {
                    self.idx.key_timers.insert((at, id.clone()));
                }
            }
        }
    }
}

/// A key whose rotation settings may change: enabled, of a kind that rotates.
fn require_rotatable(key: &Key) -> KmsResult<()> {
    if key.state == KeyState::Disabled {
        return Err(KmsError::new(
            ErrorCode::DisabledException,
            format!("{} is disabled.", key.arn),
        ));
    }
    if let Some(why) = key.rotation_unsupported() {
        return Err(KmsError::new(ErrorCode::UnsupportedOperationException, why));
    }
    require_enabled(key)
}

impl Simulator {
    pub fn enable_key_rotation(
        &mut self,
        caller: &Caller,
        req: EnableKeyRotationRequest,
    ) -> KmsResult<crate::kms::api::Empty> {
        self.call(caller, ApiOperation::EnableKeyRotation, |world, rec| {
            let period = match req.rotation_period_in_days {
                None => DEFAULT_PERIOD_DAYS,
                Some(d) if !(90..=2560).contains(&d) => {
                    return Err(KmsError::validation(
                        &format!("'{d}'"),
                        "rotationPeriodInDays",
                        if d < 90 {
                            "Member must have value greater than or equal to 90"
                        } else {
                            "Member must have value less than or equal to 2560"
                        },
                    ))
                }
                Some(d) => d as u32,
            };
            let id = admin_key(world, rec, &req.key_id, "kms:EnableKeyRotation")?;
            require_rotatable(&world.keys[&id])?;
            let next = later(world.now(), Duration::days(period as i64));
            world.touch_key(&id);
            if let Some(k) = world.keys.get_mut(&id) {
                k.rotation.enabled = true;
                k.rotation.period_days = period;
                k.rotation.next = Some(next);
            }
            world.idx.key_timers.insert((next, id));
            Ok(crate::kms::api::Empty {})
        })
    }

    pub fn disable_key_rotation(
        &mut self,
        caller: &Caller,
        req: crate::kms::api::KeyIdRequest,
    ) -> KmsResult<crate::kms::api::Empty> {
        self.call(caller, ApiOperation::DisableKeyRotation, |world, rec| {
            let id = admin_key(world, rec, &req.key_id, "kms:DisableKeyRotation")?;
            require_rotatable(&world.keys[&id])?;
            world.touch_key(&id);
            if let Some(k) = world.keys.get_mut(&id) {
                k.rotation.enabled = false;
                k.rotation.next = None;
            }
            Ok(crate::kms::api::Empty {})
        })
    }

    pub fn get_key_rotation_status(
        &mut self,
        caller: &Caller,
        req: crate::kms::api::KeyIdRequest,
    ) -> KmsResult<GetKeyRotationStatusResponse> {
        self.call(caller, ApiOperation::GetKeyRotationStatus, |world, rec| {
            let key =
                validate::resolve_key(world, &rec.caller, "keyId", &req.key_id, validate::GRANTS)?;
            rec.key_arn = Some(key.arn.clone());
            rec.authorize(
                world,
                &super::keys_admin::key_auth("kms:GetKeyRotationStatus", Some(key)),
            )?;
            let r = &key.rotation;
            let on = r.enabled && key.rotation_unsupported().is_none();
            Ok(GetKeyRotationStatusResponse {
                key_rotation_enabled: on,
                key_id: key.arn.clone(),
                rotation_period_in_days: on.then(|| r.period()),
                next_rotation_date: r.next.filter(|_| on).map(epoch_seconds),
                on_demand_rotation_start_date: None,
            })
        })
    }

    pub fn list_key_rotations(
        &mut self,
        caller: &Caller,
        req: ListKeyRotationsRequest,
    ) -> KmsResult<ListKeyRotationsResponse> {
        self.call(caller, ApiOperation::ListKeyRotations, |world, rec| {
            // "If you include a value, it must be between 1 and 1000, inclusive. If you do
            // not include a value, it defaults to 100."
            let size = validate::page_size(req.limit, 100, 1000)?;
            let id = admin_key(world, rec, &req.key_id, "kms:ListKeyRotations")?;
            let key = &world.keys[&id];
            if let Some(why) = key
                .rotation_unsupported()
                .filter(|_| key.imported.is_none())
            {
                return Err(KmsError::new(ErrorCode::UnsupportedOperationException, why));
            }
            let scope = format!("rotations:{id}");
            let start = match &req.marker {
                Some(m) => super::keys::read_marker(world, &scope, m)? as usize,
                None => 0,
            };
            let history = &key.rotation.history;
            let end = (start + size).min(history.len());
            let current = key.material_version();
            let rotations = history
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .map(|r| RotationsListEntry {
                    key_id: key.arn.clone(),
                    key_material_id: Some(key.material_id(r.version)),
                    rotation_date: epoch_seconds(r.date),
                    rotation_type: r.kind,
                    key_material_state: Some(
                        if r.version == current {
                            "CURRENT"
                        } else {
                            "NON_CURRENT"
                        }
                        .to_string(),
                    ),
                })
                .collect();
            let more = end < history.len();
            Ok(ListKeyRotationsResponse {
                rotations,
                truncated: more,
                next_marker: more
                    .then(|| crypto::issue_marker(&world.token_secret, &scope, end as u64)),
            })
        })
    }

    pub fn rotate_key_on_demand(
        &mut self,
        caller: &Caller,
        req: crate::kms::api::KeyIdRequest,
    ) -> KmsResult<KeyIdResponse> {
        self.call(caller, ApiOperation::RotateKeyOnDemand, |world, rec| {
            let id = admin_key(world, rec, &req.key_id, "kms:RotateKeyOnDemand")?;
            let key = &world.keys[&id];
            require_rotatable(key)?;
            if key.manager == KeyManager::Aws {
                return Err(KmsError::new(
                    ErrorCode::UnsupportedOperationException,
                    format!("{} is an AWS managed key. You can perform on-demand rotation of the key material in customer managed KMS keys only.", key.arn),
                ));
            }
            if key.rotation.on_demand_count >= MAX_ON_DEMAND_ROTATIONS {
                return Err(KmsError::new(
                    ErrorCode::LimitExceededException,
                    format!(
                        "{} has reached the maximum of {MAX_ON_DEMAND_ROTATIONS} on-demand rotations.",
                        key.arn
                    ),
                ));
            }
            let now = world.now();
            world.touch_key(&id);
            let key = world
                .keys
                .get_mut(&id)
                .ok_or_else(|| KmsError::internal("key vanished"))?;
            rotate(key, now, RotationType::OnDemand);
            key.rotation.on_demand_count += 1;
            Ok(KeyIdResponse {
                key_id: key.arn.clone(),
            })
        })
    }
}

//! AWS managed keys (`alias/aws/SERVICE`): created as AWS creates them, with the default
//! key policy AWS gives them, usable only through their service.
//!
//! AWS's rules:
//! - Developer Guide, "AWS managed keys": "AWS managed keys are KMS keys in your account
//!   that are created, managed, and used on your behalf by an AWS service integrated with
//!   AWS KMS." "You cannot manage these KMS keys, rotate them, change their key policies"
//!   "AWS KMS automatically rotates AWS managed keys every year (approximately 365 days).
//!   You cannot enable or disable rotation of AWS managed keys."
//! - API Reference, DescribeKey: "If you call the DescribeKey operation on a predefined
//!   AWS alias, that is, an AWS alias with no key ID, AWS KMS creates an AWS managed key.
//!   Then, it associates the alias with the new KMS key, and returns the KeyId and Arn of
//!   the new KMS key in the response."
//! - Developer Guide, "Default key policy for AWS managed keys": the policy lets "all
//!   principals in the account that are authorized to use" the service use the key
//!   through it (`kms:ViaService` = `SERVICE.REGION.amazonaws.com` and
//!   `kms:CallerAccount` = the account), and gives the account read-only access to the
//!   key metadata ("Allow direct access to key metadata to the account": `kms:Describe*`,
//!   `kms:Get*`, `kms:List*`).
//!
//! So a direct Encrypt over the wire is denied "because no resource-based policy allows
//! the kms:Encrypt action", and ScheduleKeyDeletion, PutKeyPolicy, EnableKeyRotation,
//! DisableKeyRotation, TagResource and the other changes are denied the same way: the key
//! policy allows none of them, and nobody can change it. In-process calls made through
//! the service (`Caller::via("s3.REGION.amazonaws.com")`) are allowed.
//!
//! Decisions: a managed key is created when a scenario declares its service
//! (`aws_managed_keys = ["s3", "ebs"]`), on DescribeKey of its alias (as documented), or
//! on the first in-process call through its service that names the alias (AWS creates it
//! "when you first use" the service with KMS). The policy is the EBS form of the default
//! policy (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, CreateGrant, DescribeKey),
//! with the service name put in; its description follows AWS's "Default key that protects
//! my S3 objects when no other key is defined" pattern.

use crate::kms::policy::PolicyDocument;
use crate::kms::{AccountId, KeyManager, KeySpec, KeyState, KeyUsage, Timestamp};

use super::crypto;
use super::rotation::Rotation;
use super::world::{Alias, Key, World};

/// The service of an AWS managed alias: `alias/aws/s3` -> `s3`.
pub fn service_of_alias(alias: &str) -> Option<&str> {
    alias
        .strip_prefix("alias/aws/")
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// What AWS calls the things a service's managed key protects, for its description.
fn protects(service: &str) -> String {
    match service {
        "s3" => "my S3 objects".into(),
        "ebs" => "my EBS volumes".into(),
        "rds" => "my RDS database volumes".into(),
        "secretsmanager" => "my Secrets Manager secrets".into(),
        "lambda" => "my Lambda functions".into(),
        "dynamodb" => "my DynamoDB tables".into(),
        "sqs" => "my SQS messages".into(),
        "sns" => "my SNS topics".into(),
        other => format!("my {other} resources"),
    }
}

/// The default key policy of an AWS managed key for `service` in `account`.
pub fn default_policy(account: &str, region: &str, service: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Id": format!("auto-{service}-2"),
        "Statement": [
            {
                "Sid": format!("Allow access through {} for all principals in the account that are authorized to use {}", service.to_uppercase(), service.to_uppercase()),
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:CallerAccount": account,
                    "kms:ViaService": format!("{service}.{region}.amazonaws.com"),
                }}
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*"
            }
        ]
    })
    .to_string()
}

impl World {
    /// The AWS managed key of `service` in `account`, created (with its alias) if it does
    /// not exist yet; its key id. `key_id` fixes the id (scenarios), else a random one.
    pub fn ensure_aws_managed_key(
        &mut self,
        account: &AccountId,
        service: &str,
        key_id: Option<String>,
        created: Timestamp,
    ) -> String {
        let alias = format!("alias/aws/{service}");
        let slot = World::alias_slot(account, &alias);
        if let Some(a) = self.aliases.get(&slot) {
            return a.target_key_id.clone();
        }
        let id = key_id.unwrap_or_else(|| uuid::Uuid::new_v4().hyphenated().to_string());
        let policy = default_policy(account.as_str(), &self.region, service);
        let parsed = PolicyDocument::parse(&policy).ok().map(std::sync::Arc::new);
        let key = Key {
            id: id.clone(),
            account: account.clone(),
            arn: self.key_arn(account, &id),
            description: format!(
                "Default key that protects {} when no other key is defined",
                protects(service)
            ),
            spec: KeySpec::SymmetricDefault,
            usage: KeyUsage::EncryptDecrypt,
            state: KeyState::Enabled,
            manager: KeyManager::Aws,
            created,
            deletion_date: None,
            pending_window_days: None,
            policy,
            parsed_policy: parsed,
            material: crypto::new_key_material(),
            tags: Default::default(),
            rotation: Rotation::aws_managed(created),
            imported: None,
            multi_region: None,
            transition: None,
        };
        for t in super::rotation::key_timer_times(&key) {
            self.idx.key_timers.insert((t, id.clone()));
        }
        self.touch_key(&id);
        self.keys.insert(id.clone(), key);
        self.touch_alias(&slot);
        self.aliases.insert(
            slot,
            Alias {
                name: alias,
                account: account.clone(),
                target_key_id: id.clone(),
                created,
                updated: created,
            },
        );
        id
    }

    /// A call through a service that names that service's AWS managed alias creates the
    /// key (`s3.REGION.amazonaws.com` and `alias/aws/s3`).
    pub(crate) fn create_managed_key_on_service_use(
        &mut self,
        caller: &super::principals::ResolvedCaller,
        input: &str,
    ) {
        let Some(via) = caller.via_service.as_deref() else {
            return;
        };
        let named = input.rsplit("alias/aws/").next().unwrap_or_default();
        if input.contains("alias/aws/") && via.split('.').next() == Some(named) {
            let account = caller.account.clone();
            self.create_managed_key_on_reference(&account, input);
        }
    }

    /// Create the AWS managed key a key reference names, if it is an AWS managed alias of
    /// `account` in this region that has no key yet (`DescribeKey`, service calls).
    pub(crate) fn create_managed_key_on_reference(&mut self, account: &AccountId, input: &str) {
        let name = match crate::kms::KeyRef::parse(input) {
            crate::kms::KeyRef::AliasName(n) => n,
            crate::kms::KeyRef::AliasArn {
                region,
                account: a,
                alias_name,
                ..
            } if region == self.region && a == account.as_str() => alias_name,
            _ => return,
        };
        if let Some(service) = service_of_alias(&name) {
            let service = service.to_string();
            let now = self.now();
            self.ensure_aws_managed_key(account, &service, None, now);
        }
    }
}

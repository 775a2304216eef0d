//! Policy documents (key policies and IAM identity policies): the JSON policy language as
//! KMS reads it. Parsing lives here; evaluation is the simulator's (`sim::authorize`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::error::{ErrorCode, KmsError};

/// A policy element that may be written as one string or a list of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        };
        slice.iter().map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Condition values may be booleans or numbers too; they compare as strings.
        let value = serde_json::Value::deserialize(d)?;
        fn scalar(v: &serde_json::Value) -> Option<String> {
            match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        }
        match &value {
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| scalar(v).ok_or_else(|| serde::de::Error::custom("expected a string")))
                .collect::<Result<Vec<_>, _>>()
                .map(OneOrMany::Many),
            v => scalar(v)
                .map(OneOrMany::One)
                .ok_or_else(|| serde::de::Error::custom("expected a string or a list of strings")),
        }
    }
}

/// The `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PrincipalSpec {
    /// `"Principal": "*"`
    Anyone,
    /// `"Principal": {"AWS": ..., "Service": ...}`
    Map(BTreeMap<String, OneOrMany>),
}

impl<'de> Deserialize<'de> for PrincipalSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Star(String),
            Map(BTreeMap<String, OneOrMany>),
        }
        match Raw::deserialize(d)? {
            Raw::Star(s) if s == "*" => Ok(PrincipalSpec::Anyone),
            Raw::Star(s) => Err(serde::de::Error::custom(format!(
                "Principal must be \"*\" or a map, not {s:?}"
            ))),
            Raw::Map(m) => Ok(PrincipalSpec::Map(m)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// Condition block: operator -> condition key -> values.
pub type ConditionBlock = BTreeMap<String, BTreeMap<String, OneOrMany>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Statement {
    #[serde(default)]
    pub sid: Option<String>,
    pub effect: Effect,
    #[serde(default)]
    pub principal: Option<PrincipalSpec>,
    #[serde(default)]
    pub not_principal: Option<PrincipalSpec>,
    #[serde(default)]
    pub action: Option<OneOrMany>,
    #[serde(default)]
    pub not_action: Option<OneOrMany>,
    #[serde(default)]
    pub resource: Option<OneOrMany>,
    #[serde(default)]
    pub not_resource: Option<OneOrMany>,
    #[serde(default)]
    pub condition: Option<ConditionBlock>,
}

impl Statement {
    /// A label for explanations: the Sid, or the statement's position.
    pub fn label(&self, index: usize) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("\"{sid}\""),
            _ => format!("#{}", index + 1),
        }
    }
}

fn one_or_many_statements<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Statement>, D::Error> {
    // `Statement` may be one object or a list of them.
    let value = serde_json::Value::deserialize(d)?;
    if value.is_array() {
        serde_json::from_value::<Vec<Statement>>(value).map_err(serde::de::Error::custom)
    } else {
        serde_json::from_value::<Statement>(value)
            .map(|s| vec![s])
            .map_err(serde::de::Error::custom)
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(deserialize_with = "one_or_many_statements")]
    pub statement: Vec<Statement>,
}

/// The maximum size of a key policy (32 KiB).
pub const MAX_KEY_POLICY_BYTES: usize = 32_768;

impl PolicyDocument {
    /// Parse a policy, answering MalformedPolicyDocumentException as KMS does.
    pub fn parse(text: &str) -> Result<Self, KmsError> {
        let malformed = |detail: String| {
            KmsError::new(
                ErrorCode::MalformedPolicyDocumentException,
                format!("The new key policy contains a syntax error: {detail}"),
            )
        };
        let doc: PolicyDocument =
            serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        if let Some(v) = &doc.version {
            if v != "2012-10-17" && v != "2008-10-17" {
                return Err(malformed(format!("unsupported Version {v:?}")));
            }
        }
        for (i, s) in doc.statement.iter().enumerate() {
            let which = s.label(i);
            if s.action.is_some() == s.not_action.is_some() {
                return Err(malformed(format!(
                    "statement {which} must have exactly one of Action and NotAction"
                )));
            }
            if s.principal.is_some() && s.not_principal.is_some() {
                return Err(malformed(format!(
                    "statement {which} has both Principal and NotPrincipal"
                )));
            }
        }
        Ok(doc)
    }

    /// The default key policy of a key created through the API.
    pub fn default_key_policy_json(account: &str) -> String {
        let doc = serde_json::json!({
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": "kms:*",
                "Resource": "*"
            }]
        });
        // Pretty-printed, as AWS returns it from GetKeyPolicy.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_parses_and_delegates_to_account() {
        let doc = PolicyDocument::parse(&PolicyDocument::default_key_policy_json("111122223333"))
            .unwrap();
        assert_eq!(doc.statement.len(), 1);
        let s = &doc.statement[0];
        assert_eq!(s.sid.as_deref(), Some("Enable IAM User Permissions"));
        assert_eq!(s.effect, Effect::Allow);
        match &s.principal {
            Some(PrincipalSpec::Map(m)) => assert_eq!(
                m["AWS"].iter().collect::<Vec<_>>(),
                vec!["arn:aws:iam::111122223333:root"]
            ),
            other => panic!("unexpected principal {other:?}"),
        }
    }

    #[test]
    fn single_statement_object_and_condition_values_parse() {
        let doc = PolicyDocument::parse(
            r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":["kms:Encrypt"],
               "Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}}"#,
        )
        .unwrap();
        assert_eq!(doc.statement[0].principal, Some(PrincipalSpec::Anyone));
        let cond = doc.statement[0].condition.as_ref().unwrap();
        assert_eq!(
            cond["Bool"]["kms:GrantIsForAWSResource"],
            OneOrMany::One("true".into())
        );
    }

    #[test]
    fn malformed_policies_are_rejected_with_kms_error() {
        for text in [
            "not json",
            r#"{"Statement":[{"Effect":"Maybe","Action":"kms:*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"kms:*","Bogus":1}]}"#,
        ] {
            let err = PolicyDocument::parse(text).unwrap_err();
            assert_eq!(
                err.code,
                ErrorCode::MalformedPolicyDocumentException,
                "{text}"
            );
        }
    }
}

//! KMS-compatible endpoints (emulators, proxies) omit optional fields — CreationDate,
//! IssuingAccount, Name, KeyArn — and return bare key ids. The AWS backend and the audit
//! still work against one: a minimal fake endpoint answers with only required members.

use axum::body::Bytes;
use axum::http::HeaderMap;
use grantscope::backend::aws::{AwsConnection, AwsOptions, ProfileSources};

async fn fake_kms(headers: HeaderMap, body: Bytes) -> ([(&'static str, &'static str); 1], String) {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if target.is_empty() && String::from_utf8_lossy(&body).contains("GetCallerIdentity") {
        return (
            [("content-type", "text/xml")],
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/dev</Arn>\
             <UserId>AIDAEXAMPLEEXAMPLE001</UserId><Account>111122223333</Account></GetCallerIdentityResult>\
             </GetCallerIdentityResponse>"
                .to_string(),
        );
    }
    let json = match target.as_str() {
        "TrentService.ListKeys" => r#"{"Keys":[{"KeyId":"bare-key-1"}]}"#,
        "TrentService.ListAliases" => r#"{"Aliases":[]}"#,
        "TrentService.DescribeKey" => r#"{"KeyMetadata":{"KeyId":"bare-key-1"}}"#,
        "TrentService.ListGrants" => {
            r#"{"Grants":[{"GrantId":"g-1","GranteePrincipal":"arn:aws:iam::111122223333:user/app","Operations":["Encrypt","Decrypt"]}]}"#
        }
        _ => r#"{}"#,
    };
    (
        [("content-type", "application/x-amz-json-1.1")],
        json.to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_omits_optional_fields_still_inventories_and_audits() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().fallback(fake_kms))
            .await
            .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        "[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\nregion = eu-west-1\n",
    )
    .unwrap();
    let conn = AwsConnection::connect_with(
        AwsOptions {
            profile: Some("dev".into()),
            region: None,
            endpoint_url: Some(url),
        },
        &ProfileSources {
            config_file: Some(dir.path().join("no-config")),
            credentials_file: Some(creds),
        },
    )
    .await
    .unwrap();
    let inv = conn.inventory(&|_, _| {}).await.unwrap();
    assert_eq!(inv.account, "111122223333");
    assert_eq!(inv.keys.len(), 1);
    let key = &inv.keys[0];
    assert_eq!(key.key_id, "bare-key-1");
    assert_eq!(key.arn, "bare-key-1", "no ARN given: the bare id stands in");
    assert_eq!(key.creation_date, None);
    let g = &key.grants[0];
    assert_eq!(g.entry.grant_id, "g-1");
    assert_eq!(g.entry.name, "");
    assert_eq!(g.entry.creation_date, None);
    assert_eq!(g.entry.issuing_account, None);
    assert_eq!(g.grantee_name, "app");

    // The audit copes: no age, so no `old`; the operations and missing fields still speak.
    let report = grantscope::audit::audit(&inv, &grantscope::audit::AuditConfig::default());
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.id()).collect();
    assert!(!rules.contains(&"old"), "{rules:?}");
    assert!(rules.contains(&"plaintext-access"), "{rules:?}");
    assert!(rules.contains(&"unconstrained"), "{rules:?}");
}

//! Each account's credentials (`scope::credentials`) against `serve` as an organization,
//! in process so the organization's trust can change while grantscope runs: a refused
//! AssumeRole is reported with STS's reason, and asked again later, so a trust fixed
//! meanwhile is seen without a restart (checked to fail when the refusal was kept).

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use grantscope::backend::aws::{load_config, AwsOptions};
use grantscope::scope::credentials::AccountCredentials;
use grantscope::scope::ScopeSpec;
use grantscope::sim::{Scenario, SharedSimulator, Simulator};
use grantscope::wire::AppState;

const ORG: &str = include_str!("fixtures/organization.toml");

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_assume_role_is_asked_again_once_the_trust_is_fixed() {
    // The organization's access role asks for an external id the operator does not pass yet.
    let toml = ORG.replace(
        "management_account = \"111111111111\"",
        "management_account = \"111111111111\"\nexternal_id = \"audit-2026\"",
    );
    let toml = toml.replace(
        "name = \"ops\"\naccount = \"111111111111\"",
        "name = \"ops\"\naccount = \"111111111111\"\naccess_key_id = \"AKIAOPSORGCREDS00001\"\nsecret_access_key = \"ops-secret\"",
    );
    let world = Scenario::parse(&toml, "organization.toml", true)
        .expect("the scenario parses")
        .build()
        .expect("the scenario builds");
    let sim = SharedSimulator::new(Simulator::new(world));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(grantscope::wire::serve_app(
        listener,
        AppState::new(sim.clone(), None),
        std::future::pending(),
    ));
    let mut base = load_config(&AwsOptions {
        profile: None,
        region: Some("eu-west-1".into()),
        endpoint_url: Some(url),
    })
    .await
    .to_builder();
    base.set_credentials_provider(Some(SharedCredentialsProvider::new(Credentials::new(
        "AKIAOPSORGCREDS00001",
        "ops-secret",
        None,
        None,
        "test",
    ))));
    let spec = ScopeSpec {
        external_id: Some("audit-2027".into()),
        ..ScopeSpec::default()
    };
    let creds = AccountCredentials::new(base.build(), "111111111111".into(), &spec);

    let refused = creds
        .config("222222222222", "eu-west-1")
        .await
        .expect_err("the external id does not match");
    assert!(
        refused.starts_with(
            "AssumeRole arn:aws:iam::222222222222:role/OrganizationAccountAccessRole: AccessDenied"
        ),
        "{refused}"
    );

    // The organization now expects the operator's external id.
    sim.lock()
        .world_mut()
        .organization
        .as_mut()
        .expect("an organization")
        .external_id = Some("audit-2027".into());
    let config = creds
        .config("222222222222", "eu-west-1")
        .await
        .expect("asked again, the role is assumed");
    let me = aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .expect("who am I");
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/grantscope")
    );
}

//! The organization-wide inventory's progress bar, as a person sees it on a terminal
//! (tmux): scopes done of total, requests and throttles while it runs; and none on a pipe
//! or with --quiet (tests/organization_inventory.rs reads stderr of piped runs).

mod support;

use support::tmux::Tmux;
use support::{credentials_file, Server};

const ORG: &str = include_str!("fixtures/organization.toml");

#[test]
fn a_terminal_shows_scopes_requests_and_throttles_while_the_organization_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("org.toml");
    std::fs::write(&path, ORG).expect("write");
    let path = path.display().to_string();
    // Every answer 400 ms late: the read takes seconds, long enough to watch.
    let server = Server::start(&["--scenario", &path, "--latency", "400ms"]);
    let creds = credentials_file(dir.path(), &server.url, &["--scenario", &path])
        .display()
        .to_string();
    let creds_env = format!("AWS_SHARED_CREDENTIALS_FILE={creds}");
    let exe = env!("CARGO_BIN_EXE_grantscope");
    // The JSON goes to a file; stderr (the bar) stays on the terminal.
    let script = format!(
        "AWS_CONFIG_FILE=/dev/null {creds_env} AWS_EC2_METADATA_DISABLED=true {exe} inventory \
         --accounts org --profile ops --region eu-west-1 --endpoint-url {} --format json > /dev/null; \
         echo finished; sleep 30",
        server.url
    );
    let tmux = Tmux::start_sized("org-progress", (120, 20), &["sh", "-c", &script]);
    let screen = tmux.wait_for(&["/3 scopes", "requests", "throttled"]);
    assert!(!screen.contains("0/0"), "{screen}");
    let screen = tmux.wait_for(&["finished"]);
    // The bar is cleared when the work is done.
    assert!(!screen.contains("scopes"), "{screen}");
}

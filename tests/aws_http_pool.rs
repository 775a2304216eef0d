//! Every SDK client made from `load_config` shares one HTTP client: one connection pool
//! and at most `MAX_IN_FLIGHT` requests on the wire. Forty KMS clients (as an organization
//! read makes, one per account-region) each send twenty requests at once to a counting
//! HTTP server: every request is answered, the server never sees more than
//! `MAX_IN_FLIGHT` at once, and connections are reused across clients (with a pool per
//! client it would have seen 800 connections).
//! Checked to fail: without the shared client in `load_config`, the server saw 734
//! requests at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use grantscope::backend::aws::http::MAX_IN_FLIGHT;
use grantscope::backend::aws::{load_config, AwsOptions};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// A KMS endpoint that answers ListKeys with no keys, 20 ms late, counting as it goes.
async fn counting_server(counts: Arc<Counts>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            counts.connections.fetch_add(1, Ordering::SeqCst);
            let counts = counts.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_req: hyper::Request<Incoming>| {
                    let counts = counts.clone();
                    async move {
                        let now = counts.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        counts.peak.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        counts.in_flight.fetch_sub(1, Ordering::SeqCst);
                        hyper::Response::builder()
                            .header("content-type", "application/x-amz-json-1.1")
                            .header("x-amzn-requestid", "pool-test")
                            .body(axum::body::Body::from(r#"{"Keys":[],"Truncated":false}"#))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sdk_clients_share_one_pool_and_the_in_flight_cap() {
    const CLIENTS: usize = 40;
    const EACH: usize = 20;
    let counts = Arc::new(Counts::default());
    let url = counting_server(counts.clone()).await;
    let base = load_config(&AwsOptions {
        profile: None,
        region: Some("us-east-1".into()),
        endpoint_url: Some(url),
    })
    .await;
    let credentials = SharedCredentialsProvider::new(Credentials::new(
        "AKIAPOOLTEST00000001",
        "pool-test-secret",
        None,
        None,
        "test",
    ));
    // One client per "scope", each built as the organization read builds them.
    let clients: Vec<aws_sdk_kms::Client> = (0..CLIENTS)
        .map(|i| {
            let mut builder = base.to_builder();
            builder.set_region(Some(aws_config::Region::new(format!("region-{i}"))));
            builder.set_credentials_provider(Some(credentials.clone()));
            aws_sdk_kms::Client::new(&builder.build())
        })
        .collect();
    let calls = clients.iter().flat_map(|c| {
        (0..EACH).map(move |_| async move { c.list_keys().send().await.map(|_| ()) })
    });
    let results = futures::future::join_all(calls).await;
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| {
            r.err()
                .map(|e| aws_sdk_kms::error::DisplayErrorContext(e).to_string())
        })
        .collect();
    assert!(failed.is_empty(), "requests failed: {failed:?}");
    let peak = counts.peak.load(Ordering::SeqCst);
    let connections = counts.connections.load(Ordering::SeqCst);
    assert!(
        peak <= MAX_IN_FLIGHT,
        "{peak} requests in flight at once (cap {MAX_IN_FLIGHT})"
    );
    // hyper gives a connection back to its pool a moment after its answer is read, so a
    // request let in meanwhile may open one more: a few over the cap, never one per client
    // per request (800 here with a pool per client).
    let slack = MAX_IN_FLIGHT / 8;
    assert!(
        connections <= MAX_IN_FLIGHT + slack,
        "{connections} connections for {} requests: the clients do not share a pool",
        CLIENTS * EACH
    );
    // The cap is a cap, not a trickle: requests do run side by side.
    assert!(peak > EACH, "only {peak} requests ever in flight at once");
}

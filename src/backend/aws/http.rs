//! One HTTP client for every AWS SDK client of the process: one connection pool, and at
//! most `MAX_IN_FLIGHT` requests on the wire at once.
//!
//! Why: each SDK client built from a configuration without an HTTP client makes its own
//! (aws-smithy-runtime's default: a new hyper client, so a new pool, per SDK client). An
//! organization-wide read builds a KMS client per account-region, 150 of them for 50
//! accounts x 3 regions, and each kept its own connections: together they passed what the
//! far end accepts (`serve` closes its longest-waiting connection past 512; a process's
//! default file-descriptor limit is often 1,024), and a request sent as its connection was
//! closed failed ("connection closed before message completed"). Shared, connections are
//! reused across every client talking to the same endpoint, and the cap bounds them.
//!
//! The connector is built as aws-smithy-runtime builds its default for the latest behavior
//! version: hyper 1 with rustls on aws-lc, the proxy from the environment (`HTTPS_PROXY`,
//! `NO_PROXY`...), and one connector per connect/read-timeout setting, cached, as the
//! `HttpClient` contract asks ("The `HttpClient` is responsible for caching the connector
//! across requests").
//!
//! Decision (AWS is silent): `MAX_IN_FLIGHT` is 256. An organization-wide read runs 64
//! scopes of 16 requests each; past 256 requests in flight the work is bound by quotas and
//! CPU, not by round trips, and 256 sockets stay well inside the usual limits of both ends.
//! A request waits for a place before it is sent, so waiting is never a failure.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Requests on the wire at once, across every SDK client of the process.
pub const MAX_IN_FLIGHT: usize = 256;

/// The process's HTTP client, made once: every configuration `load_config` returns uses it.
pub fn shared() -> SharedHttpClient {
    static CLIENT: std::sync::OnceLock<SharedHttpClient> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| SharedHttpClient::new(PooledClient::new(MAX_IN_FLIGHT)))
        .clone()
}

/// Timeouts a connector is made for (what the SDK's own cache keys on).
type Timeouts = (Option<Duration>, Option<Duration>);

#[derive(Debug)]
struct PooledClient {
    connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>>,
    places: Arc<Semaphore>,
}

impl PooledClient {
    fn new(in_flight: usize) -> Self {
        Self {
            connectors: Mutex::new(HashMap::new()),
            places: Arc::new(Semaphore::new(in_flight)),
        }
    }
}

impl HttpClient for PooledClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        // A poisoned cache still holds good connectors: a panic elsewhere loses nothing.
        let mut connectors = self.connectors.lock().unwrap_or_else(|e| e.into_inner());
        connectors
            .entry(key)
            .or_insert_with(|| {
                let mut builder = Connector::builder().connector_settings(settings.clone());
                builder.set_sleep_impl(components.sleep_impl());
                builder.set_proxy_config(Some(ProxyConfig::from_env()));
                SharedHttpConnector::new(Limited {
                    inner: SharedHttpConnector::new(
                        builder
                            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
                            .build(),
                    ),
                    places: self.places.clone(),
                })
            })
            .clone()
    }
}

/// A connector that sends a request only once a place among `MAX_IN_FLIGHT` is free.
#[derive(Debug)]
struct Limited {
    inner: SharedHttpConnector,
    places: Arc<Semaphore>,
}

impl HttpConnector for Limited {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let places = self.places.clone();
        HttpConnectorFuture::new(async move {
            // The semaphore is never closed, so a place always comes.
            let place = places.acquire_owned().await.ok();
            let mut response = inner.call(request).await?;
            // The connection stays busy until its answer is read: the place is held by the
            // body, and given back when the body ends or is dropped.
            let body = response.take_body();
            *response.body_mut() = SdkBody::from_body_1_x(Held { body, place });
            Ok(response)
        })
    }
}

/// An answer's body that holds its place among `MAX_IN_FLIGHT` until it is read.
struct Held {
    body: SdkBody,
    place: Option<OwnedSemaphorePermit>,
}

impl http_body::Body for Held {
    type Data = <SdkBody as http_body::Body>::Data;
    type Error = aws_smithy_types::body::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.place = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

//! The demo application's `/metrics` endpoint on loopback, in Prometheus text format, so a real
//! Prometheus (or flightdeck's direct scrape mode) can scrape the traffic model.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::metrics::TrafficModel;

/// Serves `/metrics` on 127.0.0.1:`port` (0 = any free port); returns the address and the task.
pub async fn serve(
    traffic: Arc<Mutex<TrafficModel>>,
    port: u16,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let traffic = traffic.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let traffic = traffic.clone();
                    async move {
                        let response = if request.uri().path() == "/metrics" {
                            let text = traffic
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .exposition();
                            Response::builder()
                                .header("content-type", "text/plain; version=0.0.4; charset=utf-8")
                                .body(Full::new(Bytes::from(text)))
                        } else {
                            Response::builder()
                                .status(StatusCode::NOT_FOUND)
                                .body(Full::new(Bytes::from_static(b"not found; try /metrics\n")))
                        };
                        Ok::<_, Infallible>(
                            response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((address, task))
}

//! go-plugin's side services: `plugin.GRPCController/Shutdown` (exit promptly),
//! `plugin.GRPCStdio` (nothing to stream: our logs go to stderr) and gRPC health for
//! the service named `plugin`.

use std::pin::Pin;

use cloudgov_proto::health::{self, health_check_response::ServingStatus};
use cloudgov_proto::plugin as gp;
use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that yields nothing and ends when `token` is cancelled, so that open
/// streams never hold up shutdown.
fn silent_until<T: Send + 'static>(token: CancellationToken) -> BoxStream<T> {
    Box::pin(futures::stream::once(token.cancelled_owned()).filter_map(|()| async { None }))
}

/// `plugin.GRPCController`: `Shutdown` cancels the token the serve loop waits on.
#[derive(Debug)]
pub struct Controller {
    /// Cancelled on Shutdown.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        tracing::debug!("shutdown requested by the host");
        self.shutdown.cancel();
        Ok(Response::new(gp::Empty {}))
    }
}

/// `plugin.GRPCStdio`: the provider writes nothing to stdout after the handshake and
/// logs to stderr, which the host already reads; the stream stays open and empty.
#[derive(Debug)]
pub struct Stdio {
    /// Ends the stream.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = BoxStream<gp::StdioData>;

    async fn stream_stdio(
        &self,
        _: Request<gp::Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(silent_until(self.shutdown.clone())))
    }
}

/// `grpc.health.v1.Health`: SERVING for `plugin` and the empty (whole-server) name.
#[derive(Debug)]
pub struct Health {
    /// Ends Watch streams.
    pub shutdown: CancellationToken,
}

fn status_of(service: &str) -> Result<ServingStatus, Status> {
    match service {
        "" | "plugin" => Ok(ServingStatus::Serving),
        other => Err(Status::not_found(format!("unknown service {other}"))),
    }
}

#[tonic::async_trait]
impl health::health_server::Health for Health {
    type WatchStream = BoxStream<health::HealthCheckResponse>;

    async fn check(
        &self,
        req: Request<health::HealthCheckRequest>,
    ) -> Result<Response<health::HealthCheckResponse>, Status> {
        let status = status_of(&req.into_inner().service)?;
        Ok(Response::new(health::HealthCheckResponse {
            status: status as i32,
        }))
    }

    async fn watch(
        &self,
        req: Request<health::HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let status = status_of(&req.into_inner().service).unwrap_or(ServingStatus::ServiceUnknown);
        let first = futures::stream::iter([Ok(health::HealthCheckResponse {
            status: status as i32,
        })]);
        Ok(Response::new(Box::pin(
            first.chain(silent_until(self.shutdown.clone())),
        )))
    }
}

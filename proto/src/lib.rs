//! Generated bindings for the protocols terraform-provider-cloudgov speaks: Terraform's
//! plugin protocol 6 (`tfplugin6`), go-plugin's controller and stdio services
//! (`plugin`) and gRPC health checking (`grpc.health.v1`). No Terraform logic lives here.
#![allow(missing_docs, clippy::all)]

/// Terraform plugin protocol 6.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller (`Shutdown`) and stdio services.
pub mod plugin {
    tonic::include_proto!("plugin");
}

/// The gRPC health-checking service.
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}

//! The protocol adapter: one handler per tfplugin6 RPC, each decoding the request
//! with the right schema, running framework or resource code through the server's
//! guard, and encoding the answer.

use cloudgov_proto::tfplugin6 as pb;
use tonic::{Request, Response, Status};
use tracing::{Instrument, debug, info_span, trace};

use super::*;

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderServer<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|n| pb::get_metadata::FunctionMetadata {
                    name: n.to_string(),
                })
                .collect(),
            list_resources: self
                .list_resources
                .keys()
                .map(|n| pb::get_metadata::ListResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        debug!(tf_rpc = "GetProviderSchema", "serving schema");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, r)| (n.to_string(), r.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(n, d)| (n.to_string(), d.schema.to_proto()))
                .collect(),
            diagnostics: if self.schema_problems.is_empty() {
                Vec::new()
            } else {
                Diagnostics::from(Diagnostic::error(
                    "Invalid Provider Schema",
                    format!(
                        "This provider's schemas have mistakes, a bug in the provider: {}.",
                        self.schema_problems.join("; ")
                    ),
                ))
                .to_proto()
            },
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: self.function_protos(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(n, l)| (n.to_string(), l.schema.to_proto()))
                .collect(),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::validate_provider_config::Response {
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let config = tryd!(
            decode(
                req.config.as_ref(),
                &self.provider_schema.value_type(),
                "provider configuration"
            ),
            diags,
            resp
        );
        let ((), d) = self
            .guarded(
                "provider validation",
                (),
                self.provider.validate(&config, &mut diags),
            )
            .await;
        diags.extend(d);
        Ok(Response::new(resp(diags)))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let found = self.resource(&req.type_name);
        let diags = self
            .validate_config(
                found,
                req.config.as_ref(),
                "ValidateResourceConfig",
                &req.type_name,
            )
            .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let found = self.data_source(&req.type_name);
        let diags = self
            .validate_config(
                found,
                req.config.as_ref(),
                "ValidateDataResourceConfig",
                &req.type_name,
            )
            .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            diags.push(Diagnostic::error(
                "Unsupported State Format",
                "The stored state is in the legacy flatmap format, which this provider never wrote.",
            ));
            return Ok(Response::new(resp(diags)));
        }
        let json: serde_json::Value = tryd!(
            serde_json::from_slice(&raw.json)
                .map_err(|e| Diagnostics::from(Diagnostic::internal("reading stored state", e))),
            diags,
            resp
        );
        let (upgraded, d) = self
            .guarded("state upgrade", Value::Null, async {
                r.imp.upgrade_state(req.version, &json, &mut diags)
            })
            .await;
        diags.extend(d);
        if diags.has_errors() {
            return Ok(Response::new(resp(diags)));
        }
        let upgraded_state = tryd!(encode(&upgraded, &r.ty, "upgraded state"), diags, resp);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: Some(upgraded_state),
            diagnostics: diags.to_proto(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(n, r)| Some((n.to_string(), r.identity.as_ref()?.to_proto())))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let resp = |diagnostics: Diagnostics| pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        // Only version 0 exists: stored identities are re-encoded as they are.
        let upgraded = match &r.identity {
            Some(schema) if schema.version == req.version => {
                let raw = req.raw_identity.unwrap_or_default();
                let stored = pb::ResourceIdentityData {
                    identity_data: Some(pb::DynamicValue {
                        msgpack: Vec::new(),
                        json: raw.json,
                    }),
                };
                let value = tryd!(schema.decode(&stored), diags, resp);
                schema.encode(&value)
            }
            _ => None,
        };
        if upgraded.is_none() {
            diags.push(Diagnostic::error(
                "Unsupported Identity Version",
                format!(
                    "The stored identity of this {} has version {}, which this provider version does not know.",
                    req.type_name, req.version
                ),
            ));
        }
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: upgraded,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::configure_provider::Response {
            diagnostics: diagnostics.to_proto(),
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let config = tryd!(
            decode(
                req.config.as_ref(),
                &self.provider_schema.value_type(),
                "provider configuration"
            ),
            diags,
            resp
        );
        trace!(
            tf_rpc = "ConfigureProvider",
            terraform_version = %req.terraform_version,
            config = %codec::to_json(&self.provider_schema.redact(&config)),
            "configuring provider"
        );
        let (client, d) = self
            .guarded(
                "provider configuration",
                None,
                self.provider
                    .configure(&config, &req.terraform_version, &self.stop, &mut diags),
            )
            .await;
        diags.extend(d);
        if let Some(client) = client {
            *self
                .client
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(client));
        }
        Ok(Response::new(resp(diags)))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let prior_private = req.private.clone();
        let resp = |diagnostics: Diagnostics| pb::read_resource::Response {
            new_state: req.current_state.clone(),
            diagnostics: diagnostics.to_proto(),
            private: prior_private.clone(),
            deferred: None,
            new_identity: None,
        };
        let mut diags = Diagnostics::new();
        let (r, [state]) = tryd!(
            with_values(
                self.resource(&req.type_name),
                [(req.current_state.as_ref(), "current state")]
            ),
            diags,
            resp
        );
        let (new_state, d) = self.refresh(r, &req.type_name, state).await;
        diags.extend(d);
        let encoded = tryd!(encode(&new_state, &r.ty, "new state"), diags, resp);
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(encoded),
            diagnostics: diags.to_proto(),
            private: req.private,
            deferred: None,
            new_identity: identity_of(r, &new_state),
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::plan_resource_change::Response {
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let (r, [prior, proposed, config]) = tryd!(
            with_values(
                self.resource(&req.type_name),
                [
                    (req.prior_state.as_ref(), "prior state"),
                    (req.proposed_new_state.as_ref(), "proposed new state"),
                    (req.config.as_ref(), "configuration")
                ]
            ),
            diags,
            resp
        );
        let (plan, d) = self
            .plan_change(r, &req.type_name, prior, proposed, config)
            .await;
        diags.extend(d);
        let Some(plan) = plan else {
            // Destroy: nothing to plan beyond the absence of the object.
            return Ok(Response::new(pb::plan_resource_change::Response {
                planned_state: req.proposed_new_state,
                planned_private: req.prior_private,
                ..Default::default()
            }));
        };
        if diags.has_errors() {
            return Ok(Response::new(resp(diags)));
        }
        let planned_state = tryd!(encode(&plan.planned, &r.ty, "planned state"), diags, resp);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned_state),
            requires_replace: plan.requires_replace.iter().map(|p| p.to_proto()).collect(),
            planned_private: req.prior_private,
            diagnostics: diags.to_proto(),
            deferred: None,
            planned_identity: identity_of(r, &plan.planned),
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let resp = |diagnostics: Diagnostics| pb::apply_resource_change::Response {
            new_state: req.prior_state.clone(),
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let (r, [prior, planned, config]) = tryd!(
            with_values(
                self.resource(&req.type_name),
                [
                    (req.prior_state.as_ref(), "prior state"),
                    (req.planned_state.as_ref(), "planned state"),
                    (req.config.as_ref(), "configuration")
                ]
            ),
            diags,
            resp
        );
        let (new_state, d) = self
            .apply_change(r, &req.type_name, prior, planned, config)
            .await;
        diags.extend(d);
        let encoded = tryd!(encode(&new_state, &r.ty, "new state"), diags, resp);
        Ok(Response::new(pb::apply_resource_change::Response {
            new_identity: identity_of(r, &new_state),
            new_state: Some(encoded),
            private: req.planned_private,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::import_resource_state::Response {
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let r = tryd!(self.resource(&req.type_name), diags, resp);
        let id = tryd!(import_id(r, &req), diags, resp);
        let (state, d) = self.import_object(r, &req.type_name, &id).await;
        diags.extend(d);
        if diags.has_errors() || state.is_null() {
            return Ok(Response::new(resp(diags)));
        }
        let encoded = tryd!(encode(&state, &r.ty, "imported state"), diags, resp);
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: vec![pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(encoded),
                private: Vec::new(),
                identity: identity_of(r, &state),
            }],
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: Diagnostics::from(Diagnostic::error(
                "Move Resource State Not Supported",
                format!(
                    "{} cannot be moved to {}: this provider has no state move for that pair of types.",
                    req.source_type_name, req.target_type_name
                ),
            ))
            .to_proto(),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let resp = |diagnostics: Diagnostics| pb::read_data_source::Response {
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let req = req.into_inner();
        let (d, [config]) = tryd!(
            with_values(
                self.data_source(&req.type_name),
                [(req.config.as_ref(), "data source configuration")]
            ),
            diags,
            resp
        );
        let ctx = self.ctx();
        let span = info_span!("read_data", tf_rpc = "ReadDataSource", tf_data_source_type = %req.type_name);
        let (state, extra) = self
            .guarded(
                "data source read",
                Value::Null,
                d.imp.read(&ctx, &config, &mut diags).instrument(span),
            )
            .await;
        diags.extend(extra);
        if diags.has_errors() {
            return Ok(Response::new(resp(diags)));
        }
        let encoded = tryd!(encode(&state, &d.ty, "data source state"), diags, resp);
        Ok(Response::new(pb::read_data_source::Response {
            state: Some(encoded),
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    type ListResourceStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<pb::list_resource::Event, Status>>>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let req = req.into_inner();
        let events = self.list_events(&req).await;
        Ok(Response::new(tokio_stream::iter(
            events.into_iter().map(Ok).collect::<Vec<_>>(),
        )))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let found = self.list_resource_type(&req.type_name);
        let diags = self
            .validate_config(
                found,
                req.config.as_ref(),
                "ValidateListResourceConfig",
                &req.type_name,
            )
            .await;
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self.function_protos(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        debug!(tf_rpc = "CallFunction", function = %req.name, "calling function");
        Ok(Response::new(match self.call(&req.name, &req.arguments) {
            Ok(result) => pb::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(e.to_proto()),
            },
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        debug!(
            tf_rpc = "StopProvider",
            "stop requested; cancelling in-flight operations"
        );
        self.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

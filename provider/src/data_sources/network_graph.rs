//! `cloudgov_network_graph`: who can reach whom in a space or an organization, as
//! nodes, edges and findings, and rendered as Mermaid, DOT and a CSV of flows. The
//! analysis is `connectivity::graph` and `connectivity::render`; this file holds the
//! schema and the mapping to a value.

use async_trait::async_trait;

use super::reachability::FindingModel;
use crate::cf;
use crate::connectivity::graph::{self, Graph, Scope};
use crate::connectivity::render;
use crate::errors;
use crate::framework::{
    Attr, Attribute, AttributePath, Ctx, DataSource, Diagnostic, Diagnostics, Nesting, Schema,
    Type, Value,
};

crate::model! {
    /// A `cloudgov_network_graph` configuration or state.
    pub(super) struct GraphModel {
        space_id: String,
        org_id: String,
        nodes: Vec<Attr<NodeModel>>,
        edges: Vec<Attr<EdgeModel>>,
        findings: Vec<Attr<FindingModel>>,
        mermaid: String,
        dot: String,
        flows_csv: String,
    }
}

crate::model! {
    /// An app.
    pub(super) struct NodeModel {
        id: String,
        name: String,
        space_id: String,
        space: String,
        org: String,
        state: String,
        internal_hostnames: Vec<Attr<String>>,
        in_scope: bool,
    }
}

crate::model! {
    /// A policy.
    pub(super) struct EdgeModel {
        id: String,
        source_app_id: String,
        destination_app_id: String,
        protocol: String,
        port: String,
        tls: bool,
        cross_space: bool,
    }
}

fn opt(v: Option<&String>) -> Attr<String> {
    v.cloned().map_or(Attr::Null, Attr::Known)
}

fn state(config: &GraphModel, g: &Graph) -> Value {
    GraphModel {
        nodes: Attr::Known(
            g.nodes
                .iter()
                .map(|n| {
                    Attr::Known(NodeModel {
                        id: n.guid.clone().into(),
                        name: n.name.clone().into(),
                        space_id: opt(n.space_guid.as_ref()),
                        space: opt(n.space.as_ref()),
                        org: opt(n.org.as_ref()),
                        state: opt(n.state.as_ref()),
                        internal_hostnames: Attr::Known(
                            n.hostnames.iter().map(|h| Attr::Known(h.clone())).collect(),
                        ),
                        in_scope: n.in_scope.into(),
                    })
                })
                .collect(),
        ),
        edges: Attr::Known(
            g.edges
                .iter()
                .map(|e| {
                    Attr::Known(EdgeModel {
                        id: e.id.clone().into(),
                        source_app_id: e.source.clone().into(),
                        destination_app_id: e.destination.clone().into(),
                        protocol: e.protocol.clone().into(),
                        port: e.ports.clone().into(),
                        tls: e.tls.into(),
                        cross_space: e.cross_space.into(),
                    })
                })
                .collect(),
        ),
        findings: Attr::Known(g.findings.iter().map(FindingModel::of).collect()),
        mermaid: render::mermaid(g).into(),
        dot: render::dot(g).into(),
        flows_csv: render::flows_csv(g).into(),
        ..config.clone()
    }
    .to_value()
}

/// The data source.
#[derive(Debug)]
pub(crate) struct NetworkGraph;

#[async_trait]
impl DataSource<cf::Client> for NetworkGraph {
    fn type_name(&self) -> &'static str {
        "cloudgov_network_graph"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[
            ("", GraphModel::FIELDS),
            ("nodes", NodeModel::FIELDS),
            ("edges", EdgeModel::FIELDS),
            ("findings", FindingModel::FIELDS),
        ]
    }

    fn schema(&self) -> Schema {
        let computed = |a: Attribute, d: &str| a.computed().description(d);
        Schema::new(
            "Draws who can reach whom in a space or an organization: its apps (nodes), the network policies \
             between them (edges, including policies to and from apps outside the scope), findings about routes \
             and policies, and the same as Mermaid, Graphviz DOT and a CSV of flows. Everything is sorted and ids \
             come from GUIDs, so the same platform gives the same text, and a pull request can diff it.",
            vec![
                Attribute::string("space_id")
                    .optional()
                    .description("GUID of the space. Give this or `org_id`."),
                Attribute::string("org_id").optional().description(
                    "GUID of the organization: every space of it that the account can see.",
                ),
                Attribute::nested(
                    "nodes",
                    Nesting::List,
                    vec![
                        computed(Attribute::string("id"), "GUID of the app."),
                        computed(Attribute::string("name"), "Its name (its GUID when not visible)."),
                        computed(Attribute::string("space_id"), "Its space's GUID (null when not visible)."),
                        computed(Attribute::string("space"), "Its space's name."),
                        computed(Attribute::string("org"), "Its organization's name."),
                        computed(Attribute::string("state"), "`STARTED` or `STOPPED`."),
                        computed(
                            Attribute::new("internal_hostnames", Type::list(Type::String)),
                            "Names of the internal routes that send to it (`backend.apps.internal`), sorted; \
                             listed for apps in the scope.",
                        ),
                        computed(
                            Attribute::bool("in_scope"),
                            "True for an app of the space or organization; false for the far end of a policy.",
                        ),
                    ],
                )
                .computed()
                .description("Apps, sorted by organization, space and name."),
                Attribute::nested(
                    "edges",
                    Nesting::List,
                    vec![
                        computed(
                            Attribute::string("id"),
                            "The policy's id, as `cloudgov_network_policy` writes it.",
                        ),
                        computed(Attribute::string("source_app_id"), "Source app GUID."),
                        computed(Attribute::string("destination_app_id"), "Destination app GUID."),
                        computed(Attribute::string("protocol"), "`tcp` or `udp`."),
                        computed(Attribute::string("port"), "Port or range (`\"8080\"`, `\"8080-8090\"`)."),
                        computed(Attribute::bool("tls"), "True when the range covers 61443."),
                        computed(
                            Attribute::bool("cross_space"),
                            "True when the apps are in different spaces.",
                        ),
                    ],
                )
                .computed()
                .description("Policies whose source or destination is in the scope, sorted."),
                FindingModel::attribute("GUID of the app or route the finding is about.").description(
                    "Findings: `ROUTE_HAS_NO_DESTINATIONS`, `ROUTE_NOT_REACHED` (an internal route no policy \
                     lets anyone reach), `NO_INTERNAL_ROUTE` (policies to an app without one), \
                     `NEAR_POLICY_LIMIT` (a source app with 120 or more of the 150 policies allowed).",
                ),
                computed(
                    Attribute::string("mermaid"),
                    "A Mermaid flowchart: a subgraph per space, an arrow per policy (thick for TLS), stopped apps \
                     dashed. GitHub renders it in a ```mermaid block.",
                ),
                computed(Attribute::string("dot"), "The same as a Graphviz digraph (`dot -Tsvg`)."),
                computed(
                    Attribute::string("flows_csv"),
                    "One row per allowed flow, sorted, under the header `source_app,source_space,\
                     destination_app,destination_space,protocol,ports,tls,internal_hostname`: the ports, \
                     protocols and services table of security documentation.",
                ),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        crate::checks::guid_attrs(
            config,
            &[("space_id", "space"), ("org_id", "organization")],
            diags,
        );
        match (config.attr("space_id").is_null(), config.attr("org_id").is_null()) {
            (false, false) => diags.push(
                Diagnostic::error(
                    "Conflicting Arguments",
                    "`org_id` cannot be combined with `space_id`: the graph covers one space or one organization.",
                )
                .at(AttributePath::root("org_id")),
            ),
            (true, true) => diags.push(
                Diagnostic::error("Missing Scope", "No scope is given. Give `space_id`, or `org_id`.")
                    .at(AttributePath::root("space_id")),
            ),
            _ => {}
        }
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let model = GraphModel::from_value(config);
        let (scope, attr, what) = match (model.space_id.as_str(), model.org_id.as_str()) {
            (Some(s), None) => (Scope::Space(s.to_string()), "space_id", "space"),
            (None, Some(o)) => (Scope::Org(o.to_string()), "org_id", "organization"),
            _ => return Value::Null,
        };
        match graph::gather(client, &scope).await {
            Ok(Some((view, spaces))) => state(&model, &graph::build(&view, &spaces)),
            Ok(None) => {
                let guid = model
                    .space_id
                    .as_str()
                    .or(model.org_id.as_str())
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        "Scope Not Found",
                        format!(
                            "No {what} with GUID {guid} is visible to this account: it does not exist, or the \
                             account has no role in it."
                        ),
                    )
                    .at(AttributePath::root(attr)),
                );
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Network Graph Read Error", &e));
                Value::Null
            }
        }
    }
}

//! `cloudgov_reachability`: can an app reach a URL, or another app on a port, and if
//! not, why. The analysis is `connectivity::reach`; this file holds the schema, the
//! plan-time checks of the question and the mapping of the verdict to a value. It
//! sends no traffic to apps.

use async_trait::async_trait;

use crate::cf;
use crate::connectivity::findings::Finding;
use crate::connectivity::reach::{self, Question, Target, Verdict};
use crate::errors;
use crate::framework::{
    Attr, Attribute, AttributePath, Ctx, DataSource, Diagnostic, Diagnostics, Nesting, Schema,
    Type, Value,
};

crate::model! {
    /// A `cloudgov_reachability` configuration or state.
    pub(super) struct ReachabilityModel {
        source_app_id: String,
        url: String,
        destination_app_id: String,
        port: i64,
        protocol: String,
        reachable: bool,
        tls: bool,
        route_id: String,
        policy_ids: Vec<Attr<String>>,
        findings: Vec<Attr<FindingModel>>,
        destinations: Vec<Attr<DestinationModel>>,
    }
}

crate::model! {
    /// One finding.
    pub(crate) struct FindingModel {
        code: String,
        severity: String,
        message: String,
        subject: String,
    }
}

crate::model! {
    /// One destination app's verdict.
    pub(super) struct DestinationModel {
        app_id: String,
        app_name: String,
        space_id: String,
        reachable: bool,
        policy_ids: Vec<Attr<String>>,
    }
}

impl FindingModel {
    /// The model of a finding.
    pub(crate) fn of(f: &Finding) -> Attr<FindingModel> {
        Attr::Known(FindingModel {
            code: f.code.as_str().to_string().into(),
            severity: f.severity.as_str().to_string().into(),
            message: f.message.clone().into(),
            subject: f.subject.clone().map_or(Attr::Null, Attr::Known),
        })
    }

    /// The nested attribute `findings`, with `subject` described as `subject`.
    pub(crate) fn attribute(subject: &str) -> Attribute {
        let computed = |a: Attribute, d: &str| a.computed().description(d);
        Attribute::nested(
            "findings",
            Nesting::List,
            vec![
                computed(
                    Attribute::string("code"),
                    "What was found, e.g. `NO_POLICY` (the guide \"Why can't my app connect?\" lists every code).",
                ),
                computed(
                    Attribute::string("severity"),
                    "`error` (the path does not work), `warning` or `info`.",
                ),
                computed(
                    Attribute::string("message"),
                    "What it means, and the fix in HCL terms.",
                ),
                computed(Attribute::string("subject"), subject),
            ],
        )
        .computed()
    }
}

fn strings(items: &[String]) -> Attr<Vec<Attr<String>>> {
    Attr::Known(items.iter().map(|s| Attr::Known(s.clone())).collect())
}

/// The data source.
#[derive(Debug)]
pub(crate) struct Reachability;

/// The question a configuration asks; None when part of it is unknown or invalid
/// (validation reports that).
fn question(m: &ReachabilityModel) -> Option<Question> {
    let target = match (
        m.url.as_str(),
        m.destination_app_id.as_str(),
        m.port.known(),
    ) {
        (Some(url), None, _) => Target::from_url(url).ok()?,
        (None, Some(app), Some(port)) => Target::App {
            guid: app.to_string(),
            port: u16::try_from(*port).ok()?,
        },
        _ => return None,
    };
    Some(Question {
        source: m.source_app_id.as_str()?.to_string(),
        target,
        protocol: m.protocol.as_str().unwrap_or("tcp").to_string(),
    })
}

fn state(q: &Question, config: &ReachabilityModel, v: &Verdict) -> Value {
    ReachabilityModel {
        port: i64::from(q.target.port()).into(),
        protocol: q.protocol.clone().into(),
        reachable: v.reachable.into(),
        tls: v.tls.into(),
        route_id: v.route_id.clone().map_or(Attr::Null, Attr::Known),
        policy_ids: strings(&v.policy_ids),
        findings: Attr::Known(v.findings.iter().map(FindingModel::of).collect()),
        destinations: Attr::Known(
            v.destinations
                .iter()
                .map(|d| {
                    Attr::Known(DestinationModel {
                        app_id: d.app_guid.clone().into(),
                        app_name: d.app_name.clone().map_or(Attr::Null, Attr::Known),
                        space_id: d.space_guid.clone().map_or(Attr::Null, Attr::Known),
                        reachable: d.reachable.into(),
                        policy_ids: strings(&d.policy_ids),
                    })
                })
                .collect(),
        ),
        ..config.clone()
    }
    .to_value()
}

#[async_trait]
impl DataSource<cf::Client> for Reachability {
    fn type_name(&self) -> &'static str {
        "cloudgov_reachability"
    }

    fn models(&self) -> crate::framework::model::Models {
        &[
            ("", ReachabilityModel::FIELDS),
            ("findings", FindingModel::FIELDS),
            ("destinations", DestinationModel::FIELDS),
        ]
    }

    fn schema(&self) -> Schema {
        let computed = |a: Attribute, d: &str| a.computed().description(d);
        Schema::new(
            "Checks whether an app can reach a URL, or another app on a port, over the container network, and if \
             not, why: each problem is a finding with a code and the fix. It analyses the platform's \
             configuration (internal routes, policies, app states) and sends no traffic. Use it in a `check` \
             block (a warning on every plan) or a postcondition (a failed apply).",
            vec![
                Attribute::string("source_app_id")
                    .required()
                    .description("GUID of the calling app."),
                Attribute::string("url").optional().description(
                    "What the source calls, as its client would: `https://backend.apps.internal:61443`, \
                     `backend.apps.internal:8080` (the scheme is optional; without a port, `https` calls 443 and \
                     `http` 80). Give this, or `destination_app_id` and `port`.",
                ),
                Attribute::string("destination_app_id").optional().description(
                    "GUID of the app called, with `port`, instead of `url`.",
                ),
                Attribute::number("port").optional().computed().description(
                    "The port called, with `destination_app_id`; from `url` otherwise.",
                ),
                Attribute::string("protocol")
                    .optional()
                    .computed()
                    .description("`tcp` (the default) or `udp`."),
                computed(
                    Attribute::bool("reachable"),
                    "True when nothing in the platform's configuration stops the call, to every app behind the name.",
                ),
                computed(
                    Attribute::bool("tls"),
                    "True when the call uses 61443, where the platform terminates TLS.",
                ),
                computed(
                    Attribute::string("route_id"),
                    "GUID of the internal route the name resolves through (null when there is none).",
                ),
                computed(
                    Attribute::new("policy_ids", Type::list(Type::String)),
                    "Ids of the policies that allow the call (as `cloudgov_network_policy` writes them), sorted.",
                ),
                FindingModel::attribute("GUID of the app the finding is about (null when it is about the path).")
                    .description("Every finding: the path's, then each destination app's."),
                Attribute::nested(
                    "destinations",
                    Nesting::List,
                    vec![
                        computed(Attribute::string("app_id"), "GUID of the app."),
                        computed(Attribute::string("app_name"), "Its name (null when not visible)."),
                        computed(Attribute::string("space_id"), "Its space's GUID (null when not visible)."),
                        computed(Attribute::bool("reachable"), "True when the call reaches this app."),
                        computed(
                            Attribute::new("policy_ids", Type::list(Type::String)),
                            "The policies that allow the call to this app.",
                        ),
                    ],
                )
                .computed()
                .description(
                    "Each app behind the name, with its own verdict: a route to several apps can be partly reachable.",
                ),
            ],
        )
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        crate::checks::guid_attrs(
            config,
            &[
                ("source_app_id", "source app"),
                ("destination_app_id", "destination app"),
            ],
            diags,
        );
        let given = |a: &str| !config.attr(a).is_null();
        let at = |a: &str| AttributePath::root(a);
        match (given("url"), given("destination_app_id")) {
            (true, true) => diags.push(
                Diagnostic::error(
                    "Conflicting Arguments",
                    "`url` and `destination_app_id` both name what is called: give `url`, or \
                     `destination_app_id` and `port`.",
                )
                .at(at("destination_app_id")),
            ),
            (false, false) => diags.push(
                Diagnostic::error(
                    "Missing Target",
                    "Nothing is called: give `url` (e.g. \"https://backend.apps.internal:61443\"), or \
                     `destination_app_id` and `port`.",
                )
                .at(at("source_app_id")),
            ),
            (true, false) if given("port") => diags.push(
                Diagnostic::error(
                    "Conflicting Arguments",
                    "`port` goes with `destination_app_id`; with `url`, write the port in the URL \
                     (\"backend.apps.internal:8080\").",
                )
                .at(at("port")),
            ),
            (false, true) if !given("port") => diags.push(
                Diagnostic::error(
                    "Missing Argument",
                    "`destination_app_id` needs `port`: the port the source calls.",
                )
                .at(at("destination_app_id")),
            ),
            _ => {}
        }
        if let Some(url) = config.attr("url").as_str()
            && let Err(e) = Target::from_url(url)
        {
            diags.push(Diagnostic::error("Invalid URL", e).at(at("url")));
        }
        if let Some(port) = config.attr("port").as_i64()
            && !(1..=65535).contains(&port)
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Port",
                    format!("`port` is {port}; a port is a number from 1 to 65535."),
                )
                .at(at("port")),
            );
        }
        if let Some(p) = config.attr("protocol").as_str()
            && p != "tcp"
            && p != "udp"
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Protocol",
                    format!("`protocol` is \"{p}\"; it takes \"tcp\" or \"udp\"."),
                )
                .at(at("protocol")),
            );
        }
    }

    async fn read(&self, ctx: &Ctx<cf::Client>, config: &Value, diags: &mut Diagnostics) -> Value {
        let Some(client) = ctx.client_or_report(diags) else {
            return Value::Null;
        };
        let model = ReachabilityModel::from_value(config);
        let Some(q) = question(&model) else {
            return Value::Null;
        };
        match reach::gather(client, &q).await {
            Ok(Some(view)) => state(&q, &model, &reach::analyse(&view, &q)),
            Ok(None) => {
                diags.push(
                    Diagnostic::error(
                        "App Not Found",
                        format!(
                            "No app with GUID {} is visible to this account: it does not exist, or the account \
                             has no role in its space.",
                            q.source
                        ),
                    )
                    .at(AttributePath::root("source_app_id")),
                );
                Value::Null
            }
            Err(e) => {
                diags.push(errors::diagnostic("Reachability Read Error", &e));
                Value::Null
            }
        }
    }
}

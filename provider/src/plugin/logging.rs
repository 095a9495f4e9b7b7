//! Logs as go-plugin hosts want them: one JSON object per line on stderr with
//! `@level`, `@message`, `@module` and `@timestamp` (hclog's format), which Terraform
//! shows as structured entries at that level. The level comes from `TF_LOG_PROVIDER`,
//! else `TF_LOG`. Hand-written as a `tracing_subscriber::Layer` because no maintained
//! crate emits hclog's field names.
//!
//! Defence in depth for secrets: resource code logs values only through the schema's
//! redaction, and this layer also blanks any field whose name says it holds a secret.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use serde_json::{Map, Value as J};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// The `@module` every entry carries.
pub const MODULE: &str = "provider.terraform-provider-cloudgov";

/// The level named by `TF_LOG_PROVIDER` or `TF_LOG` (values as Terraform accepts them:
/// TRACE, DEBUG, INFO, WARN, ERROR, OFF, JSON = TRACE). Unset or unrecognised: WARN.
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let pick = tf_log_provider
        .filter(|s| !s.is_empty())
        .or(tf_log.filter(|s| !s.is_empty()));
    match pick.map(str::to_ascii_uppercase).as_deref() {
        Some("TRACE") | Some("JSON") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("INFO") => LevelFilter::INFO,
        Some("ERROR") => LevelFilter::ERROR,
        Some("OFF") => LevelFilter::OFF,
        // WARN, and anything unrecognised.
        _ => LevelFilter::WARN,
    }
}

/// Installs the hclog JSON layer on stderr as the global subscriber, at the level the
/// environment asks for, and routes panics through it.
pub fn init() {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    let _ = tracing_subscriber::registry()
        .with(HclogLayer::new(std::io::stderr).with_filter(filter(level)))
        .try_init();
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, "panic: {message}");
    }));
}

/// The provider's own events at `level`; the libraries underneath (h2, hyper, tonic,
/// rustls) at WARN at most, since their TRACE output would drown the provider's.
pub fn filter(level: LevelFilter) -> tracing_subscriber::filter::Targets {
    tracing_subscriber::filter::Targets::new()
        .with_default(level.min(LevelFilter::WARN))
        .with_target("terraform_provider_cloudgov", level)
}

/// Field names whose values are never written.
fn is_secret_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["password", "secret", "token", "authorization", "cookie"]
        .iter()
        .any(|s| n.contains(s))
}

/// Writes each event as one hclog JSON line to the writer `make` returns.
pub struct HclogLayer<W> {
    make: W,
}

impl<W> std::fmt::Debug for HclogLayer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HclogLayer").finish_non_exhaustive()
    }
}

impl<W> HclogLayer<W> {
    /// A layer writing through `make` (called once per line).
    pub fn new(make: W) -> HclogLayer<W> {
        HclogLayer { make }
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, J>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, J::String(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, J::String(value.to_string()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, J::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, J::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, J::Bool(value));
    }
}

impl Fields {
    fn insert(&mut self, field: &Field, value: J) {
        let name = field.name();
        let value = if name != "message" && is_secret_field(name) {
            J::String("(redacted)".into())
        } else {
            value
        };
        self.0.insert(name.to_string(), value);
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

const TIMESTAMP: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

impl<S, W, O> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: Fn() -> O + 'static,
    O: Write,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<Fields>() {
                    for (k, v) in &fields.0 {
                        line.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let message = match fields.0.remove("message") {
            Some(J::String(s)) => s,
            Some(other) => other.to_string(),
            None => String::new(),
        };
        line.extend(fields.0);
        let meta = event.metadata();
        line.insert("@level".into(), J::String(level_name(meta.level()).into()));
        line.insert("@message".into(), J::String(message));
        line.insert("@module".into(), J::String(MODULE.into()));
        let now = time::OffsetDateTime::now_utc()
            .format(TIMESTAMP)
            .unwrap_or_default();
        line.insert("@timestamp".into(), J::String(now));
        if let Some(target) =
            Some(meta.target()).filter(|t| !t.starts_with("terraform_provider_cloudgov"))
        {
            line.insert("@caller".into(), J::String(target.to_string()));
        }
        let mut out = serde_json::to_vec(&J::Object(line)).unwrap_or_default();
        out.push(b'\n');
        // One write per line so lines from concurrent tasks never interleave.
        let _ = (self.make)().write_all(&out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn capture(f: impl FnOnce()) -> Vec<J> {
        let buf = Buf::default();
        let b2 = buf.clone();
        let subscriber = tracing_subscriber::registry()
            .with(HclogLayer::new(move || b2.clone()).with_filter(LevelFilter::TRACE));
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn lines_are_hclog_json_with_span_fields() {
        let lines = capture(|| {
            let span = tracing::info_span!("plan", tf_rpc = "PlanResourceChange");
            let _g = span.enter();
            tracing::debug!(port = 8080, "planning");
        });
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(l["@level"], "debug");
        assert_eq!(l["@message"], "planning");
        assert_eq!(l["@module"], MODULE);
        assert_eq!(l["tf_rpc"], "PlanResourceChange");
        assert_eq!(l["port"], 8080);
        assert!(l["@timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn secret_named_fields_are_blanked() {
        let lines = capture(|| {
            tracing::trace!(
                password = "hunter2",
                client_secret = "abc",
                access_token = "eyJx",
                "login"
            );
        });
        let text = lines[0].to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("abc") && !text.contains("eyJx"),
            "{text}"
        );
    }

    #[test]
    fn level_follows_tf_log_provider_then_tf_log() {
        assert_eq!(
            level_from_env(Some("debug"), Some("ERROR")),
            LevelFilter::DEBUG
        );
        assert_eq!(level_from_env(None, Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from_env(Some(""), Some("info")), LevelFilter::INFO);
        assert_eq!(level_from_env(None, None), LevelFilter::WARN);
        assert_eq!(level_from_env(Some("off"), None), LevelFilter::OFF);
    }
}

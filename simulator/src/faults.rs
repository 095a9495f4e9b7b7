//! Misbehaviour on demand: fault rules match a method and a path glob and fire with a
//! probability drawn from a seeded generator, so runs are reproducible. The rules
//! only; `middleware` applies them around the platform's routes (never the `/_sim/`
//! admin API) and counts requests.

use std::collections::BTreeMap;

use axum::http::Method;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// What a fault does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits this long before handling.
    Latency {
        /// Milliseconds.
        ms: u64,
    },
    /// Answers with this status (5xx) without handling.
    Status {
        /// HTTP status.
        status: u16,
    },
    /// Answers 429 with `Retry-After` without handling.
    RateLimit {
        /// Seconds.
        retry_after: u64,
    },
    /// Closes the connection without an answer, without handling.
    Reset,
    /// Handles the request (the write is applied), then closes the connection
    /// instead of answering.
    DropResponse,
    /// A job the request starts ends FAILED.
    FailJob,
    /// Answers with this 3xx status and `Location`, without handling: a front that
    /// sends clients elsewhere.
    Redirect {
        /// HTTP status (301, 302, 307, 308).
        status: u16,
        /// Where to.
        location: String,
    },
    /// Handles the request, then sets one field of its JSON answer: `field` is a
    /// `/`-separated path of object keys (`links/uaa/href`,
    /// `pagination/next/href`), created where missing. A front that rewrites
    /// answers, as a hostile network could.
    Rewrite {
        /// Path of object keys.
        field: String,
        /// The new value.
        value: serde_json::Value,
    },
    /// Answers 200 with a JSON body of this many bytes, streamed without holding it,
    /// without handling.
    Oversized {
        /// Size of the body.
        bytes: u64,
    },
}

/// One fault rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaultRule {
    /// Path glob: `*` matches any run of characters (`/v3/routes*`).
    #[serde(default = "any_path")]
    pub path: String,
    /// Method, or any.
    #[serde(default)]
    pub method: Option<String>,
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Chance of firing, 0..=1.
    #[serde(default = "always")]
    pub probability: f64,
    /// Fires at most this many times (then the rule is spent).
    #[serde(default)]
    pub times: Option<u32>,
}

fn any_path() -> String {
    "*".into()
}
fn always() -> f64 {
    1.0
}

/// Glob match with `*` as the only wildcard.
pub fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(mut tail) = text.strip_prefix(head) else {
                return false;
            };
            if rest.is_empty() {
                return true;
            }
            loop {
                if glob(rest, tail) {
                    return true;
                }
                let mut chars = tail.chars();
                if chars.next().is_none() {
                    return false;
                }
                tail = chars.as_str();
            }
        }
    }
}

/// The rules and the generator that rolls their dice.
#[derive(Debug)]
pub struct Faults {
    /// Active rules, in order.
    pub rules: Vec<FaultRule>,
    rng: rand::rngs::StdRng,
}

impl Faults {
    /// No rules; dice seeded with `seed`.
    pub fn new(seed: u64) -> Faults {
        Faults {
            rules: Vec::new(),
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }
    }

    /// Reseeds the dice.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = rand::rngs::StdRng::seed_from_u64(seed);
    }

    /// The rules that fire for this request, in order (spending their counts).
    pub fn roll(&mut self, method: &Method, path: &str) -> Vec<FaultKind> {
        let mut fired = Vec::new();
        for rule in &mut self.rules {
            if rule.times == Some(0) {
                continue;
            }
            if rule
                .method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method.as_str()))
                || !glob(&rule.path, path)
            {
                continue;
            }
            if rule.probability < 1.0 && self.rng.random::<f64>() >= rule.probability {
                continue;
            }
            if let Some(t) = &mut rule.times {
                *t -= 1;
            }
            fired.push(rule.kind.clone());
        }
        self.rules.retain(|r| r.times != Some(0));
        fired
    }
}

/// Marks a request whose job must fail.
#[derive(Debug, Clone, Copy)]
pub struct FailJob;

/// Request counts per `METHOD /route/pattern`.
pub type Stats = BTreeMap<String, u64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "/v3/routes"));
        assert!(glob("/v3/routes*", "/v3/routes/abc/destinations"));
        assert!(glob("/v3/*/destinations", "/v3/routes/abc/destinations"));
        assert!(!glob("/v3/apps*", "/v3/routes"));
        assert!(glob(
            "/networking/v1/external/policies",
            "/networking/v1/external/policies"
        ));
    }

    #[test]
    fn seeded_rolls_repeat_and_counts_are_spent() {
        let rule = FaultRule {
            path: "*".into(),
            method: None,
            kind: FaultKind::Reset,
            probability: 0.5,
            times: None,
        };
        let run = || {
            let mut f = Faults::new(7);
            f.rules.push(rule.clone());
            (0..50)
                .map(|_| !f.roll(&Method::GET, "/x").is_empty())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
        let mut f = Faults::new(1);
        f.rules.push(FaultRule {
            probability: 1.0,
            times: Some(2),
            ..rule
        });
        assert_eq!(
            (0..4)
                .filter(|_| !f.roll(&Method::GET, "/x").is_empty())
                .count(),
            2
        );
        assert!(f.rules.is_empty());
    }
}

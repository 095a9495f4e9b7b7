//! Per-resource `timeouts` blocks, as framework-based providers offer them:
//! `timeouts { create = "10m" }` sets how long one create (read, update, delete) may
//! take. Written in Go's duration syntax (`"90s"`, `"10m"`, `"1h30m"`), which is
//! what Terraform users write everywhere else; no maintained crate parses exactly
//! that grammar, so the few lines are here. The server validates the block, applies
//! the limit, and carries the block from plan into state, so resources never see it.

use std::time::Duration;

use super::diag::{AttributePath, Diagnostic};
use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::value::Value;

/// The block's name.
pub const BLOCK: &str = "timeouts";

/// The operations a resource's block offers.
pub const OPERATIONS: [&str; 4] = ["create", "read", "update", "delete"];

/// The `timeouts` block with one optional duration per operation; `unset` says
/// what happens when a duration is not given.
pub fn block(unset: &str) -> NestedBlock {
    NestedBlock {
        name: BLOCK.to_string(),
        nesting: Nesting::Single,
        block: Block {
            attributes: OPERATIONS
                .iter()
                .map(|op| {
                    Attribute::string(op).optional().description(&format!(
                        "How long one {op} may take, such as `\"30s\"` or `\"10m\"` (Go duration syntax). {unset}"
                    ))
                })
                .collect(),
            description: "Time limits for this resource's operations.".to_string(),
            ..Block::default()
        },
        min_items: 0,
        max_items: 0,
    }
}

/// The limit `value` (a plan or state) sets for `op`, if any and valid.
pub fn limit(value: &Value, op: &str) -> Option<Duration> {
    parse_duration(value.attr(BLOCK).attr(op).as_str()?).ok()
}

/// Diagnostics for configured durations that do not parse.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    OPERATIONS
        .iter()
        .filter_map(|op| {
            let text = config.attr(BLOCK).attr(op).as_str()?;
            let err = parse_duration(text).err()?;
            Some(
                Diagnostic::error("Invalid Timeout", format!("`timeouts.{op}`: {err}"))
                    .at(AttributePath::root(BLOCK).attr(op)),
            )
        })
        .collect()
}

/// Parses Go's duration syntax: one or more decimal numbers, each with a unit
/// (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), such as `"1h30m"` or `"1.5s"`. Negative
/// and zero durations are refused, since a limit of zero could never be met.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "\"{text}\" is not a duration: write a number and a unit, such as \"30s\", \"10m\" or \"1h30m\"."
        )
    };
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    if !(total > 0.0 && total.is_finite()) {
        return Err(format!("\"{text}\" is not a positive duration."));
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

// The `timeouts` block belongs to this module; the schema only carries it.
impl Schema {
    /// The same schema with a `timeouts` block (see `timeouts`); `unset` says what
    /// happens when a duration is not given.
    pub fn with_timeouts(mut self, unset: &str) -> Schema {
        self.block.blocks.push(block(unset));
        self
    }

    /// True when the schema has a `timeouts` block.
    pub fn has_timeouts(&self) -> bool {
        self.block.blocks.iter().any(|b| b.name == BLOCK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        let secs = |t: &str| parse_duration(t).map(|d| d.as_secs_f64());
        assert_eq!(secs("30s"), Ok(30.0));
        assert_eq!(secs("10m"), Ok(600.0));
        assert_eq!(secs("1h30m"), Ok(5400.0));
        assert_eq!(secs("1.5s"), Ok(1.5));
        assert_eq!(secs("250ms"), Ok(0.25));
        for bad in [
            "", "10", "m", "10 m", "-5s", "0s", "1d", "5min", "1..5s", "s10",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_duration("10").unwrap_err(),
            "\"10\" is not a duration: write a number and a unit, such as \"30s\", \"10m\" or \"1h30m\"."
        );
    }

    #[test]
    fn limits_come_from_the_block() {
        let v = Value::object([(
            BLOCK,
            Value::object([("create", Value::from("2s")), ("delete", Value::Null)]),
        )]);
        assert_eq!(limit(&v, "create"), Some(Duration::from_secs(2)));
        assert_eq!(limit(&v, "delete"), None);
        assert_eq!(limit(&Value::Null, "create"), None);
    }
}

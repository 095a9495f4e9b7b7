//! What the framework plans on a resource's behalf from its schema: defaults for unset
//! optional-computed attributes, unknown computed attributes on create, and
//! `requires_replace` for attributes marked so. Resources refine the result.

use super::diag::AttributePath;
use super::schema::{AttrType, Attribute, Schema};
use super::value::Value;

/// Builds the framework's plan from Terraform's proposed new state.
pub fn plan_from_schema(
    schema: &Schema,
    prior: &Value,
    config: &Value,
    proposed: &Value,
) -> (Value, Vec<AttributePath>) {
    let creating = prior.is_null();
    let planned = fill_object(&schema.block.attributes, config, proposed, creating);
    let mut replace = Vec::new();
    if !creating {
        for a in schema
            .block
            .attributes
            .iter()
            .filter(|a| a.requires_replace)
        {
            let before = prior.attr(&a.name);
            let after = planned.attr(&a.name);
            if after.is_unknown() || before != after {
                replace.push(AttributePath::root(&a.name));
            }
        }
    }
    (planned, replace)
}

fn fill_object(attrs: &[Attribute], config: &Value, proposed: &Value, creating: bool) -> Value {
    let Value::Object(fields) = proposed else {
        return proposed.clone();
    };
    let mut out = fields.clone();
    for a in attrs {
        let configured = config.attr(&a.name);
        let slot = out.entry(a.name.clone()).or_insert(Value::Null);
        if configured.is_null() {
            if let Some(default) = &a.default {
                *slot = default.clone();
                continue;
            }
            if creating && a.computed && slot.is_null() {
                *slot = Value::Unknown;
                continue;
            }
        }
        if let AttrType::Nested(_, inner) = &a.ty {
            *slot = fill_collection(inner, slot, creating);
        }
    }
    Value::Object(out)
}

/// Nested elements carry their own configuration in the proposed value: an attribute
/// that is null there was not configured (or was computed), so defaults apply to it.
fn fill_collection(attrs: &[Attribute], v: &Value, creating: bool) -> Value {
    let each = |o: &Value| fill_object(attrs, o, o, creating);
    match v {
        Value::List(items) => Value::List(items.iter().map(each).collect()),
        Value::Set(items) => Value::Set(items.iter().map(each).collect()),
        Value::Map(m) => Value::Map(m.iter().map(|(k, o)| (k.clone(), each(o))).collect()),
        Value::Object(_) => each(v),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Nesting;

    fn schema() -> Schema {
        Schema::new(
            "t",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("hostname").required().requires_replace(),
                Attribute::string("domain")
                    .default("apps.internal")
                    .requires_replace(),
                Attribute::nested(
                    "destinations",
                    Nesting::Set,
                    vec![
                        Attribute::string("app_id").required(),
                        Attribute::number("port").default(8080),
                    ],
                )
                .optional(),
            ],
        )
    }

    fn config(host: &str) -> Value {
        Value::object([
            ("id", Value::Null),
            ("hostname", Value::from(host)),
            ("domain", Value::Null),
            (
                "destinations",
                Value::Set(vec![Value::object([
                    ("app_id", Value::from("a")),
                    ("port", Value::Null),
                ])]),
            ),
        ])
    }

    #[test]
    fn create_fills_defaults_and_unknown_computed() {
        let (planned, replace) =
            plan_from_schema(&schema(), &Value::Null, &config("b"), &config("b"));
        assert!(planned.attr("id").is_unknown());
        assert_eq!(planned.attr("domain").as_str(), Some("apps.internal"));
        assert_eq!(
            planned.attr("destinations").elements().unwrap()[0]
                .attr("port")
                .as_i64(),
            Some(8080)
        );
        assert!(replace.is_empty());
    }

    #[test]
    fn update_keeps_computed_and_flags_replacements() {
        let (prior, _) = plan_from_schema(&schema(), &Value::Null, &config("b"), &config("b"));
        let mut prior = prior;
        prior.set_attr("id", Value::from("r1"));
        let mut proposed = config("c");
        proposed.set_attr("id", Value::from("r1"));
        let (planned, replace) = plan_from_schema(&schema(), &prior, &config("c"), &proposed);
        assert_eq!(planned.attr("id").as_str(), Some("r1"));
        assert_eq!(replace, vec![AttributePath::root("hostname")]);
    }
}

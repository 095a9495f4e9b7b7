//! `parse_policy_id` and `policy_id`: a network policy's id
//! (`SOURCE:DESTINATION:PROTOCOL:START-END`) and its parts.

use std::collections::BTreeMap;

use crate::checks;
use crate::framework::{Function, FunctionError, Parameter, Type, Value};
use crate::resources::network_policy::{PortRange, parse_id, policy_id};

/// `parse_policy_id(id)`.
#[derive(Debug)]
pub(crate) struct ParsePolicyId;

fn parts_type() -> Type {
    Type::object([
        ("source_app_id", Type::String),
        ("destination_app_id", Type::String),
        ("protocol", Type::String),
        ("start_port", Type::Number),
        ("end_port", Type::Number),
    ])
}

impl Function for ParsePolicyId {
    fn name(&self) -> &'static str {
        "parse_policy_id"
    }

    fn summary(&self) -> &'static str {
        "The parts of a network policy's id."
    }

    fn description(&self) -> &'static str {
        "Splits the id of a `cloudgov_network_policy` (`SOURCE_APP_GUID:DESTINATION_APP_GUID:PROTOCOL:PORTS`, \
         where PORTS is one port or a range) into an object with `source_app_id`, `destination_app_id`, \
         `protocol`, `start_port` and `end_port`."
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter {
            name: "id",
            ty: Type::String,
            description: "A network policy's id, such as `cloudgov_network_policy.NAME.id`.",
        }]
    }

    fn return_type(&self) -> Type {
        parts_type()
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let id = args[0].as_str().unwrap_or_default();
        let (src, dst, protocol, range) = parse_id(id).map_err(|e| FunctionError::at(0, e))?;
        Ok(Value::Object(BTreeMap::from([
            ("source_app_id".to_string(), Value::from(src)),
            ("destination_app_id".to_string(), Value::from(dst)),
            ("protocol".to_string(), Value::from(protocol)),
            (
                "start_port".to_string(),
                Value::from(i64::from(range.start)),
            ),
            ("end_port".to_string(), Value::from(i64::from(range.end))),
        ])))
    }
}

/// `policy_id(source_app_id, destination_app_id, protocol, port)`.
#[derive(Debug)]
pub(crate) struct PolicyId;

impl Function for PolicyId {
    fn name(&self) -> &'static str {
        "policy_id"
    }

    fn summary(&self) -> &'static str {
        "A network policy's id from its parts, for import blocks."
    }

    fn description(&self) -> &'static str {
        "The id `cloudgov_network_policy` gives the policy from `source_app_id` to `destination_app_id` on \
         `protocol` (`tcp` or `udp`) and `port` (`\"8080\"` or `\"8080-8090\"`): the inverse of \
         `parse_policy_id`, for `import` blocks."
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![
            Parameter {
                name: "source_app_id",
                ty: Type::String,
                description: "GUID of the source app.",
            },
            Parameter {
                name: "destination_app_id",
                ty: Type::String,
                description: "GUID of the destination app.",
            },
            Parameter {
                name: "protocol",
                ty: Type::String,
                description: "`tcp` or `udp`.",
            },
            Parameter {
                name: "port",
                ty: Type::String,
                description: "One port (`\"61443\"`) or a range (`\"8080-8090\"`).",
            },
        ]
    }

    fn return_type(&self) -> Type {
        Type::String
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let arg = |i: usize| args[i].as_str().unwrap_or_default();
        for (i, what) in [(0, "source_app_id"), (1, "destination_app_id")] {
            if !checks::is_guid(arg(i)) {
                return Err(FunctionError::at(
                    i,
                    format!("`{what}` is \"{}\", which is not an app GUID.", arg(i)),
                ));
            }
        }
        if !matches!(arg(2), "tcp" | "udp") {
            return Err(FunctionError::at(
                2,
                format!("`protocol` is \"{}\"; it is \"tcp\" or \"udp\".", arg(2)),
            ));
        }
        let range = PortRange::parse(arg(3)).map_err(|e| FunctionError::at(3, e))?;
        Ok(Value::from(policy_id(arg(0), arg(1), arg(2), range)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "1f0e2d3c-0000-4000-8000-000000000001";
    const DST: &str = "2a1b3c4d-0000-4000-8000-000000000002";

    #[test]
    fn ids_and_parts_round_trip() {
        let id = PolicyId
            .call(&[SRC.into(), DST.into(), "tcp".into(), "61443".into()])
            .unwrap();
        assert_eq!(id, Value::from(format!("{SRC}:{DST}:tcp:61443-61443")));
        let parts = ParsePolicyId.call(&[id]).unwrap();
        assert_eq!(parts.attr("source_app_id"), &Value::from(SRC));
        assert_eq!(parts.attr("start_port"), &Value::from(61443));
        assert_eq!(parts.attr("end_port"), &Value::from(61443));
    }

    #[test]
    fn errors_name_the_argument() {
        let e = PolicyId
            .call(&[SRC.into(), "backend".into(), "tcp".into(), "8080".into()])
            .unwrap_err();
        assert_eq!(e.argument, Some(1));
        assert!(e.text.contains("not an app GUID"), "{}", e.text);
        let e = PolicyId
            .call(&[SRC.into(), DST.into(), "icmp".into(), "8080".into()])
            .unwrap_err();
        assert_eq!(e.argument, Some(2));
        let e = PolicyId
            .call(&[SRC.into(), DST.into(), "tcp".into(), "90-80".into()])
            .unwrap_err();
        assert_eq!(e.argument, Some(3));
        let e = ParsePolicyId.call(&["a:b".into()]).unwrap_err();
        assert_eq!(e.argument, Some(0));
    }
}

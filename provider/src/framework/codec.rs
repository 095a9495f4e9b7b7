//! Encoding and decoding of `DynamicValue`s: msgpack (with cty's unknown-value
//! extension) and JSON, always guided by the expected type. Hand-written on top of
//! `rmpv` and `serde_json` because no maintained crate knows cty's conventions
//! (unknowns as extensions, numbers as decimal strings, dynamic values as
//! `[type, value]` pairs).

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use super::value::{Number, Type, Value};

/// A value did not match the type it was decoded or encoded as.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CodecError {
    /// The bytes are not valid msgpack or JSON.
    #[error("malformed {format}: {message}")]
    Malformed {
        /// `msgpack` or `JSON`.
        format: &'static str,
        /// What the parser said.
        message: String,
    },
    /// A value of the wrong kind for its type, at a path such as `.destinations[0].port`.
    #[error("at {path}: expected {expected}, found {found}")]
    Mismatch {
        /// Where, as `.a.b[0]`; empty at the root.
        path: String,
        /// The expected type.
        expected: String,
        /// What was found instead.
        found: String,
    },
}

fn mismatch(path: &str, ty: &Type, found: impl Into<String>) -> CodecError {
    CodecError::Mismatch {
        path: if path.is_empty() {
            "(root)".into()
        } else {
            path.to_string()
        },
        expected: ty.to_json().to_string(),
        found: found.into(),
    }
}

/// The msgpack extension code cty uses for unknown values.
const UNKNOWN_EXT: i8 = 0;

/// Decodes msgpack bytes as a value of `ty`.
pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut cursor = bytes;
    let mp = rmpv::decode::read_value(&mut cursor).map_err(|e| CodecError::Malformed {
        format: "msgpack",
        message: e.to_string(),
    })?;
    decode_mp(&mp, ty, "")
}

/// Encodes a value of `ty` as msgpack bytes.
pub fn to_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mp = encode_mp(value, ty, "")?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &mp).map_err(|e| CodecError::Malformed {
        format: "msgpack",
        message: e.to_string(),
    })?;
    Ok(out)
}

fn decode_mp(mp: &Mp, ty: &Type, path: &str) -> Result<Value, CodecError> {
    match mp {
        Mp::Nil => return Ok(Value::Null),
        // Any extension is an unknown: plain (code 0, one zero byte) or refined
        // (with a payload describing what is already known).
        Mp::Ext(_, _) => return Ok(Value::Unknown),
        _ => {}
    }
    match ty {
        Type::Bool => mp
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| mismatch(path, ty, kind(mp))),
        Type::Number => decode_number(mp)
            .map(Value::Number)
            .ok_or_else(|| mismatch(path, ty, kind(mp))),
        Type::String => match mp {
            Mp::String(s) => s
                .as_str()
                .map(|s| Value::String(s.to_string()))
                .ok_or_else(|| mismatch(path, ty, "invalid UTF-8")),
            Mp::Binary(b) => String::from_utf8(b.clone())
                .map(Value::String)
                .map_err(|_| mismatch(path, ty, "invalid UTF-8")),
            _ => Err(mismatch(path, ty, kind(mp))),
        },
        Type::List(elem) | Type::Set(elem) => {
            let items = mp.as_array().ok_or_else(|| mismatch(path, ty, kind(mp)))?;
            let values = items
                .iter()
                .enumerate()
                .map(|(i, v)| decode_mp(v, elem, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(values)
            } else {
                Value::List(values)
            })
        }
        Type::Tuple(elems) => {
            let items = mp.as_array().ok_or_else(|| mismatch(path, ty, kind(mp)))?;
            if items.len() != elems.len() {
                return Err(mismatch(path, ty, format!("{} elements", items.len())));
            }
            let values = items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (v, t))| decode_mp(v, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(values))
        }
        Type::Map(elem) => {
            let entries = mp.as_map().ok_or_else(|| mismatch(path, ty, kind(mp)))?;
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = k
                    .as_str()
                    .ok_or_else(|| mismatch(path, ty, "a non-string key"))?;
                out.insert(
                    key.to_string(),
                    decode_mp(v, elem, &format!("{path}[\"{key}\"]"))?,
                );
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let entries = mp.as_map().ok_or_else(|| mismatch(path, ty, kind(mp)))?;
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = k
                    .as_str()
                    .ok_or_else(|| mismatch(path, ty, "a non-string key"))?;
                let attr_ty = attrs
                    .get(key)
                    .ok_or_else(|| mismatch(path, ty, format!("unexpected attribute \"{key}\"")))?;
                out.insert(
                    key.to_string(),
                    decode_mp(v, attr_ty, &format!("{path}.{key}"))?,
                );
            }
            for name in attrs.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            // A dynamic value travels as [JSON type, value].
            let pair = mp
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| mismatch(path, ty, kind(mp)))?;
            let type_json = match &pair[0] {
                Mp::String(s) => s.as_bytes().to_vec(),
                Mp::Binary(b) => b.clone(),
                other => return Err(mismatch(path, ty, kind(other))),
            };
            let json: serde_json::Value = serde_json::from_slice(&type_json)
                .map_err(|e| mismatch(path, ty, e.to_string()))?;
            let inner = Type::from_json(&json).map_err(|e| mismatch(path, ty, e.to_string()))?;
            decode_mp(&pair[1], &inner, path)
        }
    }
}

fn decode_number(mp: &Mp) -> Option<Number> {
    match mp {
        Mp::Integer(i) => Some(match i.as_i64() {
            Some(v) => Number::Int(v),
            None => Number::Big(i.as_u64()?.to_string()),
        }),
        Mp::F64(f) => Some(float_number(*f)),
        Mp::F32(f) => Some(float_number(f64::from(*f))),
        Mp::String(s) => Number::parse(s.as_str()?),
        _ => None,
    }
}

fn float_number(f: f64) -> Number {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "a whole number well inside i64"
        )]
        let i = f as i64;
        Number::Int(i)
    } else {
        Number::Float(f)
    }
}

fn kind(mp: &Mp) -> &'static str {
    match mp {
        Mp::Nil => "null",
        Mp::Boolean(_) => "a bool",
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "a number",
        Mp::String(_) => "a string",
        Mp::Binary(_) => "binary data",
        Mp::Array(_) => "an array",
        Mp::Map(_) => "a map",
        Mp::Ext(_, _) => "an extension",
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
    }
}

fn encode_mp(value: &Value, ty: &Type, path: &str) -> Result<Mp, CodecError> {
    match value {
        Value::Null => return Ok(Mp::Nil),
        Value::Unknown => return Ok(Mp::Ext(UNKNOWN_EXT, vec![0])),
        _ => {}
    }
    let wrong = || mismatch(path, ty, value_kind(value));
    match (ty, value) {
        (Type::Bool, Value::Bool(b)) => Ok(Mp::Boolean(*b)),
        (Type::Number, Value::Number(n)) => Ok(match n {
            Number::Int(i) => Mp::from(*i),
            Number::Float(f) => Mp::F64(*f),
            Number::Big(s) => Mp::from(s.as_str()),
        }),
        (Type::String, Value::String(s)) => Ok(Mp::from(s.as_str())),
        (Type::List(elem), Value::List(items)) | (Type::Set(elem), Value::Set(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| encode_mp(v, elem, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Mp::Array),
        (Type::Tuple(elems), Value::Tuple(items)) if elems.len() == items.len() => items
            .iter()
            .zip(elems)
            .enumerate()
            .map(|(i, (v, t))| encode_mp(v, t, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Mp::Array),
        (Type::Map(elem), Value::Map(entries)) => entries
            .iter()
            .map(|(k, v)| {
                Ok((
                    Mp::from(k.as_str()),
                    encode_mp(v, elem, &format!("{path}[\"{k}\"]"))?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Mp::Map),
        (Type::Object(attrs), Value::Object(entries)) => {
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(mismatch(
                    path,
                    ty,
                    format!("unexpected attribute \"{extra}\""),
                ));
            }
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = entries.get(k).unwrap_or(&Value::Null);
                    Ok((
                        Mp::from(k.as_str()),
                        encode_mp(v, t, &format!("{path}.{k}"))?,
                    ))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Mp::Map)
        }
        (Type::Dynamic, v) => {
            let inner = v.infer_type();
            let type_json = inner.to_json().to_string();
            Ok(Mp::Array(vec![
                Mp::from(type_json.as_str()),
                encode_mp(v, &inner, path)?,
            ]))
        }
        _ => Err(wrong()),
    }
}

/// Decodes JSON bytes (as in stored state) as a value of `ty`.
pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let json: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| CodecError::Malformed {
            format: "JSON",
            message: e.to_string(),
        })?;
    from_json_value(&json, ty)
}

/// Decodes an already-parsed JSON value as a value of `ty`.
pub fn from_json_value(json: &serde_json::Value, ty: &Type) -> Result<Value, CodecError> {
    decode_json(json, ty, "")
}

fn decode_json(json: &serde_json::Value, ty: &Type, path: &str) -> Result<Value, CodecError> {
    use serde_json::Value as J;
    if json.is_null() {
        return Ok(Value::Null);
    }
    let wrong = || mismatch(path, ty, json_kind(json));
    match ty {
        Type::Bool => json.as_bool().map(Value::Bool).ok_or_else(wrong),
        Type::Number => match json {
            J::Number(n) => Number::parse(&n.to_string())
                .map(Value::Number)
                .ok_or_else(wrong),
            J::String(s) => Number::parse(s).map(Value::Number).ok_or_else(wrong),
            _ => Err(wrong()),
        },
        Type::String => match json {
            J::String(s) => Ok(Value::String(s.clone())),
            // Terraform's JSON state writes primitive values as they are; accept the
            // conversions cty itself would make.
            J::Number(n) => Ok(Value::String(n.to_string())),
            J::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(wrong()),
        },
        Type::List(elem) | Type::Set(elem) => {
            let items = json.as_array().ok_or_else(wrong)?;
            let values = items
                .iter()
                .enumerate()
                .map(|(i, v)| decode_json(v, elem, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(values)
            } else {
                Value::List(values)
            })
        }
        Type::Tuple(elems) => {
            let items = json
                .as_array()
                .filter(|a| a.len() == elems.len())
                .ok_or_else(wrong)?;
            let values = items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (v, t))| decode_json(v, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(values))
        }
        Type::Map(elem) => {
            let entries = json.as_object().ok_or_else(wrong)?;
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                out.insert(
                    k.clone(),
                    decode_json(v, elem, &format!("{path}[\"{k}\"]"))?,
                );
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let entries = json.as_object().ok_or_else(wrong)?;
            let mut out = BTreeMap::new();
            for (name, attr_ty) in attrs {
                let v = entries.get(name).unwrap_or(&J::Null);
                out.insert(
                    name.clone(),
                    decode_json(v, attr_ty, &format!("{path}.{name}"))?,
                );
            }
            // Attributes a newer or older schema had are dropped: state upgrades decide
            // what to keep, and the current schema is what the value must fit.
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let entries = json.as_object().ok_or_else(wrong)?;
            let inner = Type::from_json(entries.get("type").ok_or_else(wrong)?)
                .map_err(|e| mismatch(path, ty, e.to_string()))?;
            decode_json(entries.get("value").unwrap_or(&J::Null), &inner, path)
        }
    }
}

fn json_kind(json: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
    match json {
        J::Null => "null",
        J::Bool(_) => "a bool",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// Encodes a wholly known value as JSON (unknowns become `null`; they never reach
/// JSON encodings in the protocol).
pub fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null | Value::Unknown => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(Number::Int(i)) => J::from(*i),
        Value::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(J::Null, J::Number)
        }
        Value::Number(Number::Big(s)) | Value::String(s) => J::String(s.clone()),
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
            J::Array(v.iter().map(to_json).collect())
        }
        Value::Map(m) | Value::Object(m) => {
            J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn port_object() -> Type {
        Type::object([
            ("app_id", Type::String),
            ("port", Type::Number),
            ("process_type", Type::String),
        ])
    }

    fn route_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("destinations", Type::set(port_object())),
            ("tags", Type::list(Type::String)),
            ("labels", Type::map(Type::String)),
            ("enabled", Type::Bool),
        ])
    }

    #[test]
    fn unknown_encodes_as_cty_extension_zero() {
        assert_eq!(
            to_msgpack(&Value::Unknown, &Type::String).unwrap(),
            vec![0xd4, 0x00, 0x00]
        );
    }

    #[test]
    fn refined_unknown_with_payload_decodes_as_unknown() {
        // A refined unknown: extension 12 carrying a msgpack map payload.
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &Mp::Ext(12, vec![0x81, 0x01, 0xc3])).unwrap();
        assert_eq!(from_msgpack(&bytes, &Type::String).unwrap(), Value::Unknown);
        assert_eq!(from_msgpack(&bytes, &route_type()).unwrap(), Value::Unknown);
    }

    #[test]
    fn numbers_sent_as_strings_decode() {
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &Mp::from("61443")).unwrap();
        let v = from_msgpack(&bytes, &Type::Number).unwrap();
        assert_eq!(v.as_i64(), Some(61443));

        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &Mp::from("123456789012345678901234567890")).unwrap();
        let v = from_msgpack(&bytes, &Type::Number).unwrap();
        assert_eq!(
            v,
            Value::Number(Number::Big("123456789012345678901234567890".into()))
        );
        // and it goes back out as the same text
        assert_eq!(to_msgpack(&v, &Type::Number).unwrap(), bytes);
    }

    #[test]
    fn float_that_is_whole_compares_equal_to_int() {
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &Mp::F64(8080.0)).unwrap();
        assert_eq!(
            from_msgpack(&bytes, &Type::Number).unwrap(),
            Value::from(8080)
        );
    }

    #[test]
    fn missing_object_attributes_decode_as_null_and_extra_ones_are_refused() {
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &Mp::Map(vec![(Mp::from("id"), Mp::from("x"))]))
            .unwrap();
        let v = from_msgpack(&bytes, &route_type()).unwrap();
        assert_eq!(v.attr("id").as_str(), Some("x"));
        assert!(v.attr("destinations").is_null());

        let mut bytes = Vec::new();
        rmpv::encode::write_value(
            &mut bytes,
            &Mp::Map(vec![(Mp::from("nope"), Mp::from("x"))]),
        )
        .unwrap();
        let err = from_msgpack(&bytes, &route_type()).unwrap_err();
        assert!(
            err.to_string().contains("unexpected attribute \"nope\""),
            "{err}"
        );
    }

    #[test]
    fn mismatch_names_the_path() {
        let v = Value::object([
            ("id", Value::from("r")),
            (
                "destinations",
                Value::Set(vec![Value::object([
                    ("app_id", Value::from("a")),
                    ("port", Value::from("eighty")),
                    ("process_type", Value::from("web")),
                ])]),
            ),
        ]);
        let err = to_msgpack(&v, &route_type()).unwrap_err();
        assert_eq!(
            err,
            CodecError::Mismatch {
                path: ".destinations[0].port".into(),
                expected: "\"number\"".into(),
                found: "a string".into()
            }
        );
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::List(vec![Value::from("a"), Value::from("b")]);
        let bytes = to_msgpack(&v, &Type::Dynamic).unwrap();
        assert_eq!(from_msgpack(&bytes, &Type::Dynamic).unwrap(), v);
    }

    #[test]
    fn json_state_decodes_with_numbers_as_strings_and_missing_attributes() {
        let json = br#"{"id":"r1","destinations":[{"app_id":"a","port":"8080","process_type":"web"}],"enabled":true,"old_attribute":1}"#;
        let v = from_json(json, &route_type()).unwrap();
        assert_eq!(
            v.attr("destinations").elements().unwrap()[0]
                .attr("port")
                .as_i64(),
            Some(8080)
        );
        assert!(v.attr("tags").is_null());
        assert_eq!(v.attr("enabled").as_bool(), Some(true));
    }

    #[test]
    fn type_json_round_trips() {
        let t = route_type();
        assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
        let with_optional: serde_json::Value =
            serde_json::json!(["object", {"a": "string"}, ["a"]]);
        assert_eq!(
            Type::from_json(&with_optional).unwrap(),
            Type::object([("a", Type::String)])
        );
    }

    #[test]
    fn set_equality_ignores_order() {
        let a = Value::Set(vec![Value::from("x"), Value::from("y")]);
        let b = Value::Set(vec![Value::from("y"), Value::from("x")]);
        assert_eq!(a, b);
        assert_ne!(a, Value::List(vec![Value::from("x"), Value::from("y")]));
    }

    /// Values of `route_type()`, including nulls and unknowns at every level.
    fn arb_leaf(ty: &Type) -> BoxedStrategy<Value> {
        let known = match ty {
            Type::String => any::<String>().prop_map(Value::String).boxed(),
            Type::Number => prop_oneof![
                any::<i64>().prop_map(Value::from),
                (-1.0e12f64..1.0e12)
                    .prop_filter("fractional", |f| f.fract() != 0.0)
                    .prop_map(|f| Value::Number(Number::Float(f))),
            ]
            .boxed(),
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            _ => unreachable!(),
        };
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    }

    fn arb_dest() -> impl Strategy<Value = Value> {
        (
            arb_leaf(&Type::String),
            arb_leaf(&Type::Number),
            arb_leaf(&Type::String),
        )
            .prop_map(|(a, p, t)| Value::object([("app_id", a), ("port", p), ("process_type", t)]))
    }

    fn arb_route() -> impl Strategy<Value = Value> {
        (
            arb_leaf(&Type::String),
            prop_oneof![
                Just(Value::Null),
                Just(Value::Unknown),
                proptest::collection::vec(arb_dest(), 0..4).prop_map(Value::Set)
            ],
            prop_oneof![
                Just(Value::Null),
                proptest::collection::vec(arb_leaf(&Type::String), 0..4).prop_map(Value::List)
            ],
            prop_oneof![
                Just(Value::Null),
                proptest::collection::btree_map("[a-z]{1,8}", arb_leaf(&Type::String), 0..4)
                    .prop_map(Value::Map)
            ],
            arb_leaf(&Type::Bool),
        )
            .prop_map(|(id, d, t, l, e)| {
                Value::object([
                    ("id", id),
                    ("destinations", d),
                    ("tags", t),
                    ("labels", l),
                    ("enabled", e),
                ])
            })
    }

    proptest! {
        #[test]
        fn msgpack_round_trips(v in arb_route()) {
            let ty = route_type();
            let bytes = to_msgpack(&v, &ty).unwrap();
            prop_assert_eq!(from_msgpack(&bytes, &ty).unwrap(), v);
        }

        #[test]
        fn json_round_trips_known_values(v in arb_route().prop_filter("known", Value::is_wholly_known)) {
            let ty = route_type();
            let json = serde_json::to_vec(&to_json(&v)).unwrap();
            prop_assert_eq!(from_json(&json, &ty).unwrap(), v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = from_msgpack(&bytes, &route_type());
            let _ = from_json(&bytes, &route_type());
        }
    }
}

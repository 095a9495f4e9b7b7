//! Resource identity (protocol 6.9, Terraform 1.12+): a small object that names one
//! remote object, returned with every state so that `import { identity = { ... } }`
//! and `terraform query` can address objects without a provider-specific id string.
//! Older clients never ask for it; the server sends it to every client, which older
//! ones ignore.

use cloudgov_proto::tfplugin6 as pb;

use super::codec;
use super::diag::{Diagnostic, Diagnostics};
use super::value::{Type, Value};

/// One attribute of an identity.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityAttribute {
    /// Name in HCL.
    pub name: String,
    /// Its type (string or number here).
    pub ty: Type,
    /// Must be given to import by identity.
    pub required_for_import: bool,
    /// Markdown description.
    pub description: String,
}

impl IdentityAttribute {
    /// A string attribute required for import.
    pub fn string(name: &str, description: &str) -> IdentityAttribute {
        IdentityAttribute {
            name: name.to_string(),
            ty: Type::String,
            required_for_import: true,
            description: description.to_string(),
        }
    }

    /// A number attribute required for import.
    pub fn number(name: &str, description: &str) -> IdentityAttribute {
        IdentityAttribute {
            ty: Type::Number,
            ..IdentityAttribute::string(name, description)
        }
    }
}

/// A versioned identity schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IdentitySchema {
    /// Bumped whenever the attributes change.
    pub version: i64,
    /// The attributes.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// A version-0 identity of these attributes.
    pub fn new(attributes: Vec<IdentityAttribute>) -> IdentitySchema {
        IdentitySchema {
            version: 0,
            attributes,
        }
    }

    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    r#type: a.ty.to_json().to_string().into_bytes(),
                    required_for_import: a.required_for_import,
                    optional_for_import: !a.required_for_import,
                    description: a.description.clone(),
                })
                .collect(),
        }
    }

    /// The wire form of `identity`; None while any part of it is unknown (a route's
    /// GUID before it is created), since an identity names an object that exists.
    pub fn encode(&self, identity: &Value) -> Option<pb::ResourceIdentityData> {
        if identity.is_null() || !identity.is_wholly_known() {
            return None;
        }
        let msgpack = codec::to_msgpack(identity, &self.value_type()).ok()?;
        Some(pb::ResourceIdentityData {
            identity_data: Some(pb::DynamicValue {
                msgpack,
                json: Vec::new(),
            }),
        })
    }

    /// Decodes an identity sent by Terraform (msgpack, or JSON for stored ones).
    pub fn decode(&self, data: &pb::ResourceIdentityData) -> Result<Value, Diagnostics> {
        let Some(dv) = &data.identity_data else {
            return Ok(Value::Null);
        };
        let ty = self.value_type();
        let result = if !dv.msgpack.is_empty() {
            codec::from_msgpack(&dv.msgpack, &ty)
        } else {
            codec::from_json(&dv.json, &ty)
        };
        result.map_err(|e| Diagnostic::internal("decoding the resource identity", e).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> IdentitySchema {
        IdentitySchema::new(vec![
            IdentityAttribute::string("source_app_id", "source"),
            IdentityAttribute::number("start_port", "first port"),
        ])
    }

    #[test]
    fn identities_round_trip_and_unknown_ones_are_not_sent() {
        let s = schema();
        let v = Value::object([
            ("source_app_id", Value::from("a")),
            ("start_port", Value::from(8080_i64)),
        ]);
        let wire = s.encode(&v).expect("known identity");
        assert_eq!(s.decode(&wire).unwrap(), v);
        let unknown = Value::object([
            ("source_app_id", Value::Unknown),
            ("start_port", Value::from(1_i64)),
        ]);
        assert!(s.encode(&unknown).is_none());
        assert!(s.encode(&Value::Null).is_none());
        let proto = s.to_proto();
        assert_eq!(proto.identity_attributes[1].r#type, b"\"number\"".to_vec());
        assert!(
            proto
                .identity_attributes
                .iter()
                .all(|a| a.required_for_import)
        );
    }
}

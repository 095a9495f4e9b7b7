//! Typed models of resource and data-source values, so that resource code reads
//! `m.hostname` rather than `v.attr("hostname")`: a misspelt attribute no longer
//! compiles. `model!` declares a struct whose fields are `Attr<T>` (null, unknown or
//! known, as Terraform values are) and writes the one conversion each way; a test
//! per resource compares the model's fields with the schema's attributes. Written
//! here because terraform-plugin-framework's `tfsdk` tags have no Rust equivalent
//! that fits this framework's `Value`.

use super::value::Value;

/// A value as Terraform holds it during planning: null, unknown, or known.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Attr<T> {
    /// Not set.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// Known.
    Known(T),
}

impl<T> Attr<T> {
    /// The known value, if any.
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    /// True when not set.
    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }
}

impl Attr<String> {
    /// The known text, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T: FromValue> Attr<T> {
    /// Reads `v`; a value of the wrong shape reads as unknown (schemas rule it out).
    pub fn read(v: &Value) -> Attr<T> {
        match v {
            Value::Null => Attr::Null,
            Value::Unknown => Attr::Unknown,
            v => T::from_value(v).map_or(Attr::Unknown, Attr::Known),
        }
    }
}

impl<T: ToValue> Attr<T> {
    /// The value Terraform sees.
    pub fn to_value(&self) -> Value {
        match self {
            Attr::Null => Value::Null,
            Attr::Unknown => Value::Unknown,
            Attr::Known(v) => v.to_value(),
        }
    }
}

impl<T> From<T> for Attr<T> {
    fn from(v: T) -> Attr<T> {
        Attr::Known(v)
    }
}

/// A Rust value from a known Terraform value.
pub trait FromValue: Sized {
    /// None when `v` has another shape.
    fn from_value(v: &Value) -> Option<Self>;
}

/// A Terraform value from a Rust value.
pub trait ToValue {
    /// The value.
    fn to_value(&self) -> Value;
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<String> {
        v.as_str().map(str::to_string)
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<i64> {
        v.as_i64()
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::from(*self)
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<bool> {
        v.as_bool()
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::from(*self)
    }
}

/// Lists (and sets, which models hold in order) of models or plain values.
impl<T: FromValue> FromValue for Vec<Attr<T>> {
    fn from_value(v: &Value) -> Option<Vec<Attr<T>>> {
        v.elements()
            .map(|items| items.iter().map(Attr::read).collect())
    }
}

impl<T: ToValue> ToValue for Vec<Attr<T>> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(Attr::to_value).collect())
    }
}

/// The typed models a type reads its values through: for each, the path of the
/// nested attribute it describes (`""` for the top level, `"destinations"` for the
/// objects of that nested attribute) and the model's `FIELDS`. The provider's
/// registration test ties every registered type's schema to these.
pub type Models = &'static [(&'static str, &'static [&'static str])];

/// Asserts that a model's `FIELDS` are exactly the names of `attrs`, in any order
/// (for the tests that tie each model to its schema).
#[cfg(test)]
pub(crate) fn assert_fields_match(attrs: &[super::Attribute], fields: &[&str]) {
    let mut names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
    let mut fields = fields.to_vec();
    names.sort_unstable();
    fields.sort_unstable();
    assert_eq!(names, fields);
}

/// Declares a model: a struct of `Attr` fields named as the schema's attributes,
/// `FIELDS` (for the schema test), `from_value`, and `write_into` (which keeps
/// attributes the model does not name, such as the framework's `timeouts`).
#[macro_export]
macro_rules! model {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        $vis struct $name {
            $( $(#[$fmeta])* $vis $field: $crate::framework::model::Attr<$ty>, )*
        }

        impl $name {
            /// The attribute names, as the schema must have them.
            #[allow(dead_code)]
            $vis const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Reads a plan, state or configuration value.
            $vis fn from_value(v: &$crate::framework::Value) -> $name {
                $name { $( $field: $crate::framework::model::Attr::read(v.attr(stringify!($field))), )* }
            }

            /// The value of these fields alone.
            $vis fn to_value(&self) -> $crate::framework::Value {
                $crate::framework::Value::object([
                    $( (stringify!($field), self.$field.to_value()), )*
                ])
            }

            /// Writes these fields into `v`, keeping the attributes it does not name.
            #[allow(dead_code)]
            $vis fn write_into(&self, v: &mut $crate::framework::Value) {
                $( v.set_attr(stringify!($field), self.$field.to_value()); )*
            }
        }

        impl $crate::framework::model::FromValue for $name {
            fn from_value(v: &$crate::framework::Value) -> Option<$name> {
                matches!(v, $crate::framework::Value::Object(_)).then(|| $name::from_value(v))
            }
        }

        impl $crate::framework::model::ToValue for $name {
            fn to_value(&self) -> $crate::framework::Value {
                $name::to_value(self)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::model! {
        /// A test model.
        struct Route {
            hostname: String,
            port: i64,
            tags: Vec<Attr<String>>,
        }
    }

    #[test]
    fn models_read_and_write_every_state_of_a_value() {
        let v = Value::object([
            ("hostname", Value::from("api")),
            ("port", Value::Unknown),
            ("tags", Value::List(vec![Value::from("a"), Value::Null])),
            ("timeouts", Value::from("kept")),
        ]);
        let m = Route::from_value(&v);
        assert_eq!(m.hostname.as_str(), Some("api"));
        assert_eq!(m.port, Attr::Unknown);
        assert_eq!(m.tags.known().map(Vec::len), Some(2));
        let mut out = v.clone();
        m.write_into(&mut out);
        assert_eq!(
            out, v,
            "a round trip changes nothing and keeps other attributes"
        );
        assert_eq!(Route::FIELDS, ["hostname", "port", "tags"]);
        assert!(Route::from_value(&Value::Null).hostname.is_null());
    }
}

//! Provider-defined functions (protocol 6.5, Terraform 1.8+, OpenTofu 1.7+): the
//! `Function` trait a function implements, its description for `GetFunctions`, and
//! the call, with arguments decoded by their declared types and errors that name the
//! argument. Functions are pure: no client, no platform. Older Terraform versions
//! never ask for them.

use cloudgov_proto::tfplugin6 as pb;

use super::value::{Type, Value};

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name, as the docs and errors show it.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Markdown description.
    pub description: &'static str,
}

/// Why a call failed: the text Terraform shows, and the argument at fault (from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// What is wrong and what to write instead.
    pub text: String,
    /// The argument at fault, when one is.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about argument `index` (from 0).
    pub fn at(index: usize, text: impl Into<String>) -> FunctionError {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }

    /// The protocol's form.
    pub fn to_proto(&self) -> pb::FunctionError {
        pb::FunctionError {
            text: self.text.clone(),
            function_argument: self.argument.and_then(|i| i64::try_from(i).ok()),
        }
    }
}

/// A provider-defined function, such as `provider::cloudgov::policy_id`.
pub trait Function: Send + Sync + 'static {
    /// Its name (without the `provider::NAME::` prefix).
    fn name(&self) -> &'static str;

    /// One line for the docs and `terraform console`.
    fn summary(&self) -> &'static str;

    /// Markdown description.
    fn description(&self) -> &'static str;

    /// Its parameters, in order; arguments may be neither null nor unknown.
    fn parameters(&self) -> Vec<Parameter>;

    /// The type of its result.
    fn return_type(&self) -> Type;

    /// Calls it with arguments of the declared types.
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}

/// The bytes of a type's JSON description, as the protocol carries types.
fn type_bytes(ty: &Type) -> Vec<u8> {
    ty.to_json().to_string().into_bytes()
}

/// `f`'s description for `GetProviderSchema` and `GetFunctions`.
pub fn to_proto(f: &dyn Function) -> pb::Function {
    pb::Function {
        parameters: f
            .parameters()
            .into_iter()
            .map(|p| pb::function::Parameter {
                name: p.name.to_string(),
                r#type: type_bytes(&p.ty),
                allow_null_value: false,
                allow_unknown_values: false,
                description: p.description.to_string(),
                description_kind: pb::StringKind::Markdown as i32,
            })
            .collect(),
        variadic_parameter: None,
        r#return: Some(pb::function::Return {
            r#type: type_bytes(&f.return_type()),
        }),
        summary: f.summary().to_string(),
        description: f.description().to_string(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

//! `internal_hostname` and `internal_url`: an app's name on the internal domain.

use crate::checks;
use crate::framework::{Function, FunctionError, Parameter, Type, Value};
use crate::resources::internal_route::DEFAULT_DOMAIN;

/// The port on which the platform terminates TLS for internal routes.
const TLS_PORT: i64 = 61443;

/// `internal_hostname(name)`.
#[derive(Debug)]
pub(crate) struct InternalHostname;

/// `name` as a DNS label: lower case, any other character than a letter, digit or
/// hyphen replaced by a hyphen, runs of hyphens and hyphens at either end removed,
/// at most 63 characters.
pub(crate) fn hostname_of(name: &str) -> Option<String> {
    let mapped: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut label = String::with_capacity(mapped.len());
    for c in mapped.chars() {
        if !(c == '-' && (label.is_empty() || label.ends_with('-'))) {
            label.push(c);
        }
    }
    let label: String = label.chars().take(63).collect();
    let label = label.trim_end_matches('-').to_string();
    (!label.is_empty()).then_some(label)
}

impl Function for InternalHostname {
    fn name(&self) -> &'static str {
        "internal_hostname"
    }

    fn summary(&self) -> &'static str {
        "A valid internal hostname made from any name."
    }

    fn description(&self) -> &'static str {
        "Turns a name (an app's name, say) into a valid hostname for `cloudgov_internal_route`: lower case, \
         characters other than letters, digits and hyphens replaced by hyphens, no hyphen at either end, at \
         most 63 characters. An error when nothing remains."
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter {
            name: "name",
            ty: Type::String,
            description: "Any name, such as `\"My_API v2\"`.",
        }]
    }

    fn return_type(&self) -> Type {
        Type::String
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let name = args[0].as_str().unwrap_or_default();
        hostname_of(name).map(Value::from).ok_or_else(|| {
            FunctionError::at(
                0,
                format!("\"{name}\" holds no letter or digit, so no hostname can be made from it."),
            )
        })
    }
}

/// `internal_url(hostname, port)`.
#[derive(Debug)]
pub(crate) struct InternalUrl;

impl Function for InternalUrl {
    fn name(&self) -> &'static str {
        "internal_url"
    }

    fn summary(&self) -> &'static str {
        "The URL an app calls to reach an internal route on a port."
    }

    fn description(&self) -> &'static str {
        "`https://HOSTNAME.apps.internal:61443` when `port` is 61443 (the platform terminates TLS there), \
         else `http://HOSTNAME.apps.internal:PORT`. A hostname that already holds a domain \
         (`backend.apps.internal`) is used as it is."
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![
            Parameter {
                name: "hostname",
                ty: Type::String,
                description: "The route's hostname (`backend`) or full name (`backend.apps.internal`).",
            },
            Parameter {
                name: "port",
                ty: Type::Number,
                description: "The port the caller connects to: 61443 for TLS, else the app's port.",
            },
        ]
    }

    fn return_type(&self) -> Type {
        Type::String
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let host = args[0].as_str().unwrap_or_default();
        let fqdn = if host.contains('.') {
            host.to_string()
        } else {
            checks::hostname(host).map_err(|e| FunctionError::at(0, e))?;
            format!("{host}.{DEFAULT_DOMAIN}")
        };
        let port = args[1]
            .as_i64()
            .filter(|p| (1..=65535).contains(p))
            .ok_or_else(|| FunctionError::at(1, "`port` is a whole number from 1 to 65535."))?;
        Ok(Value::from(if port == TLS_PORT {
            format!("https://{fqdn}:{TLS_PORT}")
        } else {
            format!("http://{fqdn}:{port}")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_dns_labels() {
        assert_eq!(hostname_of("My_API v2").as_deref(), Some("my-api-v2"));
        assert_eq!(hostname_of("--backend--").as_deref(), Some("backend"));
        assert_eq!(hostname_of(&"a".repeat(80)).map(|h| h.len()), Some(63));
        assert_eq!(
            hostname_of(&format!("{}-b", "a".repeat(62))).as_deref(),
            Some(&*"a".repeat(62))
        );
        assert_eq!(hostname_of("!!!"), None);
        let e = InternalHostname.call(&["***".into()]).unwrap_err();
        assert_eq!(e.argument, Some(0));
    }

    #[test]
    fn urls_use_tls_on_61443_only() {
        let url = |h: &str, p: i64| InternalUrl.call(&[h.into(), Value::from(p)]);
        assert_eq!(
            url("backend", 61443).unwrap(),
            Value::from("https://backend.apps.internal:61443")
        );
        assert_eq!(
            url("backend", 8080).unwrap(),
            Value::from("http://backend.apps.internal:8080")
        );
        assert_eq!(
            url("api.apps.internal", 9090).unwrap(),
            Value::from("http://api.apps.internal:9090")
        );
        assert_eq!(url("Bad_Host", 8080).unwrap_err().argument, Some(0));
        assert_eq!(url("backend", 0).unwrap_err().argument, Some(1));
    }
}

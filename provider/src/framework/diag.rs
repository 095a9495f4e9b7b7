//! Diagnostics with attribute paths: the one place every error and warning shown to a
//! Terraform user is built. Summaries are Title Case ("Network Policy Create Error");
//! details say what happened and what to do next.

use std::fmt;

use cloudgov_proto::tfplugin6 as pb;

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An attribute of an object.
    Attr(String),
    /// A map element.
    Key(String),
    /// A list or tuple element.
    Index(i64),
}

/// The path from a resource's root to one of its attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributePath(pub Vec<Step>);

impl AttributePath {
    /// The path of a top-level attribute.
    pub fn root(name: &str) -> AttributePath {
        AttributePath(vec![Step::Attr(name.to_string())])
    }

    /// This path extended by an attribute name.
    pub fn attr(mut self, name: &str) -> AttributePath {
        self.0.push(Step::Attr(name.to_string()));
        self
    }

    /// This path extended by a list index.
    pub fn index(mut self, i: i64) -> AttributePath {
        self.0.push(Step::Index(i));
        self
    }

    /// This path extended by a map key.
    pub fn key(mut self, k: &str) -> AttributePath {
        self.0.push(Step::Key(k.to_string()));
        self
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::step::Selector;
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        Step::Attr(n) => Selector::AttributeName(n.clone()),
                        Step::Key(k) => Selector::ElementKeyString(k.clone()),
                        Step::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(n) if i == 0 => f.write_str(n)?,
                Step::Attr(n) => write!(f, ".{n}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the operation.
    Error,
    /// Shown, but the operation goes on.
    Warning,
}

/// One diagnostic for Terraform to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A short Title Case summary.
    pub summary: String,
    /// What happened and what to do next.
    pub detail: String,
    /// The attribute the diagnostic is about, when there is one.
    pub path: Option<AttributePath>,
}

impl Diagnostic {
    /// An error.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }

    /// A warning.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }

    /// The same diagnostic, attached to an attribute.
    pub fn at(mut self, path: AttributePath) -> Diagnostic {
        self.path = Some(path);
        self
    }

    /// An error for a value Terraform sent that the provider could not decode: a bug
    /// in Terraform or the provider, never in the user's configuration.
    pub fn internal(context: &str, err: impl fmt::Display) -> Diagnostic {
        Diagnostic::error(
            "Provider Internal Error",
            format!(
                "{context}: {err}\n\nThis is a bug in the provider; please report it together with the Terraform version in use."
            ),
        )
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.path.as_ref().map(AttributePath::to_proto),
        }
    }
}

/// The diagnostics of one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds all of another set.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// True when any is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// The protocol form.
    pub fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_terraform_addresses() {
        let p = AttributePath::root("destinations").index(0).attr("port");
        assert_eq!(p.to_string(), "destinations[0].port");
        assert_eq!(
            AttributePath::root("labels").key("team").to_string(),
            "labels[\"team\"]"
        );
    }

    #[test]
    fn proto_form_keeps_every_step() {
        let d = Diagnostic::error("Invalid Port", "detail").at(AttributePath::root("port"));
        let pb = d.to_proto();
        assert_eq!(pb.severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(pb.attribute.unwrap().steps.len(), 1);
    }
}

//! Plan-time checks shared by resources and data sources: the shape of the
//! platform's GUIDs and of hostnames (DNS labels). Knows nothing of what the platform holds; lookups that need it
//! live with each resource.

use crate::framework::{AttributePath, Diagnostic, Diagnostics, Value};

/// True for the platform's GUID shape: 8-4-4-4-12 hexadecimal digits.
pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A diagnostic at `path` when `value` is a known string that is empty or not a
/// GUID. `what` names the object (`"app"`, `"space"`, `"organization"`), `attr` the
/// argument, and `lead` (such as "Destination 2: ") starts the text.
pub(crate) fn guid(
    value: &Value,
    attr: &str,
    what: &str,
    lead: &str,
    path: AttributePath,
) -> Option<Diagnostic> {
    let text = value.as_str()?;
    let title = format!("{}{}", what[..1].to_ascii_uppercase(), &what[1..]);
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    if text.trim().is_empty() {
        return Some(
            Diagnostic::error(
                format!("Missing {title} Id"),
                format!("{lead}`{attr}` must be {article} {what} GUID, not empty."),
            )
            .at(path),
        );
    }
    if is_guid(text) {
        return None;
    }
    let source = match what {
        "organization" => "org",
        other => other,
    };
    Some(
        Diagnostic::error(
            format!("Invalid {title} Id"),
            format!(
                "{lead}\"{text}\" is not a GUID. `{attr}` takes the {what}'s GUID, not its name: for example \
                 `data.cloudgov_{source}.NAME.id`."
            ),
        )
        .at(path),
    )
}

/// A diagnostic for each `(attribute, what it names)` of `config` that is set but is
/// not a GUID, pointing at the attribute.
pub(crate) fn guid_attrs(config: &Value, attrs: &[(&str, &str)], diags: &mut Diagnostics) {
    for (attr, what) in attrs {
        if let Some(d) = guid(config.attr(attr), attr, what, "", AttributePath::root(attr)) {
            diags.push(d);
        }
    }
}

/// Checks a hostname against DNS label rules, with a message fit for a diagnostic.
pub(crate) fn hostname(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("The hostname must not be empty.".into());
    }
    if host.len() > 63 {
        return Err(format!(
            "\"{host}\" is {} characters long; a hostname is at most 63.",
            host.len()
        ));
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "\"{host}\" contains {c:?}: a hostname is lowercase letters, digits and hyphens (a DNS label)."
        ));
    }
    if host.starts_with('-') || host.ends_with('-') {
        return Err(format!(
            "\"{host}\" starts or ends with a hyphen, which DNS labels may not."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_shapes() {
        assert!(is_guid("0badc0de-0000-4000-8000-000000000000"));
        assert!(is_guid("0BADC0DE-0000-4000-8000-00000000000F"));
        for bad in [
            "",
            "dev",
            "0badc0de00004000800000000000000000000",
            "0badc0de-0000-4000-8000-00000000000",
            "0badc0de-0000-4000-8000-00000000000g",
            " 0badc0de-0000-4000-8000-00000000000",
        ] {
            assert!(!is_guid(bad), "{bad}");
        }
    }

    #[test]
    fn diagnostics_name_the_argument() {
        let d = guid(
            &Value::from("dev"),
            "space_id",
            "space",
            "",
            AttributePath::root("space_id"),
        )
        .unwrap();
        assert_eq!(d.summary, "Invalid Space Id");
        assert!(d.detail.contains("`space_id`"), "{}", d.detail);
        assert!(d.detail.contains("data.cloudgov_space.NAME.id"));
        let d = guid(
            &Value::from(""),
            "org_id",
            "organization",
            "",
            AttributePath::root("org_id"),
        )
        .unwrap();
        assert_eq!(d.summary, "Missing Organization Id");
        assert!(d.detail.contains("an organization GUID"), "{}", d.detail);
        assert!(guid(&Value::Unknown, "a", "app", "", AttributePath::root("a")).is_none());
        assert!(
            guid(
                &Value::from("0badc0de-0000-4000-8000-000000000000"),
                "a",
                "app",
                "",
                AttributePath::root("a")
            )
            .is_none()
        );
    }

    #[test]
    fn hostnames_follow_dns_label_rules() {
        assert!(hostname("backend").is_ok());
        assert!(hostname("api-v2").is_ok());
        assert!(hostname(&"a".repeat(63)).is_ok());
        assert!(
            hostname(&"a".repeat(64))
                .unwrap_err()
                .contains("at most 63")
        );
        assert!(hostname("Backend").unwrap_err().contains("'B'"));
        assert!(hostname("my_app").unwrap_err().contains("'_'"));
        assert!(hostname("a.b").is_err());
        assert!(hostname("-x").is_err());
        assert!(hostname("").is_err());
    }
}

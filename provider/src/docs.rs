//! Registry-format documentation generated from the provider's own schema: every
//! page's Schema section comes from the attributes' descriptions, examples come from
//! `examples/`, and hand-written prose comes from `docs/templates/`. The docs test
//! regenerates everything and fails when the committed files differ
//! (`make docs` writes them).

use std::collections::BTreeMap;
use std::path::Path;

use crate::framework::schema::{AttrType, Attribute, Block, Nesting};
use crate::framework::{Provider, Schema, Type};
use crate::provider::CloudGov;

fn type_name(a: &Attribute) -> String {
    match &a.ty {
        AttrType::Plain(t) => plain(t),
        AttrType::Nested(n, _) => match n {
            Nesting::Single => "Attributes".into(),
            Nesting::List => "Attributes List".into(),
            Nesting::Set => "Attributes Set".into(),
            Nesting::Map => "Attributes Map".into(),
        },
    }
}

fn plain(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", plain(e)),
        Type::Set(e) => format!("Set of {}", plain(e)),
        Type::Map(e) => format!("Map of {}", plain(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// Chooses the attributes of one section.
type Pick = fn(&Attribute) -> bool;

/// The Required / Optional / Read-Only sections of a block, nested attributes
/// expanded below them.
fn schema_sections(
    block: &Block,
    top: bool,
    out: &mut String,
    nested: &mut Vec<(String, Vec<Attribute>)>,
) {
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, pick) in groups {
        let mut attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        if attrs.is_empty() {
            continue;
        }
        attrs.sort_by(|a, b| a.name.cmp(&b.name));
        out.push_str(&if top {
            format!("### {title}\n\n")
        } else {
            format!("{title}:\n\n")
        });
        for a in attrs {
            let sensitive = if a.sensitive { ", Sensitive" } else { "" };
            let mut line = format!("- `{}` ({}{sensitive})", a.name, type_name(a));
            if !a.description.is_empty() {
                line.push(' ');
                line.push_str(&a.description);
            }
            if let Some(d) = &a.default {
                let shown = crate::framework::codec::to_json(d);
                line.push_str(&format!(" Default: `{shown}`."));
            }
            if let AttrType::Nested(_, inner) = &a.ty {
                line.push_str(&format!(
                    " (see [below for nested schema](#nestedatt--{}))",
                    a.name
                ));
                nested.push((a.name.clone(), inner.clone()));
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
}

fn schema_markdown(schema: &Schema) -> String {
    let mut out = String::from("## Schema\n\n");
    let mut nested = Vec::new();
    schema_sections(&schema.block, true, &mut out, &mut nested);
    while let Some((name, attrs)) = nested.pop() {
        out.push_str(&format!(
            "<a id=\"nestedatt--{name}\"></a>\n### Nested Schema for `{name}`\n\n"
        ));
        schema_sections(&Block::of(attrs), false, &mut out, &mut nested);
    }
    out.trim_end().to_string() + "\n"
}

fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].trim().to_string()
}

fn read(root: &Path, rel: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(rel)).map_err(|e| format!("{rel}: {e}"))
}

fn page(root: &Path, kind: &str, name: &str, schema: &Schema) -> Result<String, String> {
    let (title, dir, file) = match kind {
        "resource" => ("Resource", "resources", "resource.tf"),
        _ => ("Data Source", "data-sources", "data-source.tf"),
    };
    let example = read(root, &format!("examples/{dir}/{name}/{file}"))?;
    let desc = &schema.block.description;
    let mut out = format!(
        "---\npage_title: \"{name} {title} - cloudgov\"\nsubcategory: \"\"\ndescription: |-\n  {}\n---\n\n# {name} ({title})\n\n{desc}\n\n## Example Usage\n\n```terraform\n{}\n```\n\n",
        first_sentence(desc),
        example.trim_end()
    );
    out.push_str(&schema_markdown(schema));
    if let Ok(import) = read(root, &format!("examples/{dir}/{name}/import.sh")) {
        out.push_str(&format!(
            "\n## Import\n\nImport is supported using the following syntax:\n\n```shell\n{}\n```\n",
            import.trim_end()
        ));
    }
    Ok(out)
}

/// Replaces `{{file:PATH}}` with the file's text and `{{provider_schema}}` with the
/// provider's Schema section.
fn fill_template(root: &Path, text: &str, provider_schema: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .ok_or("unclosed {{ in a template")?
            + start;
        let key = rest[start + 2..end].trim();
        if key == "provider_schema" {
            out.push_str(provider_schema.trim_end());
        } else if let Some(path) = key.strip_prefix("file:") {
            out.push_str(read(root, path.trim())?.trim_end());
        } else {
            return Err(format!("unknown template key {key}"));
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every documentation file, by path relative to the repository root.
pub fn render_all(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let p = CloudGov;
    let mut files = BTreeMap::new();
    for r in p.resources() {
        let name = r.type_name();
        files.insert(
            format!("docs/resources/{}.md", name.trim_start_matches("cloudgov_")),
            page(root, "resource", name, &r.schema())?,
        );
    }
    for d in p.data_sources() {
        let name = d.type_name();
        files.insert(
            format!(
                "docs/data-sources/{}.md",
                name.trim_start_matches("cloudgov_")
            ),
            page(root, "data-source", name, &d.schema())?,
        );
    }
    let provider_schema = schema_markdown(&p.schema());
    let templates = root.join("docs/templates");
    let mut stack = vec![templates.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(rel) = path
                .strip_prefix(&templates)
                .ok()
                .and_then(|r| r.to_str())
                .and_then(|r| r.strip_suffix(".tmpl"))
            {
                let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
                files.insert(
                    format!("docs/{rel}"),
                    fill_template(root, &text, &provider_schema)?,
                );
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Resource;

    #[test]
    fn nested_attributes_are_expanded_with_an_anchor() {
        let md = schema_markdown(&crate::resources::internal_route::InternalRoute.schema());
        assert!(md.contains("- `destinations` (Attributes List)"), "{md}");
        assert!(
            md.contains("<a id=\"nestedatt--destinations\"></a>"),
            "{md}"
        );
        assert!(md.contains("Default: `8080`."), "{md}");
        assert!(
            md.contains("### Read-Only\n\n- `domain_id` (String)"),
            "{md}"
        );
    }

    #[test]
    fn every_attribute_has_a_description() {
        fn walk(owner: &str, attrs: &[Attribute], missing: &mut Vec<String>) {
            for a in attrs {
                if a.description.trim().is_empty() {
                    missing.push(format!("{owner}.{}", a.name));
                }
                if let AttrType::Nested(_, inner) = &a.ty {
                    walk(&format!("{owner}.{}", a.name), inner, missing);
                }
            }
        }
        let p = CloudGov;
        let mut missing = Vec::new();
        walk("provider", &p.schema().block.attributes, &mut missing);
        for r in p.resources() {
            walk(r.type_name(), &r.schema().block.attributes, &mut missing);
        }
        for d in p.data_sources() {
            walk(d.type_name(), &d.schema().block.attributes, &mut missing);
        }
        assert!(
            missing.is_empty(),
            "attributes without a description: {missing:?}"
        );
    }

    #[test]
    fn sensitive_attributes_say_so() {
        let md = schema_markdown(&CloudGov.schema());
        assert!(md.contains("- `password` (String, Sensitive)"), "{md}");
    }
}

#[cfg(test)]
mod regenerate {
    /// The committed docs are exactly what the schema and templates produce.
    /// `UPDATE_DOCS=1` (`make docs`) writes them instead of comparing.
    #[test]
    fn docs_are_generated_from_the_schema() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("repository root");
        let files = super::render_all(root).expect("render docs");
        let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
        let mut stale = Vec::new();
        for (rel, text) in &files {
            let path = root.join(rel);
            if update {
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, text).expect("write doc");
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(rel.clone());
            }
        }
        assert!(
            stale.is_empty(),
            "these docs differ from what the schema produces; run `make docs`: {stale:?}"
        );
        assert!(files.len() >= 10, "{:?}", files.keys());
    }
}

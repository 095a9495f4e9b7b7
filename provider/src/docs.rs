//! Registry-format documentation generated from the provider's own schema: every
//! page's Schema section comes from the attributes' descriptions, examples come from
//! `examples/`, and hand-written prose comes from `templates/`. The docs test
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

/// A nested schema still to describe: anchor kind (`nestedatt`, `nestedblock`),
/// name, contents.
type Pending = (&'static str, String, Block);

/// The Required / Optional / Read-Only sections of a block (nested blocks among the
/// optional or required ones, as the registry shows them), nested schemas expanded
/// below them.
fn schema_sections(block: &Block, top: bool, out: &mut String, nested: &mut Vec<Pending>) {
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, pick) in groups {
        let mut lines: Vec<(String, String)> = Vec::new();
        for a in block.attributes.iter().filter(|a| pick(a)) {
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
                nested.push(("nestedatt", a.name.clone(), Block::of(inner.clone())));
            }
            lines.push((a.name.clone(), line));
        }
        let blocks = block.blocks.iter().filter(|b| match title {
            "Required" => b.min_items > 0,
            "Optional" => b.min_items == 0,
            _ => false,
        });
        for b in blocks {
            let mut line = format!("- `{}` (Block)", b.name);
            if !b.block.description.is_empty() {
                line.push(' ');
                line.push_str(&b.block.description);
            }
            line.push_str(&format!(
                " (see [below for nested schema](#nestedblock--{}))",
                b.name
            ));
            nested.push(("nestedblock", b.name.clone(), b.block.clone()));
            lines.push((b.name.clone(), line));
        }
        if lines.is_empty() {
            continue;
        }
        lines.sort();
        out.push_str(&if top {
            format!("### {title}\n\n")
        } else {
            format!("{title}:\n\n")
        });
        for (_, line) in lines {
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
    while let Some((kind, name, block)) = nested.pop() {
        out.push_str(&format!(
            "<a id=\"{kind}--{name}\"></a>\n### Nested Schema for `{name}`\n\n"
        ));
        schema_sections(&block, false, &mut out, &mut nested);
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
        "list-resource" => (
            "List Resource",
            "list-resources",
            "list-resource.tfquery.hcl",
        ),
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
    if let Ok(by_id) = read(
        root,
        &format!("examples/{dir}/{name}/import-by-string-id.tf"),
    ) {
        out.push_str(&format!(
            "\nWith Terraform 1.5 (or OpenTofu 1.6) and later, an `import` block does the same during `terraform \
             apply`:\n\n```terraform\n{}\n```\n",
            by_id.trim_end()
        ));
    }
    if let Ok(by_identity) = read(
        root,
        &format!("examples/{dir}/{name}/import-by-identity.tf"),
    ) {
        out.push_str(&format!(
            "\nWith Terraform 1.12 and later, an `import` block can name the object by its identity:\n\n\
             ```terraform\n{}\n```\n",
            by_identity.trim_end()
        ));
    }
    Ok(out)
}

/// `text` with its first letter in upper case.
fn title(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A function's page, in the registry's shape: example, signature, arguments.
fn function_page(root: &Path, f: &dyn crate::framework::Function) -> Result<String, String> {
    let name = f.name();
    let example = read(root, &format!("examples/functions/{name}/function.tf"))?;
    let ty = |t: &crate::framework::Type| match t.to_json() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(a) => a
            .first()
            .and_then(|k| k.as_str())
            .unwrap_or("dynamic")
            .to_string(),
        _ => "dynamic".into(),
    };
    let params = f.parameters();
    let signature = params
        .iter()
        .map(|p| format!("{} {}", p.name, ty(&p.ty)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = format!(
        "---\npage_title: \"{name} function - cloudgov\"\nsubcategory: \"\"\ndescription: |-\n  {}\n---\n\n# function: {name}\n\n{}\n\n## Example Usage\n\n```terraform\n{}\n```\n\n## Signature\n\n```text\n{name}({signature}) {}\n```\n\n## Arguments\n\n",
        f.summary(),
        f.description(),
        example.trim_end(),
        ty(&f.return_type()),
    );
    for (i, p) in params.iter().enumerate() {
        out.push_str(&format!(
            "{}. `{}` ({}) {}\n",
            i + 1,
            p.name,
            title(&ty(&p.ty)),
            p.description
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
pub(crate) fn render_all(root: &Path) -> Result<BTreeMap<String, String>, String> {
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
    for l in p.list_resources() {
        let name = l.type_name();
        files.insert(
            format!(
                "docs/list-resources/{}.md",
                name.trim_start_matches("cloudgov_")
            ),
            page(root, "list-resource", name, &l.schema())?,
        );
    }
    for f in p.functions() {
        files.insert(
            format!("docs/functions/{}.md", f.name()),
            function_page(root, f.as_ref())?,
        );
    }
    let provider_schema = schema_markdown(&p.schema());
    let templates = root.join("templates");
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

    /// Links work on the registry site, which serves pages without their `.md`
    /// paths: only absolute URLs and anchors within the page.
    #[test]
    fn doc_links_work_on_the_registry() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("repository root");
        let files = super::render_all(root).expect("render docs");
        let mut relative = Vec::new();
        for (rel, text) in &files {
            for (i, _) in text.match_indices("](") {
                let target: String = text[i + 2..].chars().take_while(|c| *c != ')').collect();
                if !(target.starts_with("https://") || target.starts_with('#')) {
                    relative.push(format!("{rel}: {target}"));
                }
            }
        }
        assert!(
            relative.is_empty(),
            "links that break on the registry: {relative:?}"
        );
    }
}

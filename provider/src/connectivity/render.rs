//! The network graph as text that other tools draw or read: Mermaid (GitHub renders
//! it in Markdown, pull-request comments and job summaries), Graphviz DOT, and a
//! CSV of the allowed flows (the ports, protocols and services table of security
//! documentation). Every rendering is a pure function of the sorted graph, and ids
//! come from GUIDs, so the same platform always gives the same text and a change
//! shows as a small diff.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::{Edge, Graph, Node};

/// The shortest GUID prefix (at least 8 hex digits) that tells every id apart.
fn short_ids<'a>(guids: impl Iterator<Item = &'a str>) -> BTreeMap<String, String> {
    let hex: BTreeSet<String> = guids
        .map(|g| g.chars().filter(char::is_ascii_alphanumeric).collect())
        .collect();
    let longest = hex.iter().map(String::len).max().unwrap_or(0);
    let mut len = 8.min(longest);
    while len < longest {
        let prefixes: BTreeSet<&str> = hex.iter().map(|h| &h[..len.min(h.len())]).collect();
        if prefixes.len() == hex.len() {
            break;
        }
        len += 1;
    }
    hex.into_iter()
        .map(|h| {
            let short = h[..len.min(h.len())].to_string();
            (h, short)
        })
        .collect()
}

/// Stable ids for apps (`app_…`) and spaces (`space_…`).
struct Ids {
    apps: BTreeMap<String, String>,
    spaces: BTreeMap<String, String>,
}

impl Ids {
    fn new(g: &Graph) -> Ids {
        let all: Vec<&str> = g
            .nodes
            .iter()
            .map(|n| n.guid.as_str())
            .chain(g.nodes.iter().filter_map(|n| n.space_guid.as_deref()))
            .collect();
        let short = short_ids(all.into_iter());
        let id = |prefix: &str, guid: &str| {
            let hex: String = guid.chars().filter(char::is_ascii_alphanumeric).collect();
            format!(
                "{prefix}_{}",
                short.get(&hex).map_or(hex.as_str(), String::as_str)
            )
        };
        Ids {
            apps: g
                .nodes
                .iter()
                .map(|n| (n.guid.clone(), id("app", &n.guid)))
                .collect(),
            spaces: g
                .nodes
                .iter()
                .filter_map(|n| n.space_guid.as_ref())
                .map(|s| (s.clone(), id("space", s)))
                .collect(),
        }
    }

    fn app<'a>(&'a self, guid: &'a str) -> &'a str {
        self.apps.get(guid).map_or(guid, String::as_str)
    }
}

/// A space's GUID, its title and its apps.
type Group<'a> = (&'a str, String, Vec<&'a Node>);

/// The nodes grouped by space (in node order), and the ones in no visible space.
fn by_space(g: &Graph) -> (Vec<Group<'_>>, Vec<&Node>) {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut loose = Vec::new();
    for n in &g.nodes {
        let Some(space) = n.space_guid.as_deref() else {
            loose.push(n);
            continue;
        };
        let title = match (&n.org, &n.space) {
            (Some(o), Some(s)) => format!("{o} / {s}"),
            (None, Some(s)) => s.clone(),
            _ => space.to_string(),
        };
        match groups.iter_mut().find(|(g, _, _)| *g == space) {
            Some((_, _, members)) => members.push(n),
            None => groups.push((space, title, vec![n])),
        }
    }
    (groups, loose)
}

fn edge_label(e: &Edge) -> String {
    let tls = if e.tls { " TLS" } else { "" };
    format!("{} {}{tls}", e.protocol, e.ports)
}

fn node_lines(n: &Node) -> Vec<String> {
    let mut lines = vec![if n.state.is_some() {
        n.name.clone()
    } else {
        format!("(not visible) {}", n.name)
    }];
    lines.extend(n.hostnames.iter().cloned());
    if let Some(state) = n.state.as_deref().filter(|s| *s != "STARTED") {
        lines.push(state.to_string());
    }
    lines
}

fn stopped(n: &Node) -> bool {
    n.state.as_deref().is_some_and(|s| s != "STARTED")
}

/// Mermaid text for a label.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A Mermaid flowchart: a subgraph per space, a node per app (its internal
/// hostnames under its name; stopped apps dashed), an arrow per policy (thick for
/// TLS).
pub(crate) fn mermaid(g: &Graph) -> String {
    let ids = Ids::new(g);
    let mut out = String::from("flowchart LR\n");
    let node = |n: &Node| {
        let text = node_lines(n)
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        format!("{}[\"{text}\"]", ids.app(&n.guid))
    };
    let (groups, loose) = by_space(g);
    for (space, title, members) in &groups {
        let sid = ids.spaces.get(*space).map_or(*space, String::as_str);
        out.push_str(&format!("  subgraph {sid}[\"{}\"]\n", mermaid_text(title)));
        for n in members {
            out.push_str(&format!("    {}\n", node(n)));
        }
        out.push_str("  end\n");
    }
    for n in &loose {
        out.push_str(&format!("  {}\n", node(n)));
    }
    for e in &g.edges {
        let arrow = if e.tls { "==>" } else { "-->" };
        out.push_str(&format!(
            "  {} {arrow}|\"{}\"| {}\n",
            ids.app(&e.source),
            mermaid_text(&edge_label(e)),
            ids.app(&e.destination)
        ));
    }
    let dashed: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| stopped(n))
        .map(|n| ids.app(&n.guid))
        .collect();
    if !dashed.is_empty() {
        out.push_str("  classDef stopped stroke-dasharray: 5 5\n");
        out.push_str(&format!("  class {} stopped\n", dashed.join(",")));
    }
    out
}

/// DOT text for a quoted string.
fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Graphviz digraph: a cluster per space, a box per app, an edge per policy.
pub(crate) fn dot(g: &Graph) -> String {
    let ids = Ids::new(g);
    let mut out = String::from(
        "digraph network {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n",
    );
    let node = |n: &Node, indent: &str| {
        let label = node_lines(n)
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let style = if stopped(n) {
            ", style=\"rounded,dashed\""
        } else {
            ""
        };
        format!(
            "{indent}\"{}\" [label=\"{label}\"{style}];\n",
            ids.app(&n.guid)
        )
    };
    let (groups, loose) = by_space(g);
    for (space, title, members) in &groups {
        let sid = ids.spaces.get(*space).map_or(*space, String::as_str);
        out.push_str(&format!(
            "  subgraph \"cluster_{sid}\" {{\n    label=\"{}\";\n",
            dot_text(title)
        ));
        for n in members {
            out.push_str(&node(n, "    "));
        }
        out.push_str("  }\n");
    }
    for n in &loose {
        out.push_str(&node(n, "  "));
    }
    for e in &g.edges {
        let bold = if e.tls { ", penwidth=2" } else { "" };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [label=\"{}\"{bold}];\n",
            ids.app(&e.source),
            ids.app(&e.destination),
            dot_text(&edge_label(e))
        ));
    }
    out.push_str("}\n");
    out
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The columns of `flows_csv`.
pub(crate) const CSV_HEADER: &str = "source_app,source_space,destination_app,destination_space,protocol,ports,tls,internal_hostname";

/// One row per allowed flow (policy), sorted, under `CSV_HEADER`.
pub(crate) fn flows_csv(g: &Graph) -> String {
    let nodes: BTreeMap<&str, &Node> = g.nodes.iter().map(|n| (n.guid.as_str(), n)).collect();
    let name = |guid: &str| nodes.get(guid).map_or(guid.to_string(), |n| n.name.clone());
    let space = |guid: &str| {
        nodes
            .get(guid)
            .and_then(|n| n.space.clone())
            .unwrap_or_else(|| "(not visible)".into())
    };
    let mut rows: Vec<Vec<String>> = g
        .edges
        .iter()
        .map(|e| {
            vec![
                name(&e.source),
                space(&e.source),
                name(&e.destination),
                space(&e.destination),
                e.protocol.clone(),
                e.ports.clone(),
                e.tls.to_string(),
                nodes
                    .get(e.destination.as_str())
                    .map(|n| n.hostnames.join(" "))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    rows.sort();
    let mut out = format!("{CSV_HEADER}\n");
    for r in rows {
        let line: Vec<String> = r.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

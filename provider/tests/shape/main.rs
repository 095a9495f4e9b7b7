//! The rules of `design/code-shape.md`, each a test: no source file over 800
//! lines; no `unwrap()` or `expect(` in the provider's code outside tests; and files
//! import only downward: within each directory of the provider and the simulator,
//! the files' references to their siblings form no circle. Read as text, with the
//! rules said below; no other tool is needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The workspace's source trees: each crate's `src`, `tests` and `benches`.
fn all_sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for krate in ["provider", "simulator", "proto", "acceptance-tests"] {
        for sub in ["src", "tests", "benches"] {
            let dir = root().join(krate).join(sub);
            if dir.is_dir() {
                out.extend(rust_files(&dir));
            }
        }
    }
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// The code of a file without its tests: everything before the first
/// `#[cfg(test)]` (test modules sit at the end of a file by this project's
/// convention), and nothing of a file named `tests.rs`.
fn non_test_code(path: &Path, text: &str) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    text.split("#[cfg(test)]").next().unwrap_or("").to_string()
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = all_sources()
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).unwrap().lines().count();
            (n > 800).then(|| format!("{} ({n} lines)", rel(p)))
        })
        .collect();
    assert!(long.is_empty(), "over 800 lines: {long:#?}");
}

#[test]
fn no_unwrap_or_expect_in_provider_code() {
    let mut found = Vec::new();
    for path in rust_files(&root().join("provider/src")) {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in non_test_code(&path, &text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains(".unwrap()") || code.contains(".expect(") {
                found.push(format!("{}:{}: {}", rel(&path), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "unwrap/expect outside tests: {found:#?}");
}

/// The module name of a file among its siblings (`mod.rs` is the directory's own
/// module and no sibling).
fn module_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    (stem != "mod" && stem != "lib" && stem != "main").then(|| stem.to_string())
}

/// Edges between the sibling modules of one directory: file A refers to sibling B
/// when its code names `super::B` (or `crate::…::DIR::B` for this directory), or, for
/// a directory module `B/`, any path through it.
fn sibling_edges(dir: &Path, krate_src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            modules.insert(name, rust_files(&path));
        } else if let Some(name) = module_name(&path)
            && path.extension().is_some_and(|e| e == "rs")
        {
            modules.entry(name).or_default().push(path);
        }
    }
    let crate_path = dir
        .strip_prefix(krate_src)
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("::");
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (name, files) in &modules {
        let mut to = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            let code = non_test_code(file, &text);
            // Files of a directory module refer to their siblings one level further up.
            let depth = file
                .parent()
                .unwrap()
                .strip_prefix(dir)
                .unwrap()
                .components()
                .count();
            let up = "super::".repeat(depth + 1);
            for other in names.iter().filter(|n| *n != name) {
                let prefixes = [
                    format!("{up}{other}::"),
                    format!("{up}{{{other}"),
                    format!("{up}{other};"),
                    if crate_path.is_empty() {
                        format!("crate::{other}::")
                    } else {
                        format!("crate::{crate_path}::{other}::")
                    },
                ];
                if prefixes.iter().any(|p| code.contains(p.as_str()))
                    || code.contains(&format!("{up}{{")) && braces_name(&code, &up, other)
                {
                    to.insert(other.clone());
                }
            }
        }
        edges.insert(name.clone(), to);
    }
    edges
}

/// True when a grouped import `super::{a, b::C}` names `other`.
fn braces_name(code: &str, up: &str, other: &str) -> bool {
    code.match_indices(&format!("{up}{{")).any(|(i, m)| {
        let rest = &code[i + m.len()..];
        let group = &rest[..rest.find('}').unwrap_or(rest.len())];
        group
            .split(',')
            .any(|item| item.trim().split("::").next() == Some(other))
    })
}

/// A circle in `edges`, if any, as the modules along it.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn files_import_only_downward() {
    let mut circles = Vec::new();
    for krate in ["provider/src", "simulator/src"] {
        let src = root().join(krate);
        let mut dirs = vec![src.clone()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                }
            }
            if let Some(c) = find_cycle(&sibling_edges(&d, &src)) {
                circles.push(format!("{}: {}", rel(&d), c.join(" -> ")));
            }
        }
    }
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}

//! Every example is formatted and applied: the resource and data-source examples
//! against a simulator, with the provider configured from the environment.

use std::path::{Path, PathBuf};

use acceptance_tests::{Cli, SimWorkspace, workspace_root};

use crate::cloudfoundry_provider::{OFFICIAL, OFFICIAL_VERSION, official_provider};

fn example_files(kind: &str, name: &str) -> PathBuf {
    workspace_root()
        .join("examples")
        .join(kind)
        .join(name)
        .join(if kind == "resources" {
            "resource.tf"
        } else {
            "data-source.tf"
        })
}

fn all_examples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for kind in ["resources", "data-sources"] {
        let dir = workspace_root().join("examples").join(kind);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        out.extend(names.iter().map(|n| example_files(kind, n)));
    }
    out
}

fn apply_example(cli: Cli, file: &Path) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    // The example declares its own required_providers; only the provider block
    // (configured from the environment) comes from the harness.
    env.write("providers.tf", "provider \"cloudgov\" {}\n");
    env.write("main.tf", &std::fs::read_to_string(file).unwrap());
    if file.to_string_lossy().contains("data-sources") {
        // What data-source examples read beyond the seed: an internal route made
        // elsewhere (`cf map-route backend apps.internal --hostname backend`).
        let dev = env.sim.handle.space_guid("dev").unwrap();
        let domain = env.sim.handle.domain_guid("apps.internal").unwrap();
        env.sim.handle.with_state(|s| {
            let admin = s
                .actor(&cloudgov_sim::model::Subject::User("admin".into()))
                .unwrap();
            s.create_route(
                &admin,
                cloudgov_sim::model::NewRoute {
                    host: "backend".into(),
                    space_guid: dev,
                    domain_guid: domain,
                    ..Default::default()
                },
            )
            .unwrap();
        });
    }
    env.init();
    env.run(&["validate", "-no-color"]).ok();
    env.apply();
    env.assert_no_changes();
    env.run(&["destroy", "-auto-approve", "-no-color"]).ok();
}

/// Every example, copied alone into a directory of its own as a user would, passes
/// `init` and `validate`: each declares `required_providers` with a version.
fn examples_stand_alone(cli: Cli) {
    let mut files = all_examples();
    files.push(workspace_root().join("examples/provider/provider.tf"));
    files.push(workspace_root().join("examples/quickstart/main.tf"));
    for f in files {
        let Some(ws) = acceptance_tests::Workspace::new(cli) else {
            return;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.contains("required_providers") && text.contains("version = \"~> 0.1.0\""),
            "{} declares no required_providers with a version",
            f.display()
        );
        ws.write("main.tf", &text);
        ws.init();
        let run = ws.run(&["validate", "-no-color"]);
        assert!(run.success, "{}: {}", f.display(), run.output());
    }
}
for_each_cli!(
    examples_stand_alone_init_and_validate,
    super::examples_stand_alone
);

/// `(major, minor, patch)` of the first version number in `text`.
fn version_in(text: &str) -> Option<(u32, u32, u32)> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let mut parts = text[start..]
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()?
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    Some((
        parts.next()?,
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    ))
}

/// The lowest version a file's `required_version = ">= X"` admits, if it has one.
fn required_version(text: &str) -> Option<(u32, u32, u32)> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("required_version"))?;
    version_in(line.split_once(">=")?.1)
}

/// Every example directory passes `init` and `validate` under every CLI that its
/// `required_version` admits: its main files, then its main files with each
/// `import-*.tf` beside them (one at a time: two would import one resource twice).
fn example_directories_validate(cli: Cli) {
    let cli_version = version_in(&cli.version()).expect("the CLI's version");
    let mut dirs = vec![
        workspace_root().join("examples/provider"),
        workspace_root().join("examples/quickstart"),
        workspace_root().join("examples/adopting"),
        workspace_root().join("examples/reachability"),
        workspace_root().join("examples/with-cloudfoundry-provider"),
    ];
    for kind in ["resources", "data-sources", "list-resources", "functions"] {
        let parent = workspace_root().join("examples").join(kind);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&parent)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        found.sort();
        dirs.extend(found);
    }
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf"))
            .collect();
        files.sort();
        let is_import = |p: &PathBuf| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("import-"))
        };
        let main: Vec<PathBuf> = files.iter().filter(|p| !is_import(p)).cloned().collect();
        assert!(!main.is_empty(), "{}: no .tf file", dir.display());
        let mut variants = vec![main.clone()];
        for import in files.iter().filter(|p| is_import(p)) {
            let mut v = main.clone();
            v.push(import.clone());
            variants.push(v);
        }
        for variant in variants {
            let texts: Vec<(String, String)> = variant
                .iter()
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read_to_string(p).unwrap(),
                    )
                })
                .collect();
            let needs = texts.iter().filter_map(|(_, t)| required_version(t)).max();
            let names: Vec<&str> = texts.iter().map(|(n, _)| n.as_str()).collect();
            if needs.is_some_and(|n| n > cli_version) {
                eprintln!(
                    "{} {names:?}: requires {needs:?}, not run with {}",
                    dir.display(),
                    cli.name()
                );
                continue;
            }
            let Some(ws) = acceptance_tests::Workspace::new(cli) else {
                return;
            };
            if texts.iter().any(|(_, t)| t.contains(OFFICIAL)) {
                let Some(official) = official_provider() else {
                    continue;
                };
                ws.mirror_provider(OFFICIAL, OFFICIAL_VERSION, &official);
            }
            for (name, text) in &texts {
                ws.write(name, text);
            }
            ws.init();
            let run = ws.run(&["validate", "-no-color"]);
            assert!(run.success, "{} {names:?}: {}", dir.display(), run.output());
        }
    }
}
for_each_cli!(
    examples_every_directory_validates,
    super::example_directories_validate
);

fn examples_apply(cli: Cli) {
    let files = all_examples();
    assert!(files.len() >= 7, "{files:?}");
    for f in files {
        eprintln!("example: {}", f.display());
        apply_example(cli, &f);
    }
}
for_each_cli!(examples_apply_cleanly, super::examples_apply);

/// Every ```terraform / ```hcl block of the Markdown files under `dir`.
fn snippets(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path.is_dir() {
            snippets(&path, out);
        } else if path.extension().is_some_and(|x| x == "md" || x == "tmpl") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines = text.lines().enumerate();
            while let Some((n, line)) = lines.next() {
                if line.trim() == "```terraform" || line.trim() == "```hcl" {
                    let body: Vec<&str> = lines
                        .by_ref()
                        .map(|(_, l)| l)
                        .take_while(|l| l.trim() != "```")
                        .collect();
                    out.push((
                        format!("{}:{}", path.display(), n + 1),
                        body.join("\n") + "\n",
                    ));
                }
            }
        }
    }
}

fn examples_formatted(cli: Cli) {
    let Some(ws) = acceptance_tests::Workspace::new(cli) else {
        return;
    };
    // Provider functions (`provider::cloudgov::…`) are syntax from Terraform 1.8 on:
    // older CLIs cannot parse those files, and never run them.
    let functions = version_in(&cli.version()).is_some_and(|v| v >= (1, 7, 0));
    let root = workspace_root();
    let mut targets = vec![root.join("examples")];
    if !functions {
        targets = std::fs::read_dir(root.join("examples"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir() && !p.ends_with("functions"))
            .collect();
    }
    for target in targets {
        let run = ws.run(&[
            "fmt",
            "-check",
            "-recursive",
            "-diff",
            target.to_str().unwrap(),
        ]);
        assert!(
            run.success,
            "{} has unformatted HCL:\n{}",
            target.display(),
            run.output()
        );
    }
    let mut found = Vec::new();
    snippets(&root.join("docs"), &mut found);
    assert!(found.len() >= 10, "{} snippets", found.len());
    for (place, text) in found
        .iter()
        .filter(|(_, t)| !t.contains("{{") && (functions || !t.contains("provider::")))
    {
        ws.write("snippet.tf", text);
        let run = ws.run(&["fmt", "-check", "-diff", "snippet.tf"]);
        assert!(
            run.success,
            "{place}: unformatted HCL:\n{}",
            run.raw_output()
        );
    }
}
for_each_cli!(examples_are_formatted, super::examples_formatted);

fn quickstart(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    std::fs::remove_file(env.work_dir().join("providers.tf")).unwrap();
    env.write(
        "main.tf",
        &std::fs::read_to_string(workspace_root().join("examples/quickstart/main.tf")).unwrap(),
    );
    env.init();
    env.apply();
    env.assert_no_changes();
    let out = env.run(&["output", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["backend_url"]["value"],
        "https://backend.apps.internal:61443"
    );
    assert_eq!(
        v["frontend_environment"]["value"]["SSL_CERT_FILE"],
        "/etc/ssl/certs/ca-certificates.crt"
    );
    assert_eq!(
        v["frontend_environment"]["value"]["REQUESTS_CA_BUNDLE"],
        "/etc/ssl/certs/ca-certificates.crt"
    );
    let state = env.sim.handle.state();
    assert_eq!(state.routes.len(), 1);
    assert_eq!(state.policies.iter().next().unwrap().start, 61443);
}
for_each_cli!(examples_quickstart_applies, super::quickstart);

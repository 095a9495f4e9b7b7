//! The module-testing recipe: `examples/modules/c2c-service` and its
//! `tests/*.tftest.hcl`, run with `terraform test` (Terraform 1.15) and `tofu test`
//! against cloudgov-sim, which this harness starts: no mocks. The test runs apply
//! real changes and clean up after themselves.

use acceptance_tests::{Cli, SimWorkspace, workspace_root};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

fn module_tests(cli: Cli) {
    let Some(env) = SimWorkspace::new(cli) else {
        return;
    };
    copy_dir(
        &workspace_root().join("examples/modules/c2c-service"),
        &env.work_dir(),
    );
    // The module declares its own required_providers; the provider is configured
    // from the environment the harness sets (CF_API_URL, CF_USER, CF_PASSWORD).
    std::fs::remove_file(env.work_dir().join("providers.tf")).unwrap();
    env.init();
    let run = env.run(&["test", "-no-color"]);
    let out = run.output();
    assert!(run.success, "{out}");
    assert!(out.contains("3 passed, 0 failed"), "{out}");
    let state = env.sim.handle.state();
    assert!(
        state.routes.is_empty() && state.policies.is_empty(),
        "the test runs cleaned up: {:?} {:?}",
        state.routes.keys().collect::<Vec<_>>(),
        state.policies.iter().collect::<Vec<_>>()
    );
}

#[test]
fn modules_c2c_service_tests_pass_terraform_current() {
    module_tests(Cli::TerraformCurrent);
}

#[test]
fn modules_c2c_service_tests_pass_tofu() {
    module_tests(Cli::Tofu);
}

//! Support for the acceptance tests: locating the terraform / tofu CLIs and the
//! provider binary. The tests themselves live in `tests/`.

//! `State` on its own, without HTTP: tokens, visibility, the route rules in the
//! platform's order, jobs, and the policy server's validation, permission, quota and
//! idempotence.

use super::*;
use crate::seed::default_seed;

fn state() -> State {
    default_seed()
        .build(Settings::default())
        .expect("the default seed builds")
}

fn user(s: &State, name: &str) -> Actor {
    s.actor(&Subject::User(name.into())).expect("seeded user")
}

fn guid_of_space(s: &State, name: &str) -> Guid {
    s.spaces
        .values()
        .find(|sp| sp.name == name)
        .map(|sp| sp.guid.clone())
        .expect("seeded space")
}

fn internal_domain(s: &State) -> Guid {
    s.domains
        .values()
        .find(|d| d.internal)
        .map(|d| d.guid.clone())
        .expect("internal domain")
}

fn app(s: &State, space: &str, name: &str) -> Guid {
    let space = guid_of_space(s, space);
    s.apps
        .values()
        .find(|a| a.space_guid == space && a.name == name)
        .map(|a| a.guid.clone())
        .expect("seeded app")
}

fn policy_input(source: &str, destination: &str, start: i64, end: i64) -> PolicyInput {
    PolicyInput {
        source: source.into(),
        destination: destination.into(),
        protocol: "tcp".into(),
        start,
        end,
        tagged: false,
    }
}

#[test]
fn tokens_authenticate_until_revoked() {
    let mut s = state();
    let (token, refresh, _) = s.issue_token(
        Subject::User("deployer".into()),
        true,
        "password",
        "http://uaa",
    );
    assert!(refresh.is_some());
    let header = format!("bearer {token}");
    assert!(s.authenticate(Some(&header)).is_ok());
    assert_eq!(s.authenticate(None).err(), Some(TokenProblem::Missing));
    assert!(s.revoke(&Subject::User("deployer".into())) >= 1);
    assert_eq!(
        s.authenticate(Some(&header)).err(),
        Some(TokenProblem::Invalid)
    );
}

#[test]
fn routes_are_unique_per_host_and_domain() {
    let mut s = state();
    let deployer = user(&s, "deployer");
    let req = NewRoute {
        host: "api".into(),
        space_guid: guid_of_space(&s, "dev"),
        domain_guid: internal_domain(&s),
        ..NewRoute::default()
    };
    let first = s.create_route(&deployer, req.clone()).expect("created");
    let again = s.create_route(&deployer, req).expect_err("taken");
    assert_eq!(again.status, 422);
    assert!(
        again.detail.starts_with("Route already exists"),
        "{}",
        again.detail
    );
    // A space the deployer cannot write to is refused first.
    let restricted = NewRoute {
        host: "other".into(),
        space_guid: guid_of_space(&s, "restricted"),
        domain_guid: internal_domain(&s),
        ..NewRoute::default()
    };
    let e = s
        .create_route(&deployer, restricted)
        .expect_err("no access");
    assert_eq!(e.status, 422);
    assert!(e.detail.starts_with("Invalid space"), "{}", e.detail);
    // Deleting goes through a job that removes the route when it completes.
    let job = s.delete_route(&deployer, &first.guid, false).expect("job");
    assert_eq!(job.state, JobState::Processing);
    assert!(s.routes.contains_key(&first.guid));
    s.clock_offset += 10.0;
    s.tick();
    assert!(!s.routes.contains_key(&first.guid));
    assert_eq!(s.job(&job.guid).unwrap().state, JobState::Complete);
}

#[test]
fn destinations_must_be_apps_of_the_route_space() {
    let mut s = state();
    let deployer = user(&s, "deployer");
    let route = s
        .create_route(
            &deployer,
            NewRoute {
                host: "api".into(),
                space_guid: guid_of_space(&s, "dev"),
                domain_guid: internal_domain(&s),
                ..NewRoute::default()
            },
        )
        .unwrap();
    let backend = app(&s, "dev", "backend");
    let mapped = s
        .insert_destinations(
            &deployer,
            &route.guid,
            &[NewDestination {
                app_guid: backend.clone(),
                ..NewDestination::default()
            }],
        )
        .unwrap();
    assert_eq!(mapped.destinations.len(), 1);
    assert_eq!(mapped.destinations[0].port, 8080);
    assert!(
        s.insert_destinations(&deployer, &route.guid, &[])
            .is_err_and(|e| e.status == 422)
    );
}

#[test]
fn policies_validate_in_order_and_create_idempotently() {
    let mut s = state();
    let deployer = user(&s, "deployer");
    let (front, back) = (app(&s, "dev", "frontend"), app(&s, "dev", "backend"));
    let bad = State::validate_policies(&[policy_input(&front, &back, 90, 80)]).unwrap_err();
    assert_eq!(bad.status, 400);
    assert!(
        bad.message.contains("invalid port range 90-80"),
        "{}",
        bad.message
    );
    let ok = [policy_input(&front, &back, 8080, 8080)];
    assert_eq!(s.create_policies(&deployer, &ok), Ok(1));
    assert_eq!(
        s.create_policies(&deployer, &ok),
        Ok(0),
        "creating again changes nothing"
    );
    assert_eq!(s.policy_log.len(), 1);
    assert_eq!(s.delete_policies(&deployer, &ok), Ok(1));
    assert_eq!(s.delete_policies(&deployer, &ok), Ok(0));
    assert_eq!(s.policy_log.len(), 2);
    assert!(!s.policy_log[1].0, "the log records the removal");
}

#[test]
fn policy_quota_and_permissions_are_enforced() {
    let mut s = state();
    s.settings.policy_quota = 2;
    let deployer = user(&s, "deployer");
    let (front, back) = (app(&s, "dev", "frontend"), app(&s, "dev", "backend"));
    let three: Vec<PolicyInput> = (0..3)
        .map(|i| policy_input(&front, &back, 8000 + i, 8000 + i))
        .collect();
    let e = s.create_policies(&deployer, &three).unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str()),
        (403, "policy quota exceeded")
    );
    let secret = app(&s, "restricted", "secret-app");
    let e = s
        .create_policies(&deployer, &[policy_input(&front, &secret, 80, 80)])
        .unwrap_err();
    assert_eq!(
        e.message,
        "one or more applications cannot be found or accessed"
    );
    assert!(s.policies.is_empty());
}

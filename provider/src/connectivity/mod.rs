//! Connectivity analyses over what the platform holds, for the data sources
//! `cloudgov_reachability` and `cloudgov_network_graph`: `view` gathers apps, internal
//! routes and policies through the client's listings; `reach` answers "can A reach
//! B, and if not, why"; `graph` draws who can reach whom, and `render` writes it as
//! Mermaid, DOT and CSV; `findings` holds the codes both report. Knows nothing of
//! Terraform: the data sources map these types to values.

pub(crate) mod findings;
pub(crate) mod graph;
pub(crate) mod reach;
pub(crate) mod render;
pub(crate) mod view;

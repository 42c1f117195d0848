//! End-to-end tests of the `clusterwright` binary and the library, in one test binary.

// Test code may stop at the first surprise; that is what a failing test is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value,
    clippy::cast_possible_truncation,
    clippy::missing_panics_doc,
    clippy::too_many_lines, // a list of invariants reads best in one place
    clippy::format_push_string
)]

mod address;
mod address_aws;
mod ambient;
mod cilium;
mod cli;
mod common;
mod cost;
mod crash;
mod crossplane;
mod crossplane_api;
mod crossplane_runtime;
mod examples;
mod generate;
mod hostile;
mod house;
mod impact;
mod invalid;
mod isolation;
mod layers;
mod mesh;
mod mesh_trust;
mod multicloud;
mod packing;
mod planner;
mod policy;
mod properties;
mod ship;
mod stacks;
mod terraform;
mod terraform_aws;
mod terraform_azure;
mod terraform_gcp;

//! `clusterwright schema`: print the blueprint's JSON Schema, for editor completion.

use std::process::ExitCode;

use super::stdout::print;
use crate::blueprint::schema::json_schema;
use crate::error::Result;

/// Prints the JSON Schema of a blueprint.
pub fn run() -> Result<ExitCode> {
    print(&json_schema())?;
    Ok(ExitCode::SUCCESS)
}

//! `clusterwright schema`: print the blueprint's JSON Schema, for editor completion.

use std::process::ExitCode;

use super::stdout::print;
use crate::blueprint::schema::json_schema;
use crate::error::{Error, Result};

/// Prints the JSON Schema of a blueprint.
pub fn run() -> Result<ExitCode> {
    let schema =
        json_schema().map_err(|e| Error::Bug(format!("the schema does not serialize: {e}")))?;
    print(&schema)?;
    Ok(ExitCode::SUCCESS)
}

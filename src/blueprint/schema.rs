//! The blueprint's JSON Schema, for editor completion and validation as you type.
//!
//! Generated from the blueprint types with schemars, so it cannot drift from what `load`
//! accepts. The bundled blueprints point at the committed copy in `schema/` through a
//! `# yaml-language-server: $schema=…` line; a test keeps that copy current.

use super::Blueprint;

/// Where the committed copy of the schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/blueprint.v1.schema.json";

/// The JSON Schema of blueprint format version 1, pretty-printed, ending in a newline.
pub fn json_schema() -> Result<String, serde_json::Error> {
    let schema = schemars::schema_for!(Blueprint);
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    Ok(text)
}

//! The command line as clap sees it: derive types only, handed to [`super::run`], which
//! gives each subcommand to its module.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// The blueprint file read when none is given.
pub const DEFAULT_BLUEPRINT: &str = "blueprint.yaml";

/// Compiles a Kubernetes platform blueprint — clusters, tenancy, isolation, encryption —
/// into Terraform, Crossplane manifests and Helm values, and shows every change as a diff.
#[derive(Debug, Parser)]
#[command(name = "clusterwright", version, about, long_about = None)]
#[command(
    after_help = "Exit status: 0 ok, 1 differences found (diff, check), 2 invalid blueprint or other trouble.\n\nStart with `clusterwright init`, then `clusterwright validate` and `clusterwright plan`."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter blueprint.
    #[command(
        after_help = "Example:\n  clusterwright init                 # writes ./blueprint.yaml\n  clusterwright init platform.yaml"
    )]
    Init {
        /// Where to write it.
        #[arg(default_value = DEFAULT_BLUEPRINT)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check a blueprint against every rule and report all problems at once.
    #[command(
        after_help = "Example:\n  clusterwright validate blueprints/acme-aws.yaml\n\nExit status: 0 valid (warnings may be printed), 2 invalid."
    )]
    Validate {
        /// The blueprint file.
        #[arg(default_value = DEFAULT_BLUEPRINT)]
        blueprint: PathBuf,
        /// Output directory of a previous `generate`, whose placement.yaml is honoured.
        /// Default: `out` next to the blueprint, as for `generate`, `diff` and `check`.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Print the decisions: clusters, who shares them and why, address ranges, encryption.
    #[command(
        after_help = "Examples:\n  clusterwright plan blueprints/acme-aws.yaml\n  clusterwright plan blueprints/acme-aws.yaml --format json -o out/\n\nTenants already placed in DIR/placement.yaml (default: `out` next to the blueprint, as\nfor generate, diff and check) stay where they are; --repack plans from scratch and\nreports every tenant that moves."
    )]
    Plan {
        /// The blueprint file.
        #[arg(default_value = DEFAULT_BLUEPRINT)]
        blueprint: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
        /// Output directory of a previous `generate`, whose placement.yaml is honoured.
        /// Default: `out` next to the blueprint, as for `generate`, `diff` and `check`.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
        /// Ignore the previous placement and pack every tenant afresh.
        #[arg(long)]
        repack: bool,
    },
    /// Write the generated output tree: Terraform, Crossplane, Helm values, manifests, docs.
    #[command(
        after_help = "Examples:\n  clusterwright generate                         # blueprint.yaml into ./out\n  clusterwright generate blueprints/acme-aws.yaml -o examples/acme-aws --diff\n  clusterwright generate --complete-move globex  # after globex's workloads left its old cluster\n\nA tenant moved to another cluster keeps its old node groups there, draining, until\n--complete-move TENANT removes them: capacity never goes in the apply that creates its\nreplacement.\n\nOnly changed files are written, each atomically; files generated before and no longer\nproduced are deleted; files edited by hand, and files clusterwright did not generate, are\nnever touched: the run stops and names them (--force overwrites them)."
    )]
    Generate {
        /// Blueprint, output directory, templates.
        #[command(flatten)]
        target: Target,
        /// Overwrite generated files edited by hand and files clusterwright did not generate.
        #[arg(long)]
        force: bool,
        /// Also print the diff of what is written.
        #[arg(long)]
        diff: bool,
    },
    /// Show what `generate` would change, without writing.
    #[command(
        after_help = "Examples:\n  clusterwright diff blueprints/acme-aws.yaml -o examples/acme-aws\n  clusterwright diff --format markdown > comment.md   # for a pull request\n\nAbove the diff, what each change does to live infrastructure, per cluster and node group,\nproduction first: create, update, roll, replace, destroy or weaken (`!` marks what review\nflags: replace, destroy, weaken, and roll in production); `--format json` lists them in\n`impacts`.\n\nExit status: 0 no differences, 1 differences, 2 trouble."
    )]
    Diff {
        /// Blueprint, output directory, templates.
        #[command(flatten)]
        target: Target,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Unified)]
        format: DiffFormat,
    },
    /// CI gate: is the generated output in the directory up to date with the blueprint?
    #[command(
        after_help = "Example:\n  clusterwright check blueprints/acme-aws.yaml -o examples/acme-aws\n\nExit status: 0 up to date, 1 out of date (the changes and the command that fixes them are\nprinted), 2 trouble."
    )]
    Check {
        /// Blueprint, output directory, templates.
        #[command(flatten)]
        target: Target,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  clusterwright completions bash > /etc/bash_completion.d/clusterwright\n  clusterwright completions zsh > \"${fpath[1]}/_clusterwright\"\n  clusterwright completions fish > ~/.config/fish/completions/clusterwright.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the blueprint's JSON Schema (for editor completion).
    #[command(
        after_help = "Example:\n  clusterwright schema > blueprint.schema.json\n  # then, first line of the blueprint:\n  # yaml-language-server: $schema=./blueprint.schema.json"
    )]
    Schema,
}

/// What `generate`, `diff` and `check` work on.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// The blueprint file.
    #[arg(default_value = DEFAULT_BLUEPRINT)]
    pub blueprint: PathBuf,
    /// Output directory. Default: `out` next to the blueprint.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Folder of template overrides, by path relative to the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Ignore the previous placement and pack every tenant afresh (moves are reported).
    /// A tenant that moves keeps its old node groups, draining, in the cluster it leaves,
    /// until a later run is given `--complete-move TENANT`; production clusters keep
    /// their names.
    #[arg(long)]
    pub repack: bool,
    /// The move of TENANT to another cluster is done (its workloads run in the new
    /// cluster): remove the node groups it left behind, draining, in the old one. May be
    /// given more than once.
    #[arg(long = "complete-move", value_name = "TENANT")]
    pub complete_move: Vec<String>,
}

impl Target {
    /// The output directory: as given, or `out` next to the blueprint.
    pub fn output_dir(&self) -> PathBuf {
        output_dir(&self.blueprint, self.output.as_deref())
    }
}

/// The output directory of every command: `output` as given, or `out` next to `blueprint`.
pub fn output_dir(blueprint: &std::path::Path, output: Option<&std::path::Path>) -> PathBuf {
    output.map_or_else(
        || {
            blueprint
                .parent()
                .map_or_else(|| PathBuf::from("out"), |p| p.join("out"))
        },
        std::path::Path::to_path_buf,
    )
}

/// How `diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A git-style unified diff (`git apply` takes it).
    Unified,
    /// Lines added and removed per file.
    Stat,
    /// A pull-request comment.
    Markdown,
    /// For machines.
    Json,
}

/// How `plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For people.
    Text,
    /// For machines: the whole plan as JSON.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}

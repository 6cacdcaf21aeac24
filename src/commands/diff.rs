//! `byoa diff`: read two sets of templates, compare them, print the changes.
//!
//! Exit codes: 0 no changes, 1 changes, 2 error (every error a coded diagnostic). Colour only
//! when the global setting allows it and the diff itself goes to a terminal.

use std::io::{self, IsTerminal};

use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::diff::{self, load, render::DiffFormat};
use crate::exit;
use crate::report::DiagFormat;

/// `byoa diff OLD [NEW]`.
pub fn run(ctx: &mut Ctx<'_>, args: &crate::cli::DiffArgs) -> io::Result<i32> {
    let diag_format = match args.format {
        DiffFormat::Text => DiagFormat::Human,
        DiffFormat::Json => DiagFormat::Json,
    };
    if args.old.is_dir() != args.new.is_dir() && args.old.exists() && args.new.exists() {
        let (dir, file) = if args.old.is_dir() {
            (&args.old, &args.new)
        } else {
            (&args.new, &args.old)
        };
        let d = Diagnostic::file_error(
            Code::DiffMixedInputs,
            file,
            format!(
                "`{}` is a file but `{}` is a directory: compare two directories or two files",
                file.display(),
                dir.display()
            ),
        )
        .with_help(format!(
            "to compare one stack, name its template in the directory: `{}`",
            dir.join(file.file_name().unwrap_or_default()).display()
        ));
        ctx.report(&[d], diag_format)?;
        return Ok(exit::ERROR);
    }
    let (old, new) = (load::side(&args.old), load::side(&args.new));
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let diags: Vec<Diagnostic> = old.err().into_iter().chain(new.err()).flatten().collect();
            ctx.report(&diags, diag_format)?;
            return Ok(exit::ERROR);
        }
    };
    let result = diff::diff(&old, &new);
    match args.format {
        DiffFormat::Text => {
            let color = ctx.color && io::stdout().is_terminal();
            diff::render::text(ctx.out, &result, color, args.text)?
        }
        DiffFormat::Json => diff::render::json(ctx.out, &result, args.text)?,
    }
    Ok(if result.has_changes() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

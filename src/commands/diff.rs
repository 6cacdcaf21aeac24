//! `byoa diff`: read two sets of templates, compare them, name the spec fields behind each
//! changed property (when the new side is an output directory with its source map), print
//! the changes.
//!
//! Exit codes: 0 no changes, 1 changes, 2 error (every error a coded diagnostic). Colour only
//! when the global setting allows it and the diff itself goes to a terminal.

use std::io::{self, IsTerminal};

use super::Ctx;
use crate::diff::{self, load, render::DiffFormat};
use crate::exit;
use crate::report::DiagFormat;

/// `byoa diff OLD [NEW]`.
pub fn run(ctx: &mut Ctx<'_>, args: &crate::cli::DiffArgs) -> io::Result<i32> {
    let diag_format = match args.format {
        DiffFormat::Text => DiagFormat::Human,
        DiffFormat::Json => DiagFormat::Json,
    };
    let (old, new) = match load::sides(&args.old, &args.new) {
        Ok(sides) => sides,
        Err(diags) => {
            ctx.report(&diags, diag_format)?;
            return Ok(exit::ERROR);
        }
    };
    let (old_map, new_map) = match (load::sources(&args.old), load::sources(&args.new)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let diags: Vec<_> = a.err().into_iter().chain(b.err()).collect();
            ctx.report(&diags, diag_format)?;
            return Ok(exit::ERROR);
        }
    };
    let mut result = diff::diff(&old, &new);
    if let Some(map) = &new_map {
        diff::annotate(&mut result, old_map.as_ref(), map);
    }
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

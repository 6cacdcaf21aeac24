//! `byoa init`: writes a starter spec from a blueprint and says what to run next.

use std::io;

use super::Ctx;
use crate::{blueprints, cli, exit, policy};

pub fn run(ctx: &mut Ctx<'_>, args: &cli::InitArgs) -> io::Result<i32> {
    match blueprints::init(args, policy::catalogue()) {
        Ok((path, warnings)) => {
            ctx.warn(&warnings)?;
            if !ctx.quiet {
                writeln!(ctx.out, "wrote {}", path.display())?;
                writeln!(ctx.out, "next: byoa validate {}", path.display())?;
            }
            Ok(exit::OK)
        }
        Err(d) => ctx.fail(&[d]),
    }
}

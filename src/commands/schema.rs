//! `byoa schema`: prints the JSON Schema of `byoa.yaml` (for editors and CI).

use std::io;

use super::Ctx;
use crate::{exit, spec};

pub fn run(ctx: &mut Ctx<'_>) -> io::Result<i32> {
    ctx.out.write_all(spec::schema::schema_text().as_bytes())?;
    Ok(exit::OK)
}

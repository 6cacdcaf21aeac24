//! The `byoa` binary: parse arguments, run, exit. Everything else is in the library.

use std::io::{IsTerminal, Write};

fn main() {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let code = byoa::run(std::env::args_os(), &mut out, &mut err, color);
    let _ = out.flush();
    std::process::exit(code);
}

//! `byoa synth`: spec -> templates and manifest written atomically into `out/` (and, asked,
//! the stack graph and the access page), then a one-line-per-stack summary.

use std::io;
use std::path::Path;

use super::Ctx;
use crate::cfn::emit::Format;
use crate::diag::Diagnostic;
use crate::report::access_doc;
use crate::{cli, diff, exit, policy, spec, synth};

pub fn run(ctx: &mut Ctx<'_>, args: &cli::SynthArgs) -> io::Result<i32> {
    let (loaded, output) = match load_and_synthesize(&args.spec, args.format) {
        Ok(both) => both,
        Err(diags) => return ctx.fail(&diags),
    };
    ctx.warn(&loaded.warnings)?;
    let mut output = if args.graph {
        output.with_graph()
    } else {
        output
    };
    if args.access_doc {
        output.access_page = Some(access_page(&output));
    }
    if let Err(d) = output.write(&args.out) {
        return ctx.fail(&[d]);
    }
    for (asked, file) in [
        (args.graph, synth::GRAPH),
        (args.access_doc, synth::ACCESS_PAGE),
    ] {
        if asked && !ctx.quiet {
            writeln!(ctx.out, "wrote {}", args.out.join(file).display())?;
        }
    }
    if !ctx.quiet {
        summary(ctx, &args.out, &output)?;
    }
    Ok(exit::OK)
}

/// The access page, read from the access template's emitted bytes (what the customer
/// launches) and named by the sha256 the manifest records for them.
fn access_page(output: &synth::Output) -> String {
    let m = &output.manifest;
    let access = output.templates.iter().zip(&m.templates);
    let Some((rendered, entry)) = access.into_iter().find(|(_, e)| e.module == "access") else {
        return String::new();
    };
    // Emitted bytes always parse back (emit -> parse is a tested fixed point); the model's
    // value is the same template should that ever break.
    let value = diff::load::parse_value(&rendered.file, &rendered.body)
        .unwrap_or_else(|_| rendered.stack.template.to_value());
    let id = access_doc::Identity {
        product: &m.product,
        environment: &m.environment,
        file: &entry.file,
        sha256: &entry.sha256,
    };
    access_doc::markdown(&value, &id)
}

/// The spec `args` name, loaded with its overlay, and synthesized.
pub fn load_and_synthesize(
    args: &cli::SpecArgs,
    format: Format,
) -> Result<(spec::Loaded, synth::Output), Vec<Diagnostic>> {
    let loaded = spec::load(&args.spec, args.env.as_deref(), policy::catalogue())?;
    let output = synthesize(&loaded, format)?;
    Ok((loaded, output))
}

/// Synthesis as every command runs it: the model's templates and, when the model enforces its
/// rules in the account, the hook's rule file made from the embedded rules.
pub fn synthesize(loaded: &spec::Loaded, format: Format) -> Result<synth::Output, Vec<Diagnostic>> {
    let hook_rules = policy::hook::rule_file(policy::PolicySet::embedded, &loaded.model);
    synth::synthesize(loaded, format, hook_rules)
}

fn summary(ctx: &mut Ctx<'_>, dir: &Path, output: &synth::Output) -> io::Result<()> {
    let m = &output.manifest;
    writeln!(
        ctx.out,
        "synthesized {} ({}, {}) into {}",
        m.product,
        m.environment,
        m.region,
        dir.display()
    )?;
    for t in &m.templates {
        writeln!(
            ctx.out,
            "  {:<28} {:>4} resources {:>3} parameters {:>3} outputs {:>7} bytes  {}",
            t.file, t.resources, t.parameters, t.outputs, t.bytes, t.stack_name
        )?;
        if ctx.verbose {
            writeln!(ctx.out, "    sha256 {}", t.sha256)?;
        }
    }
    Ok(())
}

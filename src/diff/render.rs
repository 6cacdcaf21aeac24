//! Rendering a `Diff`: readable text (coloured on a terminal, plain in a pipe), a stable JSON
//! document, and unified text diffs of the templates.
//!
//! Input: a classified `Diff`. Output: text written to one writer. The destructive lines keep
//! CDK's shape, `<stack>: <type> <logicalId> will be replaced (<Property> changed)`, so people
//! and scripts that know it can read them. When the diff knows the spec fields behind a
//! property (`annotate`), its row reads `database.instance_class -> DBInstanceClass` and a
//! destructive line `(DBName changed by database.name)`; an added or removed resource adds
//! `follows network.flow_logs.enabled`.
//!
//! JSON (`--format json`), version 1: `{"format": "byoa-diff/1", "changed": bool, "impact":
//! worst impact, "replacement_table": {"source", "schema_date"}, "stacks": [changed stacks],
//! "unchanged": [stack names], "destructive": [{"stack", "logical_id", "type", "impact",
//! "reason", "data_loss", "line"}]}`. A stack: `{"stack", "status": added|removed|modified,
//! "impact", "resources": [{"logical_id", "type", "old_type"?, "change": added|removed|modified,
//! "impact", "properties": [{"path", "replacement": never|conditional|always|blocked, "why"?,
//! "propagated", "spec"? (the spec fields behind it, when known)}], "attributes": [..],
//! "data_loss"?, "spec"? (added or removed: the spec fields it exists by)}], "parameters" |
//! "outputs" | "conditions": [{"id", "change", "fields", "via"?}], "sections": [..], "iam" |
//! "ingress": [{"logical_id", "type", "added", "removed", "broadened"}], "text_diff"? (with
//! `--text`)}`. Impacts:
//! no-change, update, create, orphan, may-replace, replace, destroy, blocked (worst last).
//! Fields are only ever added to this format, never renamed.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use super::table::Table;
use super::{
    AccessChange, Change, Diff, EntryChange, Impact, PropertyChange, Replacement, ResourceDiff,
    StackDiff,
};
use crate::cfn::emit::to_yaml;

/// How `byoa diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiffFormat {
    /// Text for people.
    #[default]
    Text,
    /// One JSON document for tools (see the module doc).
    Json,
}

struct Paint {
    color: bool,
}

impl Paint {
    fn style(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn fg(&self, color: AnsiColor, text: &str) -> String {
        self.style(Style::new().fg_color(Some(color.into())), text)
    }

    fn impact(&self, impact: Impact, text: &str) -> String {
        match impact {
            Impact::NoChange => text.to_owned(),
            Impact::Create => self.fg(AnsiColor::Green, text),
            Impact::Update | Impact::Orphan => self.fg(AnsiColor::Yellow, text),
            _ => self.style(
                Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
                text,
            ),
        }
    }
}

fn marker(impact: Impact) -> &'static str {
    match impact {
        Impact::NoChange => "[ ]",
        Impact::Update => "[~]",
        Impact::Create => "[+]",
        Impact::Orphan | Impact::Destroy => "[-]",
        Impact::MayReplace => "[?]",
        Impact::Replace => "[-/+]",
        Impact::Blocked => "[!]",
    }
}

fn change_marker(change: Change) -> &'static str {
    match change {
        Change::Added => "[+]",
        Change::Removed => "[-]",
        Change::Modified => "[~]",
    }
}

/// What a property change does, in words (empty for a plain in-place update).
fn property_note(p: &PropertyChange) -> String {
    let verdict = match p.replacement {
        Replacement::Never => None,
        Replacement::Conditional => Some("may force replacement"),
        Replacement::Always => Some("forces replacement"),
        Replacement::Blocked => {
            let why = p.why.as_deref().unwrap_or("the update fails");
            return format!(" (refused by AWS: {why})");
        }
    };
    let parts: Vec<&str> = p.why.as_deref().into_iter().chain(verdict).collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// The spec fields behind a property, as the start of its row (`database.name -> `).
fn from_spec(p: &PropertyChange) -> String {
    if p.spec.is_empty() {
        String::new()
    } else {
        format!("{} -> ", p.spec.join(", "))
    }
}

/// The reason a destructive line gives: the properties that decide the resource's impact.
fn reason(r: &ResourceDiff) -> String {
    let deciding = match r.impact {
        Impact::Replace => Replacement::Always,
        Impact::MayReplace => Replacement::Conditional,
        Impact::Blocked => Replacement::Blocked,
        _ => return String::new(),
    };
    let parts: Vec<String> = r
        .properties
        .iter()
        .filter(|p| p.replacement == deciding)
        .map(|p| {
            match (
                &p.why,
                p.propagated || deciding == Replacement::Blocked || p.path == "Type",
            ) {
                (Some(why), true) => format!("{} changed: {why}", p.path),
                _ if !p.spec.is_empty() => {
                    format!("{} changed by {}", p.path, p.spec.join(", "))
                }
                _ => format!("{} changed", p.path),
            }
        })
        .collect();
    parts.join("; ")
}

/// The destructive line of a resource, when it has one.
fn destructive_line(stack: &str, r: &ResourceDiff) -> Option<String> {
    let what = match r.impact {
        Impact::Replace => format!("will be replaced ({})", reason(r)),
        Impact::MayReplace => format!("may be replaced ({})", reason(r)),
        Impact::Destroy if !r.spec.is_empty() => {
            format!("will be destroyed (follows {})", r.spec.join(", "))
        }
        Impact::Destroy => "will be destroyed".to_owned(),
        Impact::Orphan if !r.spec.is_empty() => format!(
            "will be orphaned (its DeletionPolicy keeps it; follows {})",
            r.spec.join(", ")
        ),
        Impact::Orphan => "will be orphaned (its DeletionPolicy keeps it)".to_owned(),
        Impact::Blocked => format!("cannot be updated ({})", reason(r)),
        _ => r.data_loss.clone()?,
    };
    let tag = match (&r.data_loss, r.impact) {
        (Some(_), Impact::Replace | Impact::MayReplace | Impact::Destroy) => " [data loss]",
        _ => "",
    };
    Some(format!("{stack}: {} {} {what}{tag}", r.kind, r.logical_id))
}

/// Writes the readable form. With `text`, a unified diff of each changed template follows.
pub fn text(w: &mut dyn Write, diff: &Diff, color: bool, with_text: bool) -> io::Result<()> {
    let p = Paint { color };
    let changed: Vec<&StackDiff> = diff.stacks.iter().filter(|s| s.is_changed()).collect();
    for s in &changed {
        let status = match s.status {
            super::StackStatus::Added => "new stack",
            super::StackStatus::Removed => "stack removed",
            _ => "modified",
        };
        writeln!(
            w,
            "{} ({status}): {}",
            p.style(Style::new().bold(), &format!("Stack {}", s.stack)),
            p.impact(s.impact, s.impact.as_str())
        )?;
        for r in &s.resources {
            let head = format!("{:<5} {} {}", marker(r.impact), r.kind, r.logical_id);
            writeln!(w, "  {}: {}", p.impact(r.impact, &head), r.impact.as_str())?;
            if let Some(old) = &r.old_type {
                writeln!(w, "        (was {old})")?;
            }
            if !r.spec.is_empty() {
                writeln!(w, "        follows {}", r.spec.join(", "))?;
            }
            for prop in &r.properties {
                writeln!(
                    w,
                    "        {}{}{}",
                    from_spec(prop),
                    prop.path,
                    property_note(prop)
                )?;
            }
            if !r.attributes.is_empty() {
                writeln!(w, "        attributes: {}", r.attributes.join(", "))?;
            }
            if let Some(loss) = &r.data_loss {
                writeln!(
                    w,
                    "        {}",
                    p.impact(Impact::Destroy, &format!("data loss: {loss}"))
                )?;
            }
        }
        for (title, entries) in [
            ("Parameters", &s.parameters),
            ("Outputs", &s.outputs),
            ("Conditions", &s.conditions),
        ] {
            if !entries.is_empty() {
                writeln!(w, "  {title}:")?;
                for e in entries {
                    writeln!(w, "    {}", entry_line(e))?;
                }
            }
        }
        if !s.sections.is_empty() {
            writeln!(w, "  Other sections changed: {}", s.sections.join(", "))?;
        }
        writeln!(w)?;
    }
    access(
        w,
        &p,
        "IAM changes (+ added, - removed)",
        &changed,
        |s| &s.iam,
        "broadens permissions",
    )?;
    access(
        w,
        &p,
        "Security-group ingress changes (+ added, - removed)",
        &changed,
        |s| &s.ingress,
        "opens ingress",
    )?;
    let destructive: Vec<String> = changed
        .iter()
        .flat_map(|s| {
            s.resources
                .iter()
                .filter_map(|r| destructive_line(&s.stack, r))
        })
        .collect();
    if !destructive.is_empty() {
        writeln!(w, "{}", p.impact(Impact::Destroy, "Destructive changes:"))?;
        for line in destructive {
            writeln!(w, "  {}", p.impact(Impact::Destroy, &line))?;
        }
        writeln!(w)?;
    }
    if with_text {
        let mut wrote = false;
        for s in &changed {
            wrote |= unified_colored(w, &p, s)?;
        }
        if wrote {
            writeln!(w)?;
        }
    }
    summary(w, &p, diff)
}

fn entry_line(e: &EntryChange) -> String {
    let mut line = format!("{} {}", change_marker(e.change), e.id);
    if !e.fields.is_empty() {
        line.push_str(&format!(" ({})", e.fields.join(", ")));
    }
    if !e.via.is_empty() {
        let via: Vec<String> = e.via.iter().map(|v| format!("`{v}`")).collect();
        line.push_str(&format!(": its value changes with {}", via.join(", ")));
    }
    line
}

fn access(
    w: &mut dyn Write,
    p: &Paint,
    title: &str,
    stacks: &[&StackDiff],
    rows: impl for<'s> Fn(&'s StackDiff<'_>) -> &'s Vec<AccessChange>,
    flag: &str,
) -> io::Result<()> {
    if stacks.iter().all(|s| rows(s).is_empty()) {
        return Ok(());
    }
    writeln!(w, "{title}:")?;
    for s in stacks {
        for r in rows(s) {
            let note = if r.broadened {
                format!(" {}", p.impact(Impact::Destroy, &format!("[{flag}]")))
            } else {
                String::new()
            };
            writeln!(w, "  {}: {} {}{note}", s.stack, r.kind, r.logical_id)?;
            for a in &r.added {
                writeln!(w, "    {}", p.fg(AnsiColor::Green, &format!("+ {a}")))?;
            }
            for a in &r.removed {
                writeln!(w, "    {}", p.fg(AnsiColor::Red, &format!("- {a}")))?;
            }
        }
    }
    writeln!(w)
}

fn summary(w: &mut dyn Write, p: &Paint, diff: &Diff) -> io::Result<()> {
    let changed: Vec<String> = diff
        .stacks
        .iter()
        .filter(|s| s.is_changed())
        .map(|s| format!("{} ({})", s.stack, p.impact(s.impact, s.impact.as_str())))
        .collect();
    let n = diff.stacks.len();
    let stacks = if n == 1 { "stack" } else { "stacks" };
    if changed.is_empty() {
        writeln!(w, "No changes: {n} {stacks} compared.")
    } else {
        writeln!(
            w,
            "{} of {n} {stacks} changed, worst {}: {}",
            changed.len(),
            p.impact(diff.impact(), diff.impact().as_str()),
            changed.join(", ")
        )
    }
}

/// A unified diff of one stack's templates, both rendered as byoa's YAML so that a YAML side
/// and a JSON side compare by content. Empty when the two render the same.
pub fn unified(s: &StackDiff) -> String {
    let render = |t: Option<&super::Stack>| t.map(|t| to_yaml(t.template())).unwrap_or_default();
    let (a, b) = (render(s.old), render(s.new));
    if a == b {
        return String::new();
    }
    let name = |t: Option<&super::Stack>| t.map_or("/dev/null".to_owned(), |t| t.file.clone());
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(&name(s.old), &name(s.new))
        .to_string()
}

/// Writes the unified diff of one stack; true when there was one.
fn unified_colored(w: &mut dyn Write, p: &Paint, s: &StackDiff) -> io::Result<bool> {
    let text = unified(s);
    for line in text.lines() {
        let painted = if line.starts_with("+++") || line.starts_with("---") {
            p.style(Style::new().bold(), line)
        } else if line.starts_with('+') {
            p.fg(AnsiColor::Green, line)
        } else if line.starts_with('-') {
            p.fg(AnsiColor::Red, line)
        } else if line.starts_with("@@") {
            p.fg(AnsiColor::Cyan, line)
        } else {
            line.to_owned()
        };
        writeln!(w, "{painted}")?;
    }
    Ok(!text.is_empty())
}

/// The JSON document (see the module doc), pretty-printed.
pub fn json(w: &mut dyn Write, diff: &Diff, with_text: bool) -> io::Result<()> {
    let table = Table::get();
    let stacks: Vec<Value> = diff
        .stacks
        .iter()
        .filter(|s| s.is_changed())
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("a diff serializes");
            if with_text {
                v["text_diff"] = json!(unified(s));
            }
            v
        })
        .collect();
    let destructive: Vec<Value> = diff
        .stacks
        .iter()
        .flat_map(|s| {
            s.resources.iter().filter_map(|r| {
                destructive_line(&s.stack, r).map(|line| {
                    json!({
                        "stack": s.stack,
                        "logical_id": r.logical_id,
                        "type": r.kind,
                        "impact": r.impact,
                        "reason": reason(r),
                        "data_loss": r.data_loss,
                        "line": line,
                    })
                })
            })
        })
        .collect();
    let doc = json!({
        "format": "byoa-diff/1",
        "changed": diff.has_changes(),
        "impact": diff.impact(),
        "replacement_table": {"source": table.source, "schema_date": table.schema_date},
        "stacks": stacks,
        "unchanged": diff.stacks.iter().filter(|s| !s.is_changed()).map(|s| &s.stack).collect::<Vec<_>>(),
        "destructive": destructive,
    });
    writeln!(
        w,
        "{}",
        serde_json::to_string_pretty(&doc).expect("JSON serializes")
    )
}

//! Positions in YAML text (JSON is YAML too): a map from JSON pointer to the line and column of
//! each key and value, built from the parser's events in one walk.
//!
//! Input: text that already parsed into a value. Output: a `SourceMap` that resolves a pointer
//! (`/services/0/port`, `/Resources/Database`) to `file:line:column`, falling back to the
//! closest written ancestor for values a later stage filled in. The spec loader uses it for
//! diagnostics, `policy` for the lines of template resources. Positions are 1-based.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_saphyr::granit_parser::{Event, Parser};

use crate::diag::{Diagnostic, Location, Target, push_pointer};

/// A 1-based position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Where a node sits in the source: its key (for mapping entries) and its value.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Option<Pos>,
    value: Pos,
}

/// JSON pointer -> source positions, for one file or for a merged environment view.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    file: PathBuf,
    entries: HashMap<String, Entry>,
}

impl SourceMap {
    /// The file the positions refer to.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Resolves `pointer` to a location: the exact node if the user wrote it, else the closest
    /// ancestor that exists (a default-filled field reports at its parent).
    pub fn locate(&self, pointer: &str, target: Target) -> Location {
        let mut p = pointer;
        loop {
            if let Some(entry) = self.entries.get(p) {
                let pos = match (target, entry.key) {
                    (Target::Key, Some(key)) if p == pointer => key,
                    _ => entry.value,
                };
                return Location {
                    file: self.file.clone(),
                    line: pos.line,
                    column: pos.column,
                };
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => {
                    return Location {
                        file: self.file.clone(),
                        line: 1,
                        column: 1,
                    };
                }
            }
        }
    }

    /// Fills in `location` for every diagnostic that has a pointer.
    pub fn resolve(&self, diags: &mut [Diagnostic]) {
        for d in diags.iter_mut() {
            if d.location.is_none()
                && let Some(p) = &d.pointer
            {
                d.location = Some(self.locate(p, d.target));
            }
        }
    }

    /// Re-roots the entries below `from` at `to` (used to lay an environment overlay over the
    /// base document: `/environments/prod/network/nat` becomes `/network/nat`).
    pub fn overlay(&mut self, from: &str, to: &str) {
        let moved: Vec<(String, Entry)> = self
            .entries
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix(from)?;
                (rest.is_empty() || rest.starts_with('/')).then(|| (format!("{to}{rest}"), *v))
            })
            .collect();
        self.entries.extend(moved);
    }

    /// The position of exactly `pointer` (no ancestor stands in): its key's for `Target::Key`
    /// when it has one, else its value's.
    pub fn position(&self, pointer: &str, target: Target) -> Option<Pos> {
        let entry = self.entries.get(pointer)?;
        Some(match (target, entry.key) {
            (Target::Key, Some(key)) => key,
            _ => entry.value,
        })
    }

    fn insert(&mut self, pointer: String, key: Option<Pos>, value: Pos) {
        self.entries.insert(pointer, Entry { key, value });
    }
}

enum Frame {
    Map {
        pointer: String,
        key: Option<(String, Pos)>,
    },
    Seq {
        pointer: String,
        index: usize,
    },
}

impl SourceMap {
    /// Walks the YAML events of `text` (from `path`) once and records the position of every key
    /// and value by pointer. Meant for text that already parsed: a parser error just ends the
    /// walk early, leaving the positions found so far.
    pub fn from_yaml(path: &Path, text: &str) -> SourceMap {
        let mut map = SourceMap {
            file: path.to_path_buf(),
            ..SourceMap::default()
        };
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let pos = Pos {
                line: span.start.line(),
                column: span.start.col() + 1,
            };
            match event {
                Event::DocumentEnd => break,
                Event::Scalar(text, ..) => {
                    if let Some(Frame::Map { key, .. }) = stack.last_mut()
                        && key.is_none()
                    {
                        *key = Some((text.into_owned(), pos));
                        continue;
                    }
                    if let Some((ptr, key)) = next_child(&mut stack) {
                        map.insert(ptr, key, pos);
                    }
                }
                Event::Alias(_) => {
                    if let Some((ptr, key)) = next_child(&mut stack) {
                        map.insert(ptr, key, pos);
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let is_map = matches!(event, Event::MappingStart(..));
                    // A collection used as a mapping key is not valid spec input; give it a
                    // placeholder name so the walk stays aligned.
                    if let Some(Frame::Map { key, .. }) = stack.last_mut()
                        && key.is_none()
                    {
                        *key = Some(("?".to_owned(), pos));
                    }
                    let pointer = if stack.is_empty() {
                        map.insert(String::new(), None, pos);
                        String::new()
                    } else {
                        match next_child(&mut stack) {
                            Some((ptr, key)) => {
                                map.insert(ptr.clone(), key, pos);
                                ptr
                            }
                            None => String::new(),
                        }
                    };
                    stack.push(if is_map {
                        Frame::Map { pointer, key: None }
                    } else {
                        Frame::Seq { pointer, index: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        map
    }
}

/// The pointer of the next child of the innermost collection, advancing it.
fn next_child(stack: &mut [Frame]) -> Option<(String, Option<Pos>)> {
    match stack.last_mut()? {
        Frame::Map { pointer, key } => {
            let (name, key_pos) = key.take()?;
            Some((push_pointer(pointer, &name), Some(key_pos)))
        }
        Frame::Seq { pointer, index } => {
            let ptr = push_pointer(pointer, &index.to_string());
            *index += 1;
            Some((ptr, None))
        }
    }
}

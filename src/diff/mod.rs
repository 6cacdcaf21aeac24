//! Template diff: what changing one set of templates into another does to each stack, before
//! anything is sent to AWS.
//!
//! Stage: after `synth` (or beside it: any two sets of CloudFormation templates). Input: two
//! lists of `Stack`s (a stack name and its parsed template), paired by name. Output: a `Diff`,
//! per stack and per resource: added, modified (which top-level properties and attributes),
//! replaced, may-replace, removed (destroyed or orphaned), blocked (an update AWS refuses);
//! parameters, outputs, conditions and other sections; IAM and security-group ingress changes
//! apart, with broadened permissions and opened ingress flagged; data loss on stateful types.
//! Pure: no I/O, no clock. `load` reads the inputs, `render` prints the result.
//!
//! Why, back to the spec: `annotate(&mut diff, old, &new)` gives each changed property the
//! `byoa.yaml` fields that decide it in the new templates (`PropertyChange::spec`), and each
//! added (removed) resource the fields that decide whether it exists in the new (old) ones
//! (`ResourceDiff::spec`), from the source maps synthesis records
//! (`cfn::sources::SourceMap`: `out/sources.json` on disk, or the one `synth::Output` holds in
//! memory). A deployer with templates built in memory and no map of what is deployed calls
//! `annotate(&mut diff, None, &output.sources)`; `byoa diff` passes the maps of both sides
//! when they are directories that have one.
//!
//! The jobs, one file each: `compare` pairs stacks and entries and lists what changed;
//! `replace` predicts replacement from the embedded `table` and propagates it through
//! references; `nested` carries it from stack to stack through nested-stack parameters;
//! `classify` turns changes into impacts, data loss and access changes.
//!
//! Invariants: the diff of any template with itself is empty; replacement comes from data
//! (CloudFormation's resource provider schemas plus a small hand-kept list), never guesses; a
//! type the table does not know makes its changed properties "may replace", never "update".

pub mod classify;
pub mod compare;
pub mod load;
pub mod nested;
pub mod render;
pub mod replace;
pub mod table;

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use crate::cfn::sources::SourceMap;

/// One template to compare, named by its stack (the file stem: `database`).
///
/// A template whose other side has the same bytes is kept as text and parsed only if the diff
/// needs it (nested propagation into it, or finding its nested stacks): most templates of a
/// typical diff are untouched, and parsing YAML is most of a diff's time.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub name: String,
    /// Where it was read from, as the user named it (shown in text diffs).
    pub file: String,
    /// The source text of a deferred template.
    text: Option<String>,
    template: OnceLock<Value>,
}

impl Stack {
    /// A parsed template.
    pub fn new(name: impl Into<String>, file: impl Into<String>, template: Value) -> Stack {
        Stack {
            name: name.into(),
            file: file.into(),
            text: None,
            template: OnceLock::from(template),
        }
    }

    /// A template kept as text until needed. Text that turns out not to parse reads as an
    /// empty template: it is identical on both sides, so it is no change either way.
    pub fn deferred(name: impl Into<String>, file: impl Into<String>, text: String) -> Stack {
        Stack {
            name: name.into(),
            file: file.into(),
            text: Some(text),
            template: OnceLock::new(),
        }
    }

    /// The template, parsed on first use when deferred.
    pub fn template(&self) -> &Value {
        self.template.get_or_init(|| {
            let text = self.text.as_deref().unwrap_or_default();
            load::parse_value(&self.file, text)
                .unwrap_or_else(|_| Value::Object(Default::default()))
        })
    }

    /// Whether both are known equal without parsing: the same source bytes.
    fn same_text(&self, other: &Stack) -> bool {
        matches!((&self.text, &other.text), (Some(a), Some(b)) if a == b)
    }

    /// Whether the template can hold a nested stack; answered from the text while deferred.
    fn may_nest(&self) -> bool {
        match (&self.text, self.template.get()) {
            (Some(text), None) => text.contains("AWS::CloudFormation::Stack"),
            _ => true,
        }
    }
}

/// What a change does, ordered from harmless to worst (CDK's worst-of order, with `Blocked`,
/// an update that cannot succeed, above all: it fails the whole deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    NoChange,
    Update,
    Create,
    Orphan,
    MayReplace,
    Replace,
    Destroy,
    Blocked,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::NoChange => "no-change",
            Impact::Update => "update",
            Impact::Create => "create",
            Impact::Orphan => "orphan",
            Impact::MayReplace => "may-replace",
            Impact::Replace => "replace",
            Impact::Destroy => "destroy",
            Impact::Blocked => "blocked",
        }
    }
}

/// What changing one property does to its resource, from least to most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replacement {
    /// Updated in place.
    Never,
    /// `conditionalCreateOnlyProperties` (or a type the table lacks): may replace.
    Conditional,
    /// `createOnlyProperties`, or the resource's `Type`: replaces.
    Always,
    /// AWS refuses the change: the update fails.
    Blocked,
}

/// One changed top-level property (or `Type`) of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyChange {
    /// The property name (`DBName`), or `Type`.
    pub path: String,
    pub replacement: Replacement,
    /// Why, when more than "the value differs": the nested create-only pointer that changed,
    /// the replaced resource it references, or why AWS refuses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The value is the same in both templates but references a resource that is replaced or
    /// a parameter whose value changes (in another stack, see `nested`).
    pub propagated: bool,
    /// The spec fields that decide the property in the new templates (`annotate`), sorted;
    /// empty when unknown or propagated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spec: Vec<String>,
}

/// How a resource, parameter, output or condition differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Added,
    Removed,
    Modified,
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceDiff {
    pub logical_id: String,
    /// The type in the new template (the old one when removed).
    #[serde(rename = "type")]
    pub kind: String,
    /// The old type, when `Type` changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_type: Option<String>,
    pub change: Change,
    pub impact: Impact,
    /// Changed properties, in template order.
    pub properties: Vec<PropertyChange>,
    /// Changed resource attributes (`DeletionPolicy`, `DependsOn`, `Metadata`, ...).
    pub attributes: Vec<String>,
    /// Why customer data is at risk, for stateful types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<String>,
    /// For an added or removed resource, the spec fields that decide whether it exists
    /// (`annotate`), sorted; empty when unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spec: Vec<String>,
}

/// One parameter, output or condition that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    pub id: String,
    pub change: Change,
    /// Keys of the entry that differ (`Default`, `Value`, ...), when it is a mapping.
    pub fields: Vec<String>,
    /// Replaced resources and changing parameters the entry references: its value changes
    /// even when its text does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// Grants or ingress rules of one resource that were added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessChange {
    pub logical_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Added grants / rules, one readable line each (`Allow s3:GetObject on arn:...`).
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// More is allowed than before: an added allow, a removed deny or boundary, an ingress rule
    /// no old rule covers.
    pub broadened: bool,
}

/// Whether a stack is new, gone, or in both sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackStatus {
    Added,
    Removed,
    Modified,
    Unchanged,
}

/// Everything that differs in one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackDiff<'a> {
    pub stack: String,
    pub status: StackStatus,
    /// The worst impact of anything in the stack.
    pub impact: Impact,
    pub resources: Vec<ResourceDiff>,
    pub parameters: Vec<EntryChange>,
    pub outputs: Vec<EntryChange>,
    pub conditions: Vec<EntryChange>,
    /// Other top-level sections that differ (`Description`, `Metadata`, `Rules`, `Mappings`).
    pub sections: Vec<String>,
    /// IAM: policies, roles, trust, attachments, resource policies.
    pub iam: Vec<AccessChange>,
    /// Security-group ingress rules.
    pub ingress: Vec<AccessChange>,
    #[serde(skip)]
    pub old: Option<&'a Stack>,
    #[serde(skip)]
    pub new: Option<&'a Stack>,
}

impl StackDiff<'_> {
    pub fn is_changed(&self) -> bool {
        self.status != StackStatus::Unchanged
    }
}

/// The whole comparison, stacks sorted by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff<'a> {
    pub stacks: Vec<StackDiff<'a>>,
}

impl Diff<'_> {
    /// The worst impact over every stack.
    pub fn impact(&self) -> Impact {
        self.stacks
            .iter()
            .map(|s| s.impact)
            .max()
            .unwrap_or(Impact::NoChange)
    }

    pub fn has_changes(&self) -> bool {
        self.stacks.iter().any(StackDiff::is_changed)
    }
}

/// Compares `old` with `new` (paired by stack name) and classifies every change.
pub fn diff<'a>(old: &'a [Stack], new: &'a [Stack]) -> Diff<'a> {
    // `pair` yields stacks sorted by name: the output order is stable.
    let mut stacks: Vec<StackDiff<'a>> = compare::pair(old, new)
        .into_iter()
        .map(|(old, new)| rows(old, new))
        .collect();
    // Replacement spreads inside each stack, and from stack to stack through nested-stack
    // parameters, before anything is classified.
    nested::propagate(&mut stacks);
    let empty = Value::Object(Default::default());
    for s in &mut stacks {
        if !s.resources.is_empty() {
            let old_t = s.old.map_or(&empty, Stack::template);
            let new_t = s.new.map_or(&empty, Stack::template);
            for r in &mut s.resources {
                classify::resource(r, old_t, new_t);
            }
        }
        classify::stack(s);
    }
    Diff { stacks }
}

/// Gives every changed property of `diff`, and every added resource, the spec fields that
/// decide it according to `new` (the new side's source map); every removed resource those
/// `old` (the old side's, when there is one) names. Propagated rows are left alone: their own
/// value did not change, so the fields behind it are not why they change (the upstream row
/// says why).
pub fn annotate(diff: &mut Diff<'_>, old: Option<&SourceMap>, new: &SourceMap) {
    let owned = |fields: Vec<&str>| fields.into_iter().map(str::to_owned).collect();
    for s in &mut diff.stacks {
        for r in &mut s.resources {
            match r.change {
                Change::Added => r.spec = owned(new.resource_fields(&s.stack, &r.logical_id)),
                Change::Removed => {
                    let fields = old.map(|m| m.resource_fields(&s.stack, &r.logical_id));
                    r.spec = owned(fields.unwrap_or_default());
                }
                Change::Modified => {}
            }
            for p in r.properties.iter_mut().filter(|p| !p.propagated) {
                p.spec = owned(new.fields(&s.stack, &r.logical_id, &p.path));
            }
        }
    }
}

/// The unclassified rows of one stack.
fn rows<'a>(old: Option<&'a Stack>, new: Option<&'a Stack>) -> StackDiff<'a> {
    let mut s = StackDiff {
        stack: old.or(new).map(|s| s.name.clone()).unwrap_or_default(),
        status: StackStatus::Unchanged,
        impact: Impact::NoChange,
        resources: Vec::new(),
        parameters: Vec::new(),
        outputs: Vec::new(),
        conditions: Vec::new(),
        sections: Vec::new(),
        iam: Vec::new(),
        ingress: Vec::new(),
        old,
        new,
    };
    // Equal templates have no rows of their own (nested propagation may still add some).
    if let (Some(o), Some(n)) = (old, new)
        && (o.same_text(n) || o.template() == n.template())
    {
        return s;
    }
    let empty = Value::Object(Default::default());
    let old_t = old.map_or(&empty, Stack::template);
    let new_t = new.map_or(&empty, Stack::template);
    s.resources = compare::resources(old_t, new_t);
    s.parameters = compare::entries(old_t, new_t, "Parameters");
    s.outputs = compare::entries(old_t, new_t, "Outputs");
    s.conditions = compare::entries(old_t, new_t, "Conditions");
    s.sections = compare::sections(old_t, new_t);
    s.iam = classify::iam(old_t, new_t);
    s.ingress = classify::ingress(old_t, new_t);
    s
}

#[cfg(test)]
mod tests;

//! Synthesis: `Model` -> rendered templates + manifest, checked, then written to `out/`, with
//! the source map the compilers recorded (`sources.json`: the spec fields behind each resource
//! property, for `byoa diff` and other readers).
//!
//! `synthesize` is pure (model in, bytes out) and refuses templates that break CloudFormation's
//! limits or hold dangling references, with a diagnostic per problem. `Output::write` is the only
//! code that touches `out/`: it writes every file into a staging directory and swaps that in for
//! `out/` as a whole (`out_dir`), so a failed or killed run leaves the previous output whole and
//! files of earlier runs that this run does not produce are gone. An I/O failure is an `io.write`
//! diagnostic naming the path.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cfn::capabilities::{self, Capability};
use crate::cfn::sources::{self, SourceMap};
use crate::cfn::{check, emit};
use crate::diag::{Code, Diagnostic};
use crate::hash::sha256_hex;
use crate::modules::{self, Stack};
use crate::naming::RULE_FILE_KEY;
use crate::out_dir;
use crate::spec::Loaded;

pub const MANIFEST: &str = "manifest.json";
/// The stack graph `byoa synth --graph` writes beside the templates.
pub const GRAPH: &str = "graph.md";

/// The access page `byoa synth --access-doc` writes beside the templates.
pub const ACCESS_PAGE: &str = "access.md";

/// One emitted template.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub stack: Stack,
    pub file: String,
    pub body: String,
}

/// What `out/manifest.json` records for one template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestEntry {
    pub module: String,
    pub stack_name: String,
    pub file: String,
    pub sha256: String,
    pub bytes: usize,
    pub resources: usize,
    pub parameters: usize,
    pub outputs: usize,
    /// What the deployer takes to create or update the stack. Absent in manifests written
    /// before byoa recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deployable>,
}

/// One stack as a deployer creates or updates it (a change set's inputs): nothing it must
/// work out again from the template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Deployable {
    pub stack_name: String,
    /// The template body, a file in the output directory.
    pub template: String,
    /// The parameters the template declares, in its order: a deployer supplies a value for
    /// every one without a default.
    pub parameters: Vec<DeployParameter>,
    /// The stack's tags: the ones every resource of the template already carries, so tagging
    /// the stack changes no resource.
    pub tags: Vec<Tag>,
    /// What the deployer acknowledges (`Capabilities`), its nested stacks' included.
    pub capabilities: Vec<Capability>,
}

/// A parameter of a deployable stack.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeployParameter {
    pub key: String,
    /// The CloudFormation type: a `List<...>` value is passed comma-joined.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
}

/// A stack tag, in the API's shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// `out/manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub byoa_version: String,
    pub product: String,
    pub environment: String,
    pub region: String,
    pub spec_sha256: String,
    pub templates: Vec<ManifestEntry>,
    /// The Guard rules the in-account hook evaluates (`compliance.enforce_in_account`): upload
    /// it to the artifact bucket under `guard/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_file: Option<String>,
    /// The source map (`sources.json`): the spec fields behind each resource property of each
    /// template. Absent in manifests written before byoa recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
}

/// Synthesis output, ready to write.
#[derive(Debug, Clone)]
pub struct Output {
    pub templates: Vec<Rendered>,
    /// The hook's rule file: path under the output directory and text.
    pub rule_file: Option<(String, String)>,
    /// The spec fields behind each template's resource properties, per stack.
    pub sources: SourceMap,
    pub manifest: Manifest,
    /// `graph.md`, when asked for (`with_graph`).
    pub graph: Option<String>,
    /// `access.md`, when asked for (set by the command, which renders it from the emitted
    /// access template).
    pub access_page: Option<String>,
}

/// Renders every stack of `loaded`. `hook_rules` is the in-account hook's Guard rule file
/// (made by `policy::hook` when the model enforces in the account): written beside the
/// templates at the key the access module's hook reads. Errors are located in the template
/// they concern.
pub fn synthesize(
    loaded: &Loaded,
    format: emit::Format,
    hook_rules: Option<String>,
) -> Result<Output, Vec<Diagnostic>> {
    let model = &loaded.model;
    let mut problems = Vec::new();
    let mut templates = Vec::new();
    for (rendered, found) in render_all(modules::build_all(model, format.extension())?, format) {
        problems.extend(found);
        templates.push(rendered);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let capabilities = nested_capabilities(&templates);
    let entries = templates
        .iter()
        .zip(capabilities)
        .map(|(r, capabilities)| ManifestEntry {
            module: r.stack.module.clone(),
            stack_name: r.stack.stack_name.clone(),
            file: r.file.clone(),
            sha256: sha256_hex(r.body.as_bytes()),
            bytes: r.body.len(),
            resources: r.stack.template.resources.len(),
            parameters: r.stack.template.parameters.len(),
            outputs: r.stack.template.outputs.len(),
            deploy: Some(deployable(r, capabilities)),
        })
        .collect();
    let rule_file = hook_rules.map(|text| (RULE_FILE_KEY.to_owned(), text));
    let sources = SourceMap {
        stacks: templates
            .iter_mut()
            .map(|r| (r.stack.module.clone(), r.stack.template.take_sources()))
            .collect(),
    };
    Ok(Output {
        manifest: Manifest {
            rule_file: rule_file.as_ref().map(|(path, _)| path.clone()),
            sources: Some(sources::FILE.to_owned()),
            byoa_version: env!("CARGO_PKG_VERSION").to_owned(),
            product: model.product.clone(),
            environment: model.environment.clone(),
            region: model.region.clone(),
            spec_sha256: loaded.spec_sha256.clone(),
            templates: entries,
        },
        templates,
        rule_file,
        sources,
        graph: None,
        access_page: None,
    })
}

/// Each template's capabilities, widened by those of the stacks it nests (a nested stack is an
/// `AWS::CloudFormation::Stack` whose logical id is the child's, as the root names them).
/// Children come before the stacks that nest them, so theirs are complete when a parent looks.
fn nested_capabilities(templates: &[Rendered]) -> Vec<Vec<Capability>> {
    let mut all: Vec<BTreeSet<Capability>> = Vec::with_capacity(templates.len());
    for r in templates {
        let nests = |child: &Rendered| {
            let id = crate::naming::child_id(&child.stack.module);
            r.stack
                .template
                .resources
                .get(&id)
                .is_some_and(|res| res.kind == "AWS::CloudFormation::Stack")
        };
        let nested = templates.iter().zip(&all).filter(|(child, _)| nests(child));
        let own = capabilities::required(&r.stack.template);
        let widened = capabilities::with_nested(&own, nested.map(|(_, caps)| caps));
        all.push(widened);
    }
    all.into_iter().map(|c| c.into_iter().collect()).collect()
}

fn deployable(r: &Rendered, capabilities: Vec<Capability>) -> Deployable {
    let t = &r.stack.template;
    Deployable {
        stack_name: r.stack.stack_name.clone(),
        template: r.file.clone(),
        parameters: t
            .parameters
            .iter()
            .map(|(key, p)| DeployParameter {
                key: key.clone(),
                kind: p.kind.clone(),
                default: p.default.clone(),
            })
            .collect(),
        tags: t
            .tags()
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
        capabilities,
    }
}

/// Every stack rendered, in order, the stacks shared out over the machine's cores (rendering
/// and checking a template is pure and dominates synthesis of many services). The largest
/// templates are handed out first, so that no core is left rendering a big one alone at the
/// end (monitoring and root, the largest, come last in stack order).
fn render_all(stacks: Vec<Stack>, format: emit::Format) -> Vec<(Rendered, Vec<Diagnostic>)> {
    let mut jobs: Vec<(usize, Stack)> = stacks.into_iter().enumerate().collect();
    jobs.sort_by_key(|(_, s)| std::cmp::Reverse(s.template.resources.len()));
    let mut done = crate::parallel::map(jobs, crate::parallel::cores(4), |(i, stack)| {
        (i, render_one(stack, format))
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// One stack's bytes, and what is wrong with its template.
fn render_one(mut stack: Stack, format: emit::Format) -> (Rendered, Vec<Diagnostic>) {
    let file = stack.file(format.extension());
    let (body, problems) = stack.template.lend_value(|template, value| {
        let body = emit::render(value, format);
        let problems = check::problems(&file, template, value, body.len());
        (body, problems)
    });
    let rendered = Rendered { stack, file, body };
    (rendered, problems)
}

impl Manifest {
    /// The stack name of `module` (`root`, `access`, ...).
    pub fn stack_name(&self, module: &str) -> Option<&str> {
        self.templates
            .iter()
            .find(|t| t.module == module)
            .map(|t| t.stack_name.as_str())
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the manifest serializes");
        s.push('\n');
        s
    }
}

impl Output {
    /// Adds `graph.md`, the Mermaid diagram of the stacks, to what `write` writes.
    pub fn with_graph(mut self) -> Self {
        let stacks: Vec<_> = self.templates.iter().map(|r| r.stack.clone()).collect();
        self.graph = Some(crate::graph::markdown(&stacks));
        self
    }

    /// Replaces `dir` with this output as a whole (see `out_dir`): every file is written into
    /// a staging directory, which is then swapped in, so a failed or killed run leaves the
    /// previous output complete, and files of earlier runs that this run does not produce are
    /// gone. Returns the paths written, under `dir`.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
        let staging = out_dir::stage(dir, &owned_names(read_manifest(dir).as_ref()))?;
        let mut files: Vec<(&str, &[u8])> = self
            .templates
            .iter()
            .map(|r| (r.file.as_str(), r.body.as_bytes()))
            .collect();
        if let Some((file, text)) = &self.rule_file {
            files.push((file, text.as_bytes()));
        }
        let sources = self.sources.to_json();
        files.push((sources::FILE, sources.as_bytes()));
        if let Some(graph) = &self.graph {
            files.push((GRAPH, graph.as_bytes()));
        }
        if let Some(page) = &self.access_page {
            files.push((ACCESS_PAGE, page.as_bytes()));
        }
        let manifest = self.manifest.to_json();
        files.push((MANIFEST, manifest.as_bytes()));
        staging.write(&files)?;
        staging.commit()?;
        Ok(files.iter().map(|(file, _)| dir.join(file)).collect())
    }
}

/// The top-level names in an output directory that byoa wrote, going by its manifest: what
/// a new run may replace.
fn owned_names(manifest: Option<&Manifest>) -> BTreeSet<String> {
    let Some(m) = manifest else {
        return BTreeSet::new();
    };
    let files = m.templates.iter().map(|t| t.file.as_str());
    let listed = files
        .chain(m.rule_file.as_deref())
        .chain(m.sources.as_deref());
    listed
        .chain([MANIFEST, GRAPH, ACCESS_PAGE, sources::FILE])
        .filter_map(|f| Path::new(f).components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// An `io.write` diagnostic about `path`.
fn io_error(path: &Path, message: String) -> Diagnostic {
    Diagnostic::file_error(Code::IoWrite, path, message)
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(dir).map_err(|e| {
        io_error(
            dir,
            format!("cannot create directory `{}`: {e}", dir.display()),
        )
    })
}

/// The manifest in `dir`, if there is a readable one.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk and renames it over
/// `path`, so readers see the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io_error(path, format!("`{}` has no file name", path.display())))?;
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, format!("cannot write `{}`: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::cfn::emit::Format;

    #[test]
    fn the_hook_rule_file_is_written_and_listed_in_the_manifest() {
        let loaded = crate::spec::load_str(
            Path::new("byoa.yaml"),
            "product: {name: acme, vendor_account_id: \"111111111111\"}\naccess: {vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}\nregion: us-east-1\n",
            None,
            &Default::default(),
        )
        .expect("valid");
        let out = super::synthesize(&loaded, Format::Yaml, Some("rule R {}\n".to_owned()))
            .expect("renders");
        assert_eq!(
            out.rule_file,
            Some((super::RULE_FILE_KEY.to_owned(), "rule R {}\n".to_owned()))
        );
        assert_eq!(
            out.manifest.rule_file.as_deref(),
            Some(super::RULE_FILE_KEY)
        );
        let dir = tempfile::tempdir().unwrap();
        out.write(dir.path()).expect("writes");
        let written = std::fs::read_to_string(dir.path().join("guard/byoa-rules.guard")).unwrap();
        assert_eq!(written, "rule R {}\n");

        let plain = super::synthesize(&loaded, Format::Yaml, None).expect("renders");
        assert!(plain.rule_file.is_none() && plain.manifest.rule_file.is_none());
    }
}

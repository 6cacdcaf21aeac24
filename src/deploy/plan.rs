//! The plan: one synthesis output and the deployed stack's state -> the uploads and the change
//! set request that deploy it. Pure.
//!
//! The root stack's module templates go to the access stack's artifact bucket under
//! `templates/<hash>/`, the hash being over every module template, so a key never changes
//! meaning and a rerun uploads to the same place; `ArtifactBaseUrl` points there. The hook's
//! rule file goes to its fixed key. A root template over the 51,200 bytes `TemplateBody` takes
//! is uploaded too and sent by URL; the access stack, which creates that bucket, is sent inline
//! as compact JSON (the same template without whitespace).
//!
//! Parameters: a value given on the command line wins; `ArtifactBaseUrl` is byoa's; an update
//! keeps a parameter's previous value; a parameter with a default may be left out; any other
//! is missing, and every missing or unknown one is a `deploy.parameter` diagnostic.
//!
//! The change set is named from a hash of everything it is sent, so a rerun with the same
//! inputs finds the change set it made before (left for review, or blocked) instead of making
//! another.

use std::collections::BTreeMap;

use super::{ChangeSetKind, ChangeSetRequest, ParameterValue, StackState, TemplateSource};
use crate::diag::{Code, Diagnostic};
use crate::hash::sha256_hex;
use crate::naming::{self, RULE_FILE_KEY, console::ARTIFACT_BASE_URL};
use crate::synth::{Output, Rendered};

/// The largest `TemplateBody` CloudFormation takes; larger templates go by URL.
pub const MAX_BODY: usize = 51_200;

/// `rendered`'s template as JSON without whitespace, when that fits inline.
fn compact(rendered: &Rendered) -> Result<String, Vec<Diagnostic>> {
    let body = rendered.stack.template.to_value().to_string();
    if body.len() > MAX_BODY {
        return Err(vec![Diagnostic::new(
            Code::DeployPlan,
            format!(
                "`{}` is {} bytes ({} as compact JSON), over the {MAX_BODY} CloudFormation takes inline, and there is no artifact bucket to send it by URL",
                rendered.file,
                rendered.body.len(),
                body.len()
            ),
        )]);
    }
    Ok(body)
}

/// Which stack to deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The root stack and its nested module stacks: the vendor's product.
    Root,
    /// The access stack: the customer's, deployed only when named.
    Access,
}

impl Target {
    pub fn module(self) -> &'static str {
        match self {
            Target::Root => naming::ROOT,
            Target::Access => naming::ACCESS,
        }
    }
}

/// One object to put in the artifact bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub key: String,
    pub body: String,
}

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub target: Target,
    pub uploads: Vec<Upload>,
    pub request: ChangeSetRequest,
}

/// What a plan is made from.
pub struct Inputs<'a> {
    pub output: &'a Output,
    pub target: Target,
    /// The stack as deployed, when it exists (and holds resources: not `REVIEW_IN_PROGRESS`).
    pub existing: Option<&'a StackState>,
    /// `--parameter KEY=VALUE`, in order.
    pub given: &'a [(String, String)],
    /// The artifact bucket, for the root stack.
    pub bucket: Option<&'a str>,
    /// The role CloudFormation acts with, for the root stack.
    pub role_arn: Option<&'a str>,
}

/// Makes the plan. `url` gives the URL CloudFormation reads an object of the bucket from.
pub fn plan(
    inputs: &Inputs<'_>,
    url: &dyn Fn(&str, &str) -> String,
) -> Result<Plan, Vec<Diagnostic>> {
    let module = inputs.target.module();
    let output = inputs.output;
    let rendered = output.templates.iter().find(|r| r.stack.module == module);
    let entry = output
        .manifest
        .templates
        .iter()
        .find(|t| t.module == module);
    let (Some(rendered), Some(deployable)) = (rendered, entry.and_then(|e| e.deploy.as_ref()))
    else {
        return Err(vec![Diagnostic::new(
            Code::DeployPlan,
            format!("the synthesized output holds no `{module}` stack to deploy"),
        )]);
    };
    let mut uploads = Vec::new();
    let mut computed = BTreeMap::new();
    if inputs.target == Target::Root {
        let Some(bucket) = inputs.bucket else {
            return Err(vec![Diagnostic::new(
                Code::DeployPlan,
                "the root stack needs the access stack's artifact bucket",
            )]);
        };
        let modules = nested(output);
        let prefix = format!("templates/{}", set_hash(&modules));
        for r in &modules {
            uploads.push(Upload {
                key: format!("{prefix}/{}", r.file),
                body: r.body.clone(),
            });
        }
        if let Some((_, text)) = &output.rule_file {
            uploads.push(Upload {
                key: RULE_FILE_KEY.to_owned(),
                body: text.clone(),
            });
        }
        computed.insert(ARTIFACT_BASE_URL.to_owned(), url(bucket, &prefix));
    }
    let parameters = parameters(rendered, &deployable.parameters, inputs, &computed)?;
    let template = match (rendered.body.len() > MAX_BODY, inputs.bucket) {
        (false, _) => TemplateSource::Body(rendered.body.clone()),
        (true, Some(bucket)) => {
            let key = format!(
                "templates/{}/{}",
                &sha256_hex(rendered.body.as_bytes())[..16],
                rendered.file
            );
            uploads.push(Upload {
                key: key.clone(),
                body: rendered.body.clone(),
            });
            TemplateSource::Url(url(bucket, &key))
        }
        // The access stack creates the bucket, so it cannot go by URL: the same template as
        // compact JSON (no indentation) is what CloudFormation takes inline.
        (true, None) => TemplateSource::Body(compact(rendered)?),
    };
    let kind = match inputs.existing {
        Some(s) if !s.is_review() => ChangeSetKind::Update,
        _ => ChangeSetKind::Create,
    };
    let mut request = ChangeSetRequest {
        stack_name: deployable.stack_name.clone(),
        name: String::new(),
        kind,
        template,
        parameters,
        capabilities: deployable
            .capabilities
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        tags: deployable
            .tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect(),
        role_arn: inputs.role_arn.map(str::to_owned),
        description: format!(
            "byoa {} · spec sha256 {}",
            output.manifest.byoa_version,
            &output.manifest.spec_sha256[..16.min(output.manifest.spec_sha256.len())]
        ),
    };
    request.name = change_set_name(&request, &uploads);
    Ok(Plan {
        target: inputs.target,
        uploads,
        request,
    })
}

/// The templates the root stack nests (every one but the root and the access stack).
pub fn nested(output: &Output) -> Vec<&Rendered> {
    output
        .templates
        .iter()
        .filter(|r| r.stack.module != naming::ROOT && r.stack.module != naming::ACCESS)
        .collect()
}

/// A short hash over the module templates' names and bytes: the folder they are uploaded to,
/// so a folder's content never changes (old stacks and links keep reading what they read).
pub fn set_hash(modules: &[&Rendered]) -> String {
    let mut text = String::new();
    for r in modules {
        text.push_str(&r.file);
        text.push('\n');
        text.push_str(&sha256_hex(r.body.as_bytes()));
        text.push('\n');
    }
    sha256_hex(text.as_bytes())[..16].to_owned()
}

/// `byoa-` and a hash of everything the change set is sent: rerunning the same deploy finds it.
fn change_set_name(request: &ChangeSetRequest, uploads: &[Upload]) -> String {
    let mut text = format!("{:?}\n{}\n", request.kind, request.stack_name);
    match &request.template {
        TemplateSource::Body(b) => text.push_str(&sha256_hex(b.as_bytes())),
        TemplateSource::Url(u) => text.push_str(u),
    }
    for p in &request.parameters {
        text.push_str(&format!("\n{}={:?}", p.key, p.value));
    }
    for (k, v) in &request.tags {
        text.push_str(&format!("\ntag {k}={v}"));
    }
    for c in &request.capabilities {
        text.push_str(&format!("\ncap {c}"));
    }
    if let Some(role) = &request.role_arn {
        text.push_str(&format!("\nrole {role}"));
    }
    for u in uploads {
        text.push_str(&format!("\nput {}", u.key));
    }
    format!("byoa-{}", &sha256_hex(text.as_bytes())[..20])
}

/// Every parameter's value, or every problem with them.
fn parameters(
    rendered: &Rendered,
    declared: &[crate::synth::DeployParameter],
    inputs: &Inputs<'_>,
    computed: &BTreeMap<String, String>,
) -> Result<Vec<ParameterValue>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut given: BTreeMap<&str, &str> = BTreeMap::new();
    for (k, v) in inputs.given {
        if computed.contains_key(k) {
            problems.push(
                Diagnostic::new(
                    Code::DeployParameter,
                    format!("`{k}` is set by byoa (where it uploaded the module templates)"),
                )
                .with_help(format!("drop `--parameter {k}=...`")),
            );
        } else if !declared.iter().any(|p| p.key == *k) {
            let names: Vec<&str> = declared
                .iter()
                .map(|p| p.key.as_str())
                .filter(|n| !computed.contains_key(*n))
                .collect();
            let mut d = Diagnostic::new(
                Code::DeployParameter,
                format!(
                    "the `{}` stack has no parameter `{k}`",
                    inputs.target.module()
                ),
            );
            d = match crate::diag::did_you_mean(k, names.iter().copied()) {
                Some(near) => d.with_help(format!("did you mean `{near}`?")),
                None => d.with_help(format!("its parameters: {}", names.join(", "))),
            };
            problems.push(d);
        } else if given.insert(k, v).is_some() {
            problems.push(Diagnostic::new(
                Code::DeployParameter,
                format!("`--parameter {k}=...` is given twice"),
            ));
        }
    }
    let previous = inputs
        .existing
        .filter(|s| !s.is_review())
        .map(|s| s.parameters.as_slice())
        .unwrap_or_default();
    let mut values = Vec::new();
    for p in declared {
        let value = if let Some(v) = computed.get(&p.key) {
            Some(v.clone())
        } else if let Some(v) = given.get(p.key.as_str()) {
            Some((*v).to_owned())
        } else if previous.contains(&p.key) {
            None
        } else if p.default.is_some() {
            continue;
        } else {
            let about = rendered
                .stack
                .template
                .parameters
                .get(&p.key)
                .map(|d| d.description.clone())
                .unwrap_or_default();
            problems.push(
                Diagnostic::new(
                    Code::DeployParameter,
                    format!(
                        "parameter `{}` of the `{}` stack has no value: {about}",
                        p.key,
                        inputs.target.module()
                    ),
                )
                .with_help(format!("pass `--parameter {}=VALUE`", p.key)),
            );
            continue;
        };
        values.push(ParameterValue {
            key: p.key.clone(),
            value,
        });
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests;

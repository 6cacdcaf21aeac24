//! Stack graph: the synthesized stacks -> a Mermaid flowchart of the stacks and their wiring.
//!
//! Edges are read from the root template itself (a child parameter fed by
//! `Fn::GetAtt [Other, Outputs.X]`), so the picture shows what CloudFormation will do, not a
//! second model of it. GitHub renders the result in Markdown files, READMEs and PRs.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::cfn::Template;
use crate::modules::Stack;
use crate::modules::root;
use crate::naming::child_id;

/// How many output names an edge label lists before it says "+N more".
const LABEL_NAMES: usize = 3;

/// A Markdown document with one Mermaid flowchart.
pub fn markdown(stacks: &[Stack]) -> String {
    let mut s = String::from("```mermaid\nflowchart LR\n");
    for st in stacks {
        let id = child_id(&st.module);
        let shape = if st.module == root::MODULE {
            format!(
                "{id}[/\"{} (root)<br/>{} stacks\"/]",
                st.stack_name,
                st.template.resources.len()
            )
        } else {
            let n = st.template.resources.len();
            let noun = if n == 1 { "resource" } else { "resources" };
            format!("{id}[\"{}<br/>{n} {noun}\"]", st.module)
        };
        s.push_str(&format!("  {shape}\n"));
    }
    let Some(root) = stacks.iter().find(|s| s.module == root::MODULE) else {
        s.push_str("```\n");
        return s;
    };
    for edge in wiring(&root.template) {
        let names = &edge.outputs;
        let mut label: Vec<String> = names.iter().take(LABEL_NAMES).cloned().collect();
        if names.len() > LABEL_NAMES {
            label.push(format!("+{} more", names.len() - LABEL_NAMES));
        }
        s.push_str(&format!(
            "  {} -->|\"{}\"| {}\n",
            edge.from,
            label.join(", "),
            edge.to
        ));
    }
    let root_id = child_id(root::MODULE);
    for id in root.template.resources.keys() {
        s.push_str(&format!("  {root_id} -.-> {id}\n"));
    }
    s.push_str("```\n");
    s
}

/// One wire of the root template: the nested stack `to` takes outputs of the nested stack
/// `from` as parameters (`Fn::GetAtt [from, Outputs.X]`). Both are logical ids of the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// The output names, in the order the parameters of `to` name them.
    pub outputs: Vec<String>,
}

/// Every wire of `root`, one per pair of stacks, sorted by the template order of `from`, then
/// of `to`. A `GetAtt` on something that is not a resource of the root is not a wire.
pub fn wiring(root: &Template) -> Vec<Edge> {
    let order: Vec<&String> = root.resources.keys().collect();
    let mut edges: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for (t, resource) in root.resources.values().enumerate() {
        let params = resource
            .properties
            .get("Parameters")
            .and_then(Value::as_object);
        for value in params.into_iter().flat_map(|p| p.values()) {
            let Some([Value::String(from), Value::String(attr)]) = value
                .get("Fn::GetAtt")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            else {
                continue;
            };
            let Some(f) = order.iter().position(|o| *o == from) else {
                continue;
            };
            edges
                .entry((f, t))
                .or_default()
                .push(attr.trim_start_matches("Outputs.").to_owned());
        }
    }
    edges
        .into_iter()
        .map(|((f, t), outputs)| Edge {
            from: order[f].clone(),
            to: order[t].clone(),
            outputs,
        })
        .collect()
}

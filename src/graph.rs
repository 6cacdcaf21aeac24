//! Stack graph: the synthesized stacks -> a Mermaid flowchart of the stacks and their wiring.
//!
//! Edges are read from the root template itself (a child parameter fed by
//! `Fn::GetAtt [Other, Outputs.X]`), so the picture shows what CloudFormation will do, not a
//! second model of it. GitHub renders the result in Markdown files, READMEs and PRs.

use std::collections::BTreeMap;

use serde_json::Value;

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
    let mut edges: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let order: Vec<String> = root.template.resources.keys().cloned().collect();
    for (to, resource) in &root.template.resources {
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
            let (Some(f), Some(t)) = (
                order.iter().position(|o| o == from),
                order.iter().position(|o| o == to),
            ) else {
                continue;
            };
            edges
                .entry((f, t))
                .or_default()
                .push(attr.trim_start_matches("Outputs.").to_owned());
        }
    }
    for ((f, t), names) in &edges {
        let mut label: Vec<String> = names.iter().take(LABEL_NAMES).cloned().collect();
        if names.len() > LABEL_NAMES {
            label.push(format!("+{} more", names.len() - LABEL_NAMES));
        }
        s.push_str(&format!(
            "  {} -->|\"{}\"| {}\n",
            order[*f],
            label.join(", "),
            order[*t]
        ));
    }
    let root_id = child_id(root::MODULE);
    for id in &order {
        s.push_str(&format!("  {root_id} -.-> {id}\n"));
    }
    s.push_str("```\n");
    s
}

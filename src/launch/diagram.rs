//! The architecture picture of the launch page: the synthesized stacks -> an inline SVG.
//!
//! Input: every stack of one synthesis. Output: one `<svg>` element (no script, no external
//! reference, every text escaped). The stacks the customer launches on their own (the access
//! stack) stand above the root stack's frame; inside it, the nested stacks are laid out in
//! rows by their wiring (`graph::wiring`: a stack sits above every stack it feeds), so the
//! picture reads top-down: network, then cluster and database, then services, then
//! monitoring. A row wider than `COLUMNS` wraps inside a dashed group, and edges then meet the
//! group instead of each stack, so 50 services stay a readable block rather than a web.
//! Every stack is one `<g class="node" data-stack="...">`. Invariants: deterministic (template
//! order, no clock); the same stacks give the same bytes.

use std::fmt::Write as _;

use crate::graph::{Edge, wiring};
use crate::modules::{Stack, root};
use crate::naming::child_id;

/// The drawing's width in SVG units; the page scales it to its column.
const WIDTH: f64 = 480.0;
/// Stacks per row before a row wraps.
const COLUMNS: usize = 3;
const NODE_H: f64 = 46.0;
const GAP_X: f64 = 16.0;
/// Vertical room between rows, where the edges run.
const GAP_Y: f64 = 40.0;
/// Room inside a frame (the root's, a group's) around what it holds.
const PAD: f64 = 14.0;
/// The height of a frame's title line.
const TITLE_H: f64 = 22.0;
/// Characters of a stack's name shown before it is cut (the full name is its tooltip).
const NAME_CHARS: usize = 17;
/// What the modules of services start with.
const SERVICE: &str = "service-";

/// One drawn box.
struct Node<'a> {
    stack: &'a Stack,
    /// The name on the box: the module's, less a prefix its group's title already says.
    label: &'a str,
    x: f64,
    y: f64,
    w: f64,
}

/// A row of the root's nested stacks, with the box edges meet: the group's frame when the
/// row wraps, else each node.
struct Row {
    nodes: Vec<usize>,
    /// The dashed frame of a wrapped row: x, y, w, h.
    group: Option<(f64, f64, f64, f64)>,
    /// Every stack of the row is a service's.
    services: bool,
}

/// The SVG of `stacks` (a synthesis's stacks, in its order).
pub fn svg(stacks: &[&Stack]) -> String {
    let root = stacks.iter().copied().find(|s| s.module == root::MODULE);
    let edges = root.map(|r| wiring(&r.template)).unwrap_or_default();
    let nested: Vec<&Stack> = match root {
        Some(r) => stacks
            .iter()
            .copied()
            .filter(|s| r.template.resources.contains_key(&child_id(&s.module)))
            .collect(),
        None => Vec::new(),
    };
    let alone: Vec<&Stack> = stacks
        .iter()
        .copied()
        .filter(|s| s.module != root::MODULE && !nested.iter().any(|n| n.module == s.module))
        .collect();

    let mut nodes: Vec<Node> = Vec::new();
    let mut y = 8.0;
    // The stacks launched on their own, side by side on the first row.
    if !alone.is_empty() {
        let w = node_width(WIDTH - 16.0 - 2.0 * PAD, COLUMNS);
        y = place_rows(&mut nodes, &alone, 8.0, WIDTH - 16.0, w, y, "");
        y += GAP_Y / 2.0;
    }
    let frame_top = y;
    let mut rows: Vec<Row> = Vec::new();
    if root.is_some() {
        y += TITLE_H + PAD;
        let inner_x = 8.0 + PAD;
        let inner_w = WIDTH - 16.0 - 2.0 * PAD;
        let w = node_width(inner_w, COLUMNS);
        for layer in layers(&nested, &edges) {
            let first = nodes.len();
            let members: Vec<&Stack> = layer.iter().map(|i| nested[*i]).collect();
            // A wrapped row of services says so once, in its title, not on every box.
            let shared = if members.iter().all(|m| m.module.starts_with(SERVICE)) {
                SERVICE.to_owned()
            } else {
                String::new()
            };
            let group = if members.len() > COLUMNS {
                let top = y;
                let gx = inner_x;
                y += TITLE_H;
                let inner = inner_w - 2.0 * PAD;
                let gw = node_width(inner, COLUMNS);
                y = place_rows(&mut nodes, &members, gx + PAD, inner, gw, y, &shared);
                y += PAD / 2.0;
                Some((gx, top, inner_w, y - top))
            } else {
                y = place_rows(&mut nodes, &members, inner_x, inner_w, w, y, "");
                None
            };
            rows.push(Row {
                nodes: (first..nodes.len()).collect(),
                group,
                services: !shared.is_empty(),
            });
            y += GAP_Y;
        }
        y = y - GAP_Y + PAD;
    }
    let height = y + 8.0;

    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"diagram-title\" \
         font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">\n\
         <title id=\"diagram-title\">The stacks and how they are wired: {} stacks</title>\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" \
         fill=\"#57606a\"/></marker></defs>\n",
        stacks.len()
    );
    if let Some(root) = root {
        let _ = write!(
            s,
            "<g class=\"node root\" data-stack=\"{name}\"><title>{name}: the root stack, {n} \
             nested stacks</title>\n<rect x=\"8\" y=\"{frame_top}\" width=\"{fw}\" height=\"{fh}\" \
             rx=\"10\" fill=\"#f6f8fa\" stroke=\"#8c959f\"/>\n<text x=\"{tx}\" y=\"{ty}\" \
             font-size=\"12\" font-weight=\"600\" fill=\"#24292f\">{name} <tspan \
             font-weight=\"400\" fill=\"#57606a\">root stack, {n} nested</tspan></text></g>\n",
            name = escape(&root.stack_name),
            n = root.template.resources.len(),
            fw = WIDTH - 16.0,
            fh = height - 8.0 - frame_top,
            tx = 8.0 + PAD,
            ty = frame_top + PAD + 6.0,
        );
    }
    // Edges first: a group's fill hides the wires that pass behind it to the row below.
    s.push_str(&edge_paths(&nodes, &rows, &edges));
    for row in &rows {
        if let Some((x, y, w, h)) = row.group {
            let _ = write!(
                s,
                "<g class=\"group\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"8\" \
                 fill=\"#ffffff\" stroke=\"#8c959f\" stroke-dasharray=\"4 3\"/>\n<text x=\"{tx}\" \
                 y=\"{ty}\" font-size=\"12\" fill=\"#57606a\">{n} {what}, side by side</text></g>\n",
                tx = x + PAD,
                ty = y + 15.0,
                n = row.nodes.len(),
                what = if row.services { "services" } else { "stacks" },
            );
        }
    }
    for node in &nodes {
        s.push_str(&node_svg(node));
    }
    s.push_str("</svg>");
    s
}

/// Rows of `nested` (indices). A stack sits as low as its wiring lets it: the row is set by
/// the longest chain of wires that leaves it, so everything a row feeds is below it and
/// stacks of one kind (the services, which all feed monitoring) share a row.
fn layers(nested: &[&Stack], edges: &[Edge]) -> Vec<Vec<usize>> {
    let ids: Vec<String> = nested.iter().map(|s| child_id(&s.module)).collect();
    let mut below = vec![0usize; nested.len()];
    // The wiring is acyclic (CloudFormation refuses a cycle); `nested.len()` passes settle
    // every chain, and bound the loop should that ever not hold.
    for _ in 0..nested.len() {
        let mut moved = false;
        for e in edges {
            let (Some(f), Some(t)) = (
                ids.iter().position(|i| *i == e.from),
                ids.iter().position(|i| *i == e.to),
            ) else {
                continue;
            };
            if below[f] < below[t] + 1 {
                below[f] = below[t] + 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    let deepest = below.iter().copied().max().unwrap_or(0);
    (0..=deepest)
        .rev()
        .map(|d| (0..nested.len()).filter(|i| below[*i] == d).collect())
        .filter(|row: &Vec<usize>| !row.is_empty())
        .collect()
}

fn node_width(inner: f64, columns: usize) -> f64 {
    let n = columns.max(1) as f64;
    (inner - (n - 1.0) * GAP_X) / n
}

/// Places `stacks` in rows of at most `COLUMNS` nodes of width `w`, each row centred in
/// `[x, x + inner]`, from `y`. Returns the y below the last row.
fn place_rows<'a>(
    nodes: &mut Vec<Node<'a>>,
    stacks: &[&'a Stack],
    x: f64,
    inner: f64,
    w: f64,
    mut y: f64,
    prefix: &str,
) -> f64 {
    for chunk in stacks.chunks(COLUMNS) {
        let used = chunk.len() as f64 * w + (chunk.len() as f64 - 1.0) * GAP_X;
        let mut nx = x + (inner - used) / 2.0;
        for stack in chunk {
            let label = stack.module.as_str();
            nodes.push(Node {
                stack,
                label: label.strip_prefix(prefix).unwrap_or(label),
                x: nx,
                y,
                w,
            });
            nx += w + GAP_X;
        }
        y += NODE_H + GAP_X;
    }
    y - GAP_X
}

/// Where an edge leaves or meets a stack: its own box, or its row's group when wrapped.
fn anchor(nodes: &[Node], rows: &[Row], index: usize) -> (f64, f64, f64) {
    let row = rows.iter().find(|r| r.nodes.contains(&index));
    match row.and_then(|r| r.group) {
        Some((x, y, w, h)) => (x + w / 2.0, y, y + h),
        None => {
            let n = &nodes[index];
            (n.x + n.w / 2.0, n.y, n.y + NODE_H)
        }
    }
}

/// One path per wire (wires between the same two boxes drawn once), behind the nodes.
fn edge_paths(nodes: &[Node], rows: &[Row], edges: &[Edge]) -> String {
    let find = |id: &str| nodes.iter().position(|n| child_id(&n.stack.module) == id);
    let mut drawn: Vec<((u64, u64), (u64, u64))> = Vec::new();
    let mut s = String::new();
    for e in edges {
        let (Some(f), Some(t)) = (find(&e.from), find(&e.to)) else {
            continue;
        };
        let (x1, _, bottom) = anchor(nodes, rows, f);
        let (x2, top, _) = anchor(nodes, rows, t);
        let key = (
            (x1.to_bits(), bottom.to_bits()),
            (x2.to_bits(), top.to_bits()),
        );
        if drawn.contains(&key) {
            continue;
        }
        drawn.push(key);
        let bend = (top - bottom).abs().max(GAP_Y) / 2.0;
        let _ = writeln!(
            s,
            "<path class=\"edge\" d=\"M{x1} {bottom}C{x1} {c1} {x2} {c2} {x2} {end}\" fill=\"none\" \
             stroke=\"#57606a\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"><title>{} \
             -&gt; {}: {}</title></path>",
            escape(&nodes[f].stack.module),
            escape(&nodes[t].stack.module),
            escape(&e.outputs.join(", ")),
            c1 = bottom + bend,
            c2 = top - bend,
            end = top - 1.0,
        );
    }
    s
}

fn node_svg(node: &Node) -> String {
    let (fill, stroke) = colours(&node.stack.module);
    let n = node.stack.template.resources.len();
    let noun = if n == 1 { "resource" } else { "resources" };
    let name: String = if node.label.chars().count() > NAME_CHARS {
        let cut: String = node.label.chars().take(NAME_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        node.label.to_owned()
    };
    format!(
        "<g class=\"node\" data-stack=\"{stack}\"><title>{stack}: {n} {noun}</title>\n\
         <rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{NODE_H}\" rx=\"6\" fill=\"{fill}\" \
         stroke=\"{stroke}\"/>\n<text x=\"{cx}\" y=\"{ty1}\" text-anchor=\"middle\" \
         font-size=\"12\" font-weight=\"600\" fill=\"#24292f\">{name}</text>\n<text x=\"{cx}\" \
         y=\"{ty2}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#57606a\">{n} {noun}</text></g>\n",
        stack = escape(&node.stack.stack_name),
        name = escape(&name),
        x = node.x,
        y = node.y,
        w = node.w,
        cx = node.x + node.w / 2.0,
        ty1 = node.y + 20.0,
        ty2 = node.y + 36.0,
    )
}

/// Fill and stroke by the kind of stack, so the picture reads at a glance.
fn colours(module: &str) -> (&'static str, &'static str) {
    match module {
        "access" => ("#fff8c5", "#bf8700"),
        "network" => ("#ddf4ff", "#0969da"),
        "database" => ("#dafbe1", "#1a7f37"),
        "monitoring" => ("#ffebe9", "#cf222e"),
        m if m.starts_with(SERVICE) => ("#fbefff", "#8250df"),
        _ => ("#ffffff", "#57606a"),
    }
}

/// Text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::fixtures;

    fn drawing(example: &str) -> String {
        let output = fixtures::output(example, "prod");
        let stacks: Vec<&Stack> = output.templates.iter().map(|r| &r.stack).collect();
        svg(&stacks)
    }

    #[test]
    fn every_stack_is_one_node_and_every_wire_one_edge() {
        let s = drawing("acme-api");
        assert_eq!(s.matches("<g class=\"node").count(), 8, "{s}");
        for stack in [
            "network",
            "database",
            "service-api",
            "monitoring",
            "access",
            "root",
        ] {
            assert!(
                s.contains(&format!("data-stack=\"acme-api-prod-{stack}\"")),
                "{stack}: {s}"
            );
        }
        // network, cluster and database feed both services; everything feeds monitoring.
        assert_eq!(s.matches("<path class=\"edge\"").count(), 12, "{s}");
        assert!(s.contains("<title>database -&gt; service-api: DatabaseEndpointAddress, "));
        assert!(!s.contains("<script") && !s.contains("href"));
    }

    #[test]
    fn rows_follow_the_wiring() {
        let output = fixtures::output("acme-api", "prod");
        let root = output.templates.iter().find(|r| r.stack.module == "root");
        let edges = wiring(&root.unwrap().stack.template);
        let nested: Vec<&Stack> = output
            .templates
            .iter()
            .map(|r| &r.stack)
            .filter(|s| !["root", "access"].contains(&s.module.as_str()))
            .collect();
        let names: Vec<Vec<&str>> = layers(&nested, &edges)
            .iter()
            .map(|row| row.iter().map(|i| nested[*i].module.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            [
                vec!["network"],
                vec!["cluster", "database"],
                vec!["service-api", "service-worker"],
                vec!["monitoring"]
            ]
        );
    }

    #[test]
    fn fifty_services_wrap_in_a_group_and_stay_few_edges() {
        let s = drawing("acme-50");
        let output = fixtures::output("acme-50", "prod");
        assert_eq!(s.matches("<g class=\"node").count(), output.templates.len());
        assert_eq!(s.matches("<g class=\"group\">").count(), 1, "{s}");
        let edges = s.matches("<path class=\"edge\"").count();
        assert!(
            edges < 12,
            "{edges} edges: wires meet the group, not each service"
        );
        assert_eq!(s, drawing("acme-50"), "the same stacks give the same bytes");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
    }
}

//! Plain text tables for people: a header and rows, each column as wide as its widest cell,
//! separated by two spaces, no trailing spaces. Used by the fleet's status tables (`byoa
//! rollout`, `byoa fleet status`), which must read the same on a terminal and in a CI log.

/// `header` and `rows` as aligned lines, each ending in a newline.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            if i + 1 < cells.len() {
                let pad = widths.get(i).copied().unwrap_or(0);
                text.push_str(&" ".repeat(pad.saturating_sub(cell.chars().count())));
            }
        }
        let mut text = text.trim_end().to_owned();
        text.push('\n');
        text
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align_on_their_widest_cell_without_trailing_spaces() {
        let text = super::render(
            &["customer", "state", "detail"],
            &[
                vec!["acme-corp".into(), "deployed".into(), "".into()],
                vec!["b".into(), "failed".into(), "AccessDenied".into()],
            ],
        );
        assert_eq!(
            text,
            "customer   state     detail\nacme-corp  deployed\nb          failed    AccessDenied\n"
        );
    }
}

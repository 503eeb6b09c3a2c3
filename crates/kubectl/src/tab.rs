//! Column alignment like Go's `text/tabwriter` as kubectl configures it, including the
//! `RememberWidths` behaviour of liggitt/tabwriter that `kubectl get -w` relies on: columns only
//! grow between flushes.

/// Aligns tab-separated cells. `minwidth` and `padding` as in Go; the last cell of each line is
/// not padded. Trailing tab cells (a line ending in `\t`) are padded like the others.
pub fn align(rows: &[Vec<String>], minwidth: usize, padding: usize, widths: &mut Vec<usize>) -> String {
    for r in rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            let w = (c.chars().count() + padding).max(minwidth);
            if widths.len() <= i {
                widths.push(w);
            } else if widths[i] < w {
                widths[i] = w;
            }
        }
    }
    let mut s = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            s.push_str(c);
            if i + 1 < r.len() {
                let pad = widths[i].saturating_sub(c.chars().count());
                s.push_str(&" ".repeat(pad));
            }
        }
        s.push('\n');
    }
    s
}

/// kubectl's table writer (minwidth 6, padding 3) over tab-separated lines.
pub fn table(text: &str) -> String {
    let rows: Vec<Vec<String>> = text.lines().map(|l| l.split('\t').map(str::to_string).collect()).collect();
    align(&rows, 6, 3, &mut Vec::new())
}

/// The writer `kubectl rollout history` and friends use (minwidth 0, padding 2).
pub fn tabbed(text: &str) -> String {
    let rows: Vec<Vec<String>> = text.lines().map(|l| l.split('\t').map(str::to_string).collect()).collect();
    align(&rows, 0, 2, &mut Vec::new())
}

/// Splits an aligned table back into cells, using the header's column starts (columns are
/// separated by at least three spaces; a header may contain single spaces).
pub fn split_aligned(table: &str) -> Vec<Vec<String>> {
    let mut lines = table.lines();
    let Some(header) = lines.next() else { return Vec::new() };
    let chars: Vec<char> = header.chars().collect();
    let mut starts = vec![0usize];
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            let run_start = i;
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            if i - run_start >= 2 && i < chars.len() {
                starts.push(i);
            }
        } else {
            i += 1;
        }
    }
    let cut = |l: &str| -> Vec<String> {
        let cs: Vec<char> = l.chars().collect();
        let mut cells = Vec::new();
        for (j, &st) in starts.iter().enumerate() {
            let end = starts.get(j + 1).copied().unwrap_or(cs.len()).min(cs.len());
            let st = st.min(cs.len());
            let cell: String = cs[st..end].iter().collect();
            cells.push(cell.trim_end().to_string());
        }
        cells
    };
    std::iter::once(header).chain(lines).map(cut).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_remembers() {
        let mut w = Vec::new();
        let a = align(&[vec!["NAME".into(), "STATUS".into(), "AGE".into()], vec!["x".into(), "Pending".into(), "0s".into()]], 6, 3, &mut w);
        assert_eq!(a, "NAME   STATUS    AGE\nx      Pending   0s\n");
        let b = align(&[vec!["x".into(), "ContainerCreating".into(), "1s".into()]], 6, 3, &mut w);
        assert_eq!(b, "x      ContainerCreating   1s\n");
        let c = align(&[vec!["x".into(), "Running".into(), "2s".into()]], 6, 3, &mut w);
        assert_eq!(c, "x      Running             2s\n");
    }

    #[test]
    fn splits_back() {
        let t = table("NAME\tNOMINATED NODE\tAGE\nabc\t<none>\t5s\n");
        assert_eq!(split_aligned(&t)[1], vec!["abc", "<none>", "5s"]);
    }
}

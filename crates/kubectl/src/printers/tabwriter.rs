//! A port of Go's `text/tabwriter` (the subset kubectl uses: left alignment, space padding, no
//! flags). Cells are tab-terminated; the text after the last tab of a line is not part of any
//! column. A line without any tab ends the current block of aligned lines (Go flushes there).

/// Formats `text` exactly as Go's `tabwriter.NewWriter(w, minwidth, tabwidth, padding, ' ', 0)`
/// followed by `Flush()` would.
pub fn format(text: &str, minwidth: usize, padding: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut block: Vec<Vec<&str>> = Vec::new();
    let mut rest = text;
    loop {
        match rest.find('\n') {
            Some(i) => {
                let line = &rest[..i];
                rest = &rest[i + 1..];
                let cells: Vec<&str> = line.split('\t').collect();
                let single = cells.len() == 1;
                block.push(cells);
                if single {
                    flush(&block, minwidth, padding, &mut out, true);
                    block.clear();
                }
            }
            None => {
                if !block.is_empty() {
                    flush(&block, minwidth, padding, &mut out, true);
                    block.clear();
                }
                if !rest.is_empty() {
                    // A trailing partial line: its cells are written without alignment.
                    let cells: Vec<&str> = rest.split('\t').collect();
                    flush(&[cells], minwidth, padding, &mut out, false);
                }
                break;
            }
        }
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn flush(lines: &[Vec<&str>], minwidth: usize, padding: usize, out: &mut String, newline_last: bool) {
    let mut widths = Vec::new();
    fmt_block(lines, minwidth, padding, &mut widths, 0, lines.len(), out, newline_last);
}

#[allow(clippy::too_many_arguments)]
fn fmt_block(
    lines: &[Vec<&str>],
    minwidth: usize,
    padding: usize,
    widths: &mut Vec<usize>,
    mut line0: usize,
    line1: usize,
    out: &mut String,
    newline_last: bool,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, line0, this, out, newline_last);
        line0 = this;
        let mut w = minwidth;
        while this < line1 {
            let line = &lines[this];
            if column + 1 >= line.len() {
                break;
            }
            let cw = width(line[column]) + padding;
            if cw > w {
                w = cw;
            }
            this += 1;
        }
        widths.push(w);
        fmt_block(lines, minwidth, padding, widths, line0, this, out, newline_last);
        widths.pop();
        line0 = this;
        this += 1;
    }
    write_lines(lines, widths, line0, line1, out, newline_last);
}

fn write_lines(lines: &[Vec<&str>], widths: &[usize], line0: usize, line1: usize, out: &mut String, newline_last: bool) {
    for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() {
                let w = width(cell);
                for _ in w..widths[j] {
                    out.push(' ');
                }
            }
        }
        if newline_last || i + 1 != lines.len() {
            out.push('\n');
        }
    }
}

/// The table writer kubectl's `get` uses (minwidth 6, tabwidth 4, padding 3).
pub fn table(text: &str) -> String {
    format(text, 6, 3)
}

/// The writer `kubectl describe` uses (minwidth 0, tabwidth 8, padding 2).
pub fn describe(text: &str) -> String {
    format(text, 0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_like_go() {
        let s = table("NAME\tREADY\tSTATUS\nnginx-abc\t1/1\tRunning\n");
        assert_eq!(s, "NAME        READY   STATUS\nnginx-abc   1/1     Running\n");
    }

    #[test]
    fn minwidth_applies() {
        assert_eq!(table("A\tB\nx\ty\n"), "A     B\nx     y\n");
    }

    #[test]
    fn tabless_line_ends_block() {
        let s = describe("Name:\tx\nLongerName:\ty\nContainers:\n  a:\tb\n");
        assert_eq!(s, "Name:        x\nLongerName:  y\nContainers:\n  a:  b\n");
    }

    #[test]
    fn ragged_lines() {
        let s = describe("a\tb\tc\naaaa\tb\n");
        assert_eq!(s, "a     b  c\naaaa  b\n");
    }

    #[test]
    fn trailing_empty_cell_pads() {
        assert_eq!(describe("ab\t\nc\td\n"), "ab  \nc   d\n");
    }
}

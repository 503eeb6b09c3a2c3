//! `meta.k8s.io/v1` Tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), the form
//! `kubectl get` asks for. The columns and cells come from the same printers the terminal uses
//! (`pilothouse_kubectl::printers::print_table`): the text table of one object is cut back into
//! cells at the header's column starts (cells may contain spaces; columns are separated by at
//! least three), and a column is priority 1 when only `-o wide` shows it.

use chrono::{DateTime, Utc};
use pilothouse_engine::api::{Kind, Object};
use pilothouse_kubectl::printers::{print_table, TableOptions};
use serde_json::{json, Value};

/// What a Table row carries as `object` (`includeObject=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeObject {
    /// Nothing.
    None,
    /// A PartialObjectMetadata (the default).
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// From the query parameter.
    pub fn parse(s: Option<&str>) -> IncludeObject {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// Column starts and names of a header line.
fn header_columns(header: &str) -> Vec<(usize, String)> {
    let mut cols = Vec::new();
    let bytes: Vec<char> = header.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == ' ' {
            i += 1;
            continue;
        }
        let start = i;
        // A name ends at two consecutive spaces or the end of the line.
        while i < bytes.len() && !(bytes[i] == ' ' && (i + 1 >= bytes.len() || bytes[i + 1] == ' ')) {
            i += 1;
        }
        cols.push((start, bytes[start..i].iter().collect::<String>()));
    }
    cols
}

/// The columns (name, priority) of a kind's table.
pub fn columns(kind: Kind, sample: &Object, now: DateTime<Utc>) -> Vec<(String, u8)> {
    let wide = print_table(kind, &[sample], &TableOptions { wide: true, ..Default::default() }, now);
    let narrow = print_table(kind, &[sample], &TableOptions::default(), now);
    let narrow_names: Vec<String> = narrow.lines().next().map(header_columns).unwrap_or_default().into_iter().map(|c| c.1).collect();
    wide.lines()
        .next()
        .map(header_columns)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, n)| {
            let p = if narrow_names.contains(&n) { 0 } else { 1 };
            (n, p)
        })
        .collect()
}

/// The cells of one object's row (all columns, wide included).
pub fn cells(kind: Kind, obj: &Object, now: DateTime<Utc>) -> Vec<String> {
    let text = print_table(kind, &[obj], &TableOptions { wide: true, ..Default::default() }, now);
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let row: Vec<char> = lines.next().unwrap_or("").chars().collect();
    let cols = header_columns(header);
    let mut out = Vec::new();
    for (i, (start, _)) in cols.iter().enumerate() {
        let end = cols.get(i + 1).map(|c| c.0).unwrap_or(row.len());
        let s = (*start).min(row.len());
        let e = end.min(row.len()).max(s);
        out.push(row[s..e].iter().collect::<String>().trim_end().to_string());
    }
    out
}

fn column_definition(name: &str, priority: u8) -> Value {
    // kubectl upper-cases names; the API server sends them title-cased.
    let title: String = name
        .split(' ')
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let format = if name == "NAME" { "name" } else { "" };
    json!({"name": title, "type": "string", "format": format, "description": "", "priority": priority})
}

/// The row object for `includeObject`.
pub fn row_object(obj: &Object, include: IncludeObject) -> Value {
    match include {
        IncludeObject::None => Value::Null,
        IncludeObject::Object => obj.to_json(),
        IncludeObject::Metadata => {
            let meta = obj.to_json().get("metadata").cloned().unwrap_or(json!({}));
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta})
        }
    }
}

/// A Table of objects of one kind.
pub fn table(kind: Kind, objects: &[&Object], now: DateTime<Utc>, resource_version: &str, include: IncludeObject, with_columns: bool) -> Value {
    let cols = match objects.first() {
        Some(o) => columns(kind, o, now),
        None => empty_columns(kind, now),
    };
    let defs: Vec<Value> = cols.iter().map(|(n, p)| column_definition(n, *p)).collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut cells: Vec<Value> = cells(kind, o, now).into_iter().map(Value::String).collect();
            cells.resize(cols.len(), Value::String(String::new()));
            let mut r = json!({"cells": cells});
            if include != IncludeObject::None {
                r["object"] = row_object(o, include);
            }
            r
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": if with_columns { Value::Array(defs) } else { Value::Null },
        "rows": rows
    })
}

/// Columns of a kind when there is no object to print: a blank object of that kind.
fn empty_columns(kind: Kind, now: DateTime<Utc>) -> Vec<(String, u8)> {
    let info = kind.info();
    let blank = json!({"apiVersion": info.api_version(), "kind": info.kind, "metadata": {"name": "x"}});
    match Object::from_json_as(kind, blank) {
        Ok(o) => columns(kind, &o, now),
        Err(_) => vec![("NAME".into(), 0)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_split_keeps_names_with_one_space() {
        let cols = header_columns("NAME   READY   NOMINATED NODE   READINESS GATES");
        let names: Vec<&str> = cols.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(names, ["NAME", "READY", "NOMINATED NODE", "READINESS GATES"]);
    }

    #[test]
    fn pod_cells_and_wide_priority() {
        let c = pilothouse_engine::Cluster::minikube(1);
        let pods = c.list(Kind::Pod, Some("kube-system"));
        let now = c.api.clock.now();
        let cols = columns(Kind::Pod, &pods[0], now);
        assert_eq!(cols[0], ("NAME".to_string(), 0));
        assert!(cols.iter().any(|(n, p)| n == "NODE" && *p == 1));
        let cells = cells(Kind::Pod, &pods[0], now);
        assert_eq!(cells.len(), cols.len());
        assert_eq!(cells[0], pods[0].metadata().name.clone().unwrap());
        assert_eq!(cells[2], "Running");
    }
}

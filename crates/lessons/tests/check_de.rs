//! The hand-written `Deserialize` of a lesson's checks (`check_de.rs`) reads what the derive it
//! replaced read, and fails where it failed with the same message: the reference below is the
//! old derived enum, and the inputs are every check of every lesson, each with one field at a
//! time removed, replaced by a value of another type, or added.

use pilothouse_lessons::schema::Check;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;
use std::collections::BTreeMap;

/// The derive that `check_de.rs` replaced (same names: serde's messages carry them).
mod reference {
    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum Text {
        Plain(String),
        Both { en: String, ko: String },
    }

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Check {
        Exists {
            kind: String,
            name: String,
            #[serde(default)]
            namespace: Option<String>,
            text: Text,
        },
        Absent {
            kind: String,
            name: String,
            #[serde(default)]
            namespace: Option<String>,
            text: Text,
        },
        Field {
            kind: String,
            name: String,
            #[serde(default)]
            namespace: Option<String>,
            path: String,
            #[serde(default)]
            equals: Option<serde_yaml::Value>,
            #[serde(default)]
            matches: Option<String>,
            text: Text,
        },
        Pods {
            selector: String,
            #[serde(default)]
            namespace: Option<String>,
            #[serde(default)]
            phase: Option<String>,
            #[serde(default)]
            ready: Option<bool>,
            #[serde(default)]
            image: Option<String>,
            #[serde(default)]
            count: Option<usize>,
            #[serde(default)]
            min: Option<usize>,
            text: Text,
        },
        Scheduled {
            selector: String,
            #[serde(default)]
            namespace: Option<String>,
            #[serde(default)]
            node_labels: BTreeMap<String, String>,
            #[serde(default)]
            node: Option<String>,
            #[serde(default)]
            not_node: Option<String>,
            #[serde(default)]
            distinct_nodes: bool,
            #[serde(default)]
            min: Option<usize>,
            text: Text,
        },
        RolledOut {
            deployment: String,
            #[serde(default)]
            namespace: Option<String>,
            #[serde(default)]
            image: Option<String>,
            #[serde(default)]
            replicas: Option<i32>,
            text: Text,
        },
        PvcBound {
            name: String,
            #[serde(default)]
            namespace: Option<String>,
            #[serde(default)]
            volume: Option<String>,
            #[serde(default)]
            capacity: Option<String>,
            #[serde(default)]
            storage_class: Option<String>,
            text: Text,
        },
        Event {
            reason: String,
            #[serde(default)]
            object: Option<String>,
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            namespace: Option<String>,
            text: Text,
        },
        Command {
            patterns: Vec<String>,
            text: Text,
        },
        Http {
            url: String,
            #[serde(default)]
            contains: Option<String>,
            text: Text,
        },
        Node {
            name: String,
            #[serde(default)]
            ready: Option<bool>,
            #[serde(default)]
            unschedulable: Option<bool>,
            #[serde(default)]
            taint: Option<String>,
            #[serde(default)]
            no_taint: Option<String>,
            #[serde(default)]
            label: Option<String>,
            text: Text,
        },
    }
}

/// Both readings of `v`: the JSON each gives, or its error.
fn both(v: &Value) -> (Result<serde_json::Value, String>, Result<serde_json::Value, String>) {
    let ours = serde_yaml::from_value::<Check>(v.clone()).map(|c| serde_json::to_value(c).unwrap()).map_err(|e| e.to_string());
    let reference = serde_yaml::from_value::<reference::Check>(v.clone()).map(|c| serde_json::to_value(c).unwrap()).map_err(|e| e.to_string());
    (ours, reference)
}

fn key(s: &str) -> Value {
    Value::String(s.to_owned())
}

#[test]
fn checks_read_as_the_derived_deserializer_read_them() {
    let values: Vec<Value> = ["~", "true", "5", "-1", "1.5", "x", "[a]", "{u: 1}", "{en: a, ko: b}", "{en: a}", "{app: web}"]
        .iter()
        .map(|s| serde_yaml::from_str(s).unwrap())
        .collect();
    let every_field = ["kind", "name", "namespace", "path", "equals", "matches", "selector", "phase", "ready", "image", "count", "min", "node_labels", "node", "not_node", "distinct_nodes", "deployment", "replicas", "volume", "capacity", "storage_class", "reason", "object", "message", "patterns", "url", "contains", "unschedulable", "taint", "no_taint", "label", "text", "bogus"];
    let (mut checks, mut oks, mut errors) = (0, 0, 0);
    let mut tags = BTreeMap::new();
    for (file, text) in pilothouse_lessons::bundled() {
        let lesson: Value = serde_yaml::from_str(text).unwrap();
        for step in lesson["steps"].as_sequence().unwrap() {
            for check in step["checks"].as_sequence().into_iter().flatten() {
                checks += 1;
                *tags.entry(check["type"].as_str().unwrap().to_owned()).or_insert(0) += 1;
                let map = check.as_mapping().unwrap();
                let mut inputs = vec![check.clone()];
                for (k, _) in map {
                    let mut m = map.clone();
                    m.remove(k);
                    inputs.push(Value::Mapping(m));
                    for v in &values {
                        let mut m = map.clone();
                        m.insert(k.clone(), v.clone());
                        inputs.push(Value::Mapping(m));
                    }
                }
                for f in every_field {
                    if !map.contains_key(f) {
                        for v in &values {
                            let mut m = map.clone();
                            m.insert(key(f), v.clone());
                            inputs.push(Value::Mapping(m));
                        }
                    }
                }
                let mut m = map.clone();
                m.insert(key("type"), key("nope"));
                inputs.push(Value::Mapping(m));
                for input in inputs {
                    let (ours, reference) = both(&input);
                    assert_eq!(ours, reference, "{file}: {}", serde_yaml::to_string(&input).unwrap());
                    if ours.is_ok() { oks += 1 } else { errors += 1 }
                }
            }
        }
    }
    // Not a map at all. (serde's derive also read a check from a sequence, `[type, field, ...]`
    // in declaration order; no lesson is written so, and the lesson format refuses it.)
    for v in &values {
        let (ours, reference) = both(v);
        if v.is_sequence() {
            assert_eq!(ours, Err("invalid type: sequence, expected internally tagged enum Check".to_owned()));
        } else {
            assert_eq!(ours, reference);
        }
    }
    assert_eq!(tags.len(), 11, "every kind of check is in some lesson: {tags:?}");
    assert!(checks > 100 && oks > 1000 && errors > 1000, "{checks} checks, {oks} read, {errors} refused");
}

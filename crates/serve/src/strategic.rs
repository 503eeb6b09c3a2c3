//! Strategic merge patch as the API server applies it to built-in types: lists merge by their
//! patch merge key (`containers` by `name`, `ports` by `containerPort`/`port`, `taints` by `key`,
//! `volumeMounts` by `mountPath`, ...), and the directives client-go emits are understood:
//! `$patch: replace|delete|merge`, `$setElementOrder/FIELD`, `$retainKeys`,
//! `$deleteFromPrimitiveList/FIELD`. Lists without a merge key are replaced, as in Kubernetes.
//! Also [`merge_diff`], the RFC 7386 merge patch that turns one document into another.

use serde_json::{Map, Value};

/// The patch merge key of a list field, judged by the field name and the items' keys.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    let key = match field {
        "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets" | "resourceClaims" | "secrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                "containerPort"
            } else {
                "port"
            }
        }
        "taints" => "key",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "addresses" => "type",
        _ => return None,
    };
    let all_have = items.iter().filter(|i| i.get("$patch").and_then(Value::as_str) != Some("replace")).all(|i| i.get(key).is_some());
    all_have.then_some(key)
}

/// Lists of scalars that merge as sets.
fn primitive_merge(field: &str) -> bool {
    field == "finalizers"
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, v)| (k.clone(), strip_directives(v))).collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().filter(|i| i.get("$patch").is_none() || i.as_object().is_some_and(|m| m.len() > 1)).map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// Applies a strategic merge patch to `target`.
pub fn apply(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => merge_map(t, p),
        _ => *target = strip_directives(patch),
    }
}

fn merge_map(t: &mut Map<String, Value>, p: &Map<String, Value>) {
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        *t = strip_directives(&Value::Object(p.clone())).as_object().cloned().unwrap_or_default();
        return;
    }
    let mut orders: Vec<(String, Vec<Value>)> = Vec::new();
    let mut deletes: Vec<(String, Vec<Value>)> = Vec::new();
    let mut retain: Option<Vec<String>> = None;
    for (k, v) in p {
        if let Some(f) = k.strip_prefix("$setElementOrder/") {
            orders.push((f.to_string(), v.as_array().cloned().unwrap_or_default()));
            continue;
        }
        if let Some(f) = k.strip_prefix("$deleteFromPrimitiveList/") {
            deletes.push((f.to_string(), v.as_array().cloned().unwrap_or_default()));
            continue;
        }
        if k == "$retainKeys" {
            retain = v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect());
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(pm) => {
                if pm.get("$patch").and_then(Value::as_str) == Some("delete") {
                    t.remove(k);
                    continue;
                }
                let entry = t.entry(k.clone()).or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                if let Some(em) = entry.as_object_mut() {
                    merge_map(em, pm);
                }
            }
            Value::Array(items) => {
                let cur = t.remove(k);
                t.insert(k.clone(), merge_list(k, cur, items));
            }
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
    for (f, vals) in deletes {
        if let Some(Value::Array(a)) = t.get_mut(&f) {
            a.retain(|x| !vals.contains(x));
        }
    }
    for (f, order) in orders {
        if let Some(Value::Array(a)) = t.get_mut(&f) {
            reorder(&f, a, &order);
        }
    }
    if let Some(keep) = retain {
        t.retain(|k, _| keep.contains(k));
    }
}

fn reorder(field: &str, list: &mut Vec<Value>, order: &[Value]) {
    let key = if order.iter().all(Value::is_object) { merge_key(field, order) } else { None };
    let pos = |item: &Value| -> usize {
        order
            .iter()
            .position(|o| match key {
                Some(k) => o.get(k).is_some() && o.get(k) == item.get(k),
                None => o == item,
            })
            .unwrap_or(usize::MAX)
    };
    let mut indexed: Vec<(usize, usize, Value)> = list.drain(..).enumerate().map(|(i, v)| (pos(&v), i, v)).collect();
    indexed.sort_by_key(|(p, i, _)| (*p, *i));
    list.extend(indexed.into_iter().map(|(_, _, v)| v));
}

fn merge_list(field: &str, cur: Option<Value>, items: &[Value]) -> Value {
    if items.iter().any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace") && i.as_object().is_some_and(|m| m.len() == 1)) {
        return strip_directives(&Value::Array(items.to_vec()));
    }
    let mut cur: Vec<Value> = match cur {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    if let Some(key) = merge_key(field, items) {
        for item in items {
            let kv = item.get(key);
            let idx = cur.iter().position(|c| c.get(key) == kv);
            if item.get("$patch").and_then(Value::as_str) == Some("delete") {
                if let Some(i) = idx {
                    cur.remove(i);
                }
                continue;
            }
            match (idx, item.as_object()) {
                (Some(i), Some(pm)) => {
                    if let Some(cm) = cur[i].as_object_mut() {
                        merge_map(cm, pm);
                    }
                }
                _ => cur.push(strip_directives(item)),
            }
        }
        Value::Array(cur)
    } else if primitive_merge(field) {
        for item in items {
            if !cur.contains(item) {
                cur.push(item.clone());
            }
        }
        Value::Array(cur)
    } else {
        strip_directives(&Value::Array(items.to_vec()))
    }
}

/// The RFC 7386 merge patch that turns `old` into `new` (removed keys become `null`).
pub fn merge_diff(old: &Value, new: &Value) -> Value {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut out = Map::new();
            for (k, ov) in o {
                match n.get(k) {
                    None => {
                        out.insert(k.clone(), Value::Null);
                    }
                    Some(nv) if nv != ov => {
                        out.insert(k.clone(), merge_diff(ov, nv));
                    }
                    _ => {}
                }
            }
            for (k, nv) in n {
                if !o.contains_key(k) {
                    out.insert(k.clone(), nv.clone());
                }
            }
            Value::Object(out)
        }
        _ => new.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_image_patch_merges_containers_by_name() {
        let mut d = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1", "ports": [{"containerPort": 80}]}, {"name": "b", "image": "y"}]}}}});
        let p = json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}], "containers": [{"image": "x:2", "name": "a"}]}}}});
        apply(&mut d, &p);
        assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], "x:2");
        assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"], 80);
        assert_eq!(d["spec"]["template"]["spec"]["containers"][1]["name"], "b");
    }

    #[test]
    fn taints_merge_by_key_and_delete() {
        let mut n = json!({"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}});
        apply(&mut n, &json!({"spec": {"taints": [{"key": "b", "value": "1", "effect": "NoSchedule"}]}}));
        assert_eq!(n["spec"]["taints"].as_array().unwrap().len(), 2);
        apply(&mut n, &json!({"spec": {"$setElementOrder/taints": [{"key": "b"}], "taints": [{"$patch": "delete", "key": "a"}]}}));
        assert_eq!(n["spec"]["taints"], json!([{"key": "b", "value": "1", "effect": "NoSchedule"}]));
    }

    #[test]
    fn diff_round_trips() {
        let a = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        let b = json!({"a": 1, "b": {"c": 5}, "e": [1, 2], "f": "x"});
        let p = merge_diff(&a, &b);
        let mut x = a.clone();
        apply(&mut x, &p);
        assert_eq!(x, b);
    }
}

//! Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`),
//! which kubectl's typed clients send (`kubectl create deployment`, `create service`, the
//! Eviction of `drain`, ...). The body is `k8s\0` + a `runtime.Unknown` wrapping the object's
//! bytes; it is decoded to the same JSON the client would have sent, with a field table
//! (`proto_schema.txt`: message, field number, JSON name, type) extracted from the
//! `generated.proto` descriptors of k8s.io/api v1.32 by `tools/proto_*.py`.
//! Responses are always JSON (kubectl accepts both).

use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The content type kubectl's typed clients send.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\x00";

#[derive(Debug)]
struct Field {
    name: String,
    repeated: bool,
    ty: String,
}

#[derive(Debug, Default)]
struct Msg {
    is_map: bool,
    fields: HashMap<u32, Field>,
}

fn schema() -> &'static HashMap<String, Msg> {
    static S: OnceLock<HashMap<String, Msg>> = OnceLock::new();
    S.get_or_init(|| {
        let mut out = HashMap::new();
        for line in include_str!("proto_schema.txt").lines() {
            let (is_map, line) = match line.strip_prefix("M ") {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let mut parts = line.split(' ');
            let Some(name) = parts.next() else { continue };
            let mut msg = Msg { is_map, fields: HashMap::new() };
            for p in parts {
                let mut it = p.splitn(3, ':');
                let (Some(num), Some(fname), Some(ty)) = (it.next(), it.next(), it.next()) else { continue };
                let Ok(num) = num.parse() else { continue };
                let (repeated, ty) = match ty.strip_prefix('*') {
                    Some(t) => (true, t),
                    None => (false, ty),
                };
                msg.fields.insert(num, Field { name: fname.to_string(), repeated, ty: ty.to_string() });
            }
            out.insert(name.to_string(), msg);
        }
        out
    })
}

/// Pointer fields whose zero value means something (Go `*int32`/`*bool`); other zero scalars
/// are what gogo-protobuf writes for unset non-pointer fields and are dropped, as JSON omits them.
/// Fields of Go structs embedded with `json:",inline"`: protobuf names them, JSON does not
/// (their fields sit in the parent), e.g. an IngressRule's `ingressRuleValue` (`http`).
const INLINE: &[&str] = &["ingressRuleValue", "volumeSource", "persistentVolumeSource", "handler", "ephemeralContainerCommon"];

const KEEP_ZERO: &[&str] = &[
    "replicas", "terminationGracePeriodSeconds", "gracePeriodSeconds", "revisionHistoryLimit", "backoffLimit", "completions",
    "parallelism", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "progressDeadlineSeconds", "runAsUser", "runAsGroup",
    "fsGroup", "defaultMode", "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "startingDeadlineSeconds", "minReplicas",
    "automountServiceAccountToken", "enableServiceLinks", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot",
    "privileged", "suspend", "optional", "immutable", "allowVolumeExpansion", "controller", "blockOwnerDeletion",
    "allocateLoadBalancerNodePorts", "setHostnameAsFQDN", "shareProcessNamespace", "hostUsers", "ready", "serving", "terminating",
    "orphanDependents", "tolerationSeconds", "expirationSeconds", "priority",
];

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut r: u64 = 0;
        let mut shift = 0;
        loop {
            let c = *self.b.get(self.i).ok_or("truncated varint")?;
            self.i += 1;
            if shift < 64 {
                r |= u64::from(c & 0x7f) << shift;
            }
            shift += 7;
            if c < 0x80 {
                return Ok(r);
            }
            if shift > 70 {
                return Err("varint too long".into());
            }
        }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.i.checked_add(n).filter(|e| *e <= self.b.len()).ok_or("truncated field")?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

enum Wire<'a> {
    Varint(u64),
    Fixed64([u8; 8]),
    Fixed32([u8; 4]),
    Bytes(&'a [u8]),
}

fn read_fields(b: &[u8]) -> Result<Vec<(u32, Wire<'_>)>, String> {
    let mut r = Reader { b, i: 0 };
    let mut out = Vec::new();
    while !r.done() {
        let key = r.varint()?;
        let num = (key >> 3) as u32;
        let w = match key & 7 {
            0 => Wire::Varint(r.varint()?),
            1 => Wire::Fixed64(r.bytes(8)?.try_into().map_err(|_| "bad fixed64")?),
            2 => {
                let n = r.varint()? as usize;
                Wire::Bytes(r.bytes(n)?)
            }
            5 => Wire::Fixed32(r.bytes(4)?.try_into().map_err(|_| "bad fixed32")?),
            t => return Err(format!("unsupported wire type {t}")),
        };
        out.push((num, w));
    }
    Ok(out)
}

fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in b.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        s.push(A[(n >> 18) as usize & 63] as char);
        s.push(A[(n >> 12) as usize & 63] as char);
        s.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        s.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    s
}

fn scalar(ty: &str, w: &Wire<'_>) -> Result<Value, String> {
    Ok(match (ty, w) {
        ("string", Wire::Bytes(b)) => Value::String(String::from_utf8_lossy(b).into_owned()),
        ("bytes", Wire::Bytes(b)) => Value::String(base64(b)),
        ("bool", Wire::Varint(v)) => Value::Bool(*v != 0),
        ("int32" | "enum", Wire::Varint(v)) => Value::Number(Number::from(*v as i64 as i32)),
        ("int64", Wire::Varint(v)) => Value::Number(Number::from(*v as i64)),
        ("uint32" | "uint64", Wire::Varint(v)) => Value::Number(Number::from(*v)),
        ("double", Wire::Fixed64(b)) => Number::from_f64(f64::from_le_bytes(*b)).map(Value::Number).unwrap_or(Value::Null),
        ("float", Wire::Fixed32(b)) => Number::from_f64(f64::from(f32::from_le_bytes(*b))).map(Value::Number).unwrap_or(Value::Null),
        _ => return Err(format!("unexpected encoding for a {ty} field")),
    })
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// Special messages with a JSON form of their own. `None`: drop the field.
fn special(ty: &str, b: &[u8]) -> Result<Option<Option<Value>>, String> {
    let short = ty.rsplit('.').next().unwrap_or(ty);
    let pkg_meta = ty.starts_with("k8s.io.apimachinery.pkg.apis.meta.v1.");
    match (short, ty) {
        ("Quantity", _) => {
            let v = decode_message("k8s.io.apimachinery.pkg.api.resource.Quantity", b)?;
            Ok(Some(v.get("string").cloned()))
        }
        ("Time" | "MicroTime", _) if pkg_meta => {
            let mut secs = 0i64;
            let mut nanos = 0i64;
            for (n, w) in read_fields(b)? {
                if let Wire::Varint(v) = w {
                    match n {
                        1 => secs = v as i64,
                        2 => nanos = v as i64,
                        _ => {}
                    }
                }
            }
            if b.is_empty() {
                return Ok(Some(None));
            }
            let t = chrono::DateTime::from_timestamp(secs, nanos as u32).map(|t| {
                if short == "MicroTime" {
                    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
                } else {
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                }
            });
            Ok(Some(t.map(Value::String)))
        }
        ("IntOrString", _) => {
            let (mut t, mut i, mut s) = (0u64, 0i64, String::new());
            for (n, w) in read_fields(b)? {
                match (n, w) {
                    (1, Wire::Varint(v)) => t = v,
                    (2, Wire::Varint(v)) => i = v as i64 as i32 as i64,
                    (3, Wire::Bytes(x)) => s = String::from_utf8_lossy(x).into_owned(),
                    _ => {}
                }
            }
            Ok(Some(Some(if t == 1 { Value::String(s) } else { Value::Number(i.into()) })))
        }
        ("Duration", _) if pkg_meta => {
            let v = decode_message(ty, b)?;
            let ns = v.get("duration").and_then(Value::as_i64).unwrap_or(0);
            Ok(Some(Some(Value::String(format!("{}s", ns as f64 / 1e9)))))
        }
        ("RawExtension", _) => {
            for (n, w) in read_fields(b)? {
                if let (1, Wire::Bytes(raw)) = (n, w) {
                    return Ok(Some(serde_json::from_slice(raw).ok()));
                }
            }
            Ok(Some(None))
        }
        ("FieldsV1", _) => Ok(Some(None)),
        _ => Ok(None),
    }
}

fn decode_message(ty: &str, b: &[u8]) -> Result<Value, String> {
    let msg = schema().get(ty).ok_or_else(|| format!("no protobuf schema for {ty}"))?;
    let mut out = Map::new();
    for (num, w) in read_fields(b)? {
        let Some(f) = msg.fields.get(&num) else { continue };
        let values: Vec<Value> = if let Some(sub) = schema().get(&f.ty) {
            let Wire::Bytes(inner) = w else { return Err(format!("field {} is not a message", f.name)) };
            if sub.is_map {
                let entry = decode_message(&f.ty, inner)?;
                let key = entry.get("key").and_then(Value::as_str).unwrap_or("").to_string();
                let val = entry.get("value").cloned().unwrap_or_else(|| {
                    // A map of messages with an empty value, or of empty strings.
                    let vt = sub.fields.get(&2).map(|x| x.ty.as_str()).unwrap_or("string");
                    if vt == "string" || vt == "bytes" {
                        Value::String(String::new())
                    } else {
                        Value::Object(Map::new())
                    }
                });
                let m = out.entry(f.name.clone()).or_insert_with(|| Value::Object(Map::new()));
                if let Some(m) = m.as_object_mut() {
                    m.insert(key, val);
                }
                continue;
            }
            match special(&f.ty, inner)? {
                Some(Some(v)) => vec![v],
                Some(None) => continue,
                None => vec![decode_message(&f.ty, inner)?],
            }
        } else if let Some(special_v) = match &w {
            Wire::Bytes(inner) if !matches!(f.ty.as_str(), "string" | "bytes") && f.ty.contains('.') => special(&f.ty, inner)?,
            _ => None,
        } {
            match special_v {
                Some(v) => vec![v],
                None => continue,
            }
        } else if f.repeated && matches!(w, Wire::Bytes(_)) && !matches!(f.ty.as_str(), "string" | "bytes") {
            // A packed repeated scalar.
            let Wire::Bytes(inner) = w else { continue };
            let mut r = Reader { b: inner, i: 0 };
            let mut vals = Vec::new();
            while !r.done() {
                vals.push(scalar(&f.ty, &Wire::Varint(r.varint()?))?);
            }
            vals
        } else {
            vec![scalar(&f.ty, &w)?]
        };
        if f.repeated {
            let arr = out.entry(f.name.clone()).or_insert_with(|| Value::Array(Vec::new()));
            if let Some(a) = arr.as_array_mut() {
                a.extend(values);
            }
        } else if let Some(v) = values.into_iter().next() {
            if INLINE.contains(&f.name.as_str()) {
                if let Value::Object(fields) = v {
                    out.extend(fields);
                }
                continue;
            }
            if is_zero(&v) && !KEEP_ZERO.contains(&f.name.as_str()) {
                continue;
            }
            out.insert(f.name.clone(), v);
        }
    }
    Ok(Value::Object(out))
}

/// The protobuf message name of an apiVersion/kind (`apps/v1`, `Deployment`).
fn message_name(api_version: &str, kind: &str) -> String {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("core", api_version),
    };
    if group == "meta.k8s.io" || (kind == "DeleteOptions" && group == "core") {
        return format!("k8s.io.apimachinery.pkg.apis.meta.v1.{kind}");
    }
    let pkg = group.split('.').next().unwrap_or(group);
    format!("k8s.io.api.{pkg}.{version}.{kind}")
}

/// Decodes a protobuf request body to JSON (with `apiVersion` and `kind` from its envelope).
pub fn to_json(body: &[u8]) -> Result<Value, String> {
    let rest = body.strip_prefix(MAGIC).ok_or("the protobuf body does not start with the Kubernetes magic number")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, w) in read_fields(rest)? {
        match (n, w) {
            (1, Wire::Bytes(tm)) => {
                for (m, x) in read_fields(tm)? {
                    if let Wire::Bytes(s) = x {
                        match m {
                            1 => api_version = String::from_utf8_lossy(s).into_owned(),
                            2 => kind = String::from_utf8_lossy(s).into_owned(),
                            _ => {}
                        }
                    }
                }
            }
            (2, Wire::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    let mut v = decode_message(&message_name(&api_version, &kind), raw)?;
    if let Some(m) = v.as_object_mut() {
        let mut out = Map::new();
        out.insert("apiVersion".into(), Value::String(api_version));
        out.insert("kind".into(), Value::String(kind));
        out.extend(std::mem::take(m));
        return Ok(Value::Object(out));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u32, wt: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | u32::from(wt)) as u8];
        if wt == 2 {
            v.push(payload.len() as u8);
        }
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_namespace() {
        let meta = field(1, 2, b"team-a");
        let obj = field(1, 2, &meta);
        let tm = [field(1, 2, b"v1"), field(2, 2, b"Namespace")].concat();
        let body = [MAGIC.to_vec(), field(1, 2, &tm), field(2, 2, &obj)].concat();
        let v = to_json(&body).unwrap();
        assert_eq!(v, serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}));
    }

    #[test]
    fn inline_structs_are_flattened_as_in_json() {
        // Volume{name: data, volumeSource{hostPath{path: /d}}} -> {"name", "hostPath"}, as JSON has it.
        let host_path = field(1, 2, b"/d");
        let source = field(1, 2, &host_path);
        let vol = [field(1, 2, b"data"), field(2, 2, &source)].concat();
        let v = decode_message("k8s.io.api.core.v1.Volume", &vol).unwrap();
        assert_eq!(v, serde_json::json!({"name": "data", "hostPath": {"path": "/d"}}));
    }

    #[test]
    fn schema_knows_deployments() {
        assert!(schema().contains_key("k8s.io.api.apps.v1.Deployment"));
        assert!(schema().contains_key("k8s.io.api.policy.v1.Eviction"));
    }
}

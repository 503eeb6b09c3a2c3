//! A serde `Deserializer` over an owned `serde_json::Value` whose errors carry the path of the
//! value at fault (`spec.containers[0].ports[0].containerPort`), as `serde_path_to_error` gives.
//!
//! It is `serde_json`'s own `Value` deserializer (same visitor calls, same error messages)
//! with the path added as an error travels out through each map entry and array element. The
//! API types are read by the table-driven [`super::codec`], which calls this for its leaves
//! (strings, numbers, Quantity, Time, IntOrString, ...) and shares its `PathError`; the engine's
//! other serde types (and the codec's tests, as the reference) use it directly.

use serde::de::{self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};
use std::fmt;

/// One step of an error's path.
#[derive(Debug)]
pub(super) enum Segment {
    /// A struct's field.
    Key(String),
    /// A map's key (Go's paths leave these out).
    MapKey(String),
    Index(usize),
}

/// A value of the wrong JSON type, as Go's `json.UnmarshalTypeError` tells it.
#[derive(Debug)]
struct TypeMismatch {
    /// `string`, `number`, `number 3000000000`, `bool`, `object`, `array`.
    got: String,
    /// The Go type, when the deserializer knew it (sequences and maps).
    go_type: Option<String>,
    /// What the visitor expected (`i32`, `a string`, `PodSpec`), for the other cases.
    expected: String,
}

/// A `serde_json` error and where it happened: one pointer, as `serde_json::Error` is, so the
/// `Result`s of every visitor stay as small as with `serde_json`.
#[derive(Debug)]
pub struct PathError(Box<ErrorAt>);

#[derive(Debug)]
struct ErrorAt {
    inner: serde_json::Error,
    /// Innermost step first (pushed as the error travels outwards).
    path: Vec<Segment>,
    mismatch: Option<TypeMismatch>,
    /// The innermost struct with a field on the path (Go's `Struct` in its message).
    in_struct: Option<&'static str>,
}

impl PathError {
    #[cold]
    fn new(inner: serde_json::Error) -> PathError {
        PathError(Box::new(ErrorAt { inner, path: Vec::new(), mismatch: None, in_struct: None }))
    }

    /// A wrong-type error. `literal`: Go names the number (`number 1.5`, `number 3000000000`),
    /// as it does for a fraction or an out-of-range value given to an integer.
    #[cold]
    fn mismatch(inner: serde_json::Error, unexp: &Unexpected, exp: &dyn de::Expected, go_type: Option<String>, literal: bool) -> PathError {
        let got = match *unexp {
            Unexpected::Bool(_) => "bool".to_string(),
            Unexpected::Unsigned(n) if literal => format!("number {n}"),
            Unexpected::Signed(n) if literal => format!("number {n}"),
            Unexpected::Float(n) if literal => format!("number {n}"),
            Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "number".to_string(),
            Unexpected::Str(_) => "string".to_string(),
            Unexpected::Seq => "array".to_string(),
            Unexpected::Map => "object".to_string(),
            // Go reads null as the zero value, and has no other kinds: no Go wording.
            _ => return PathError::new(inner),
        };
        let mut e = PathError::new(inner);
        e.0.mismatch = Some(TypeMismatch { got, go_type, expected: exp.to_string() });
        e
    }

    /// Records the struct whose field the error is in, if it is the innermost one.
    #[cold]
    #[inline(never)]
    pub(super) fn in_struct(mut self, name: &'static str) -> PathError {
        if self.0.in_struct.is_none() && self.0.path.iter().any(|s| matches!(s, Segment::Key(_))) {
            self.0.in_struct = Some(name);
        }
        self
    }

    #[cold]
    #[inline(never)]
    pub(super) fn at(mut self, s: Segment) -> PathError {
        self.0.path.push(s);
        self
    }

    /// The path as `serde_path_to_error` prints it (`a.b[0].c`), empty at the top.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for s in self.0.path.iter().rev() {
            match s {
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
                Segment::Key(k) | Segment::MapKey(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        out
    }

    /// The message the API server gives: for a value of the wrong type Go's
    /// `json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string`
    /// (fields only: no indexes, no map keys); otherwise [`PathError::with_path`].
    pub fn api_message(&self) -> String {
        let Some(m) = &self.0.mismatch else {
            return self.with_path();
        };
        let Some(ty) = m.go_type.clone().or_else(|| go_type_of_expected(&m.expected)) else {
            return self.with_path();
        };
        let fields: Vec<&str> = self.0.path.iter().rev().filter_map(|s| if let Segment::Key(k) = s { Some(k.as_str()) } else { None }).collect();
        match self.0.in_struct {
            Some(st) if !fields.is_empty() => format!("json: cannot unmarshal {} into Go struct field {st}.{} of type {ty}", m.got, fields.join(".")),
            _ => format!("json: cannot unmarshal {} into Go value of type {ty}", m.got),
        }
    }

    /// `path: message`, or the message alone when the error is about the whole value.
    pub fn with_path(&self) -> String {
        let p = self.path();
        if p.is_empty() {
            self.0.inner.to_string()
        } else {
            format!("{p}: {}", self.0.inner)
        }
    }
}

/// The Go type behind what a visitor expects (`i32` -> `int32`, `PodSpec` -> `v1.PodSpec`).
fn go_type_of_expected(exp: &str) -> Option<String> {
    Some(match exp {
        "a string" | "a borrowed string" | "a character" => "string".into(),
        "a boolean" => "bool".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64" => {
            let (k, bits) = exp.split_at(1);
            format!("{}{bits}", match k {
                "i" => "int",
                "u" => "uint",
                _ => "float",
            })
        }
        "a base64-encoded string" => "[]uint8".into(),
        "IntOrString" => "intstr.IntOrString".into(),
        "Quantity" => "resource.Quantity".into(),
        "Time" | "MicroTime" => format!("v1.{exp}"),
        _ if exp.starts_with(|c: char| c.is_ascii_uppercase()) && exp.chars().all(|c| c.is_ascii_alphanumeric()) => format!("v1.{exp}"),
        _ => return None,
    })
}

/// The Go type of a Rust API type, from its `type_name`: `Vec<..::Toleration>` ->
/// `[]v1.Toleration`, `BTreeMap<String, String>` -> `map[string]string`.
fn go_type_of_rust(name: &str) -> Option<String> {
    let name = name.trim();
    if let Some(inner) = name.strip_prefix("core::option::Option<").and_then(|r| r.strip_suffix('>')) {
        return go_type_of_rust(inner);
    }
    if let Some(inner) = name.strip_prefix("alloc::vec::Vec<").and_then(|r| r.strip_suffix('>')) {
        return go_type_of_rust(inner).map(|t| format!("[]{t}"));
    }
    if let Some(inner) = name.strip_prefix("alloc::collections::btree::map::BTreeMap<").and_then(|r| r.strip_suffix('>')) {
        let (k, v) = inner.split_once(", ")?;
        return Some(format!("map[{}]{}", go_type_of_rust(k)?, go_type_of_rust(v)?));
    }
    Some(match name {
        "alloc::string::String" => "string".into(),
        "bool" => "bool".into(),
        "i32" | "i64" | "f64" => go_type_of_expected(name)?,
        "k8s_openapi::ByteString" => "[]uint8".into(),
        _ if name.starts_with("k8s_openapi::") => {
            let short = name.rsplit("::").next()?;
            match go_type_of_expected(short)? {
                t if name.contains("::autoscaling::v2::") => t.replacen("v1.", "v2.", 1),
                t => t,
            }
        }
        _ => return None,
    })
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.inner, f)
    }
}

impl std::error::Error for PathError {}

// `serde_json::Error` words `invalid_type`/`invalid_value` its own way (`null`, not `unit
// value`); the other constructors are serde's defaults, which go through `custom`.
impl de::Error for PathError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PathError::new(<serde_json::Error as de::Error>::custom(msg))
    }

    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        let fraction_for_int = matches!(unexp, Unexpected::Float(_)) && go_type_of_expected(&exp.to_string()).is_some_and(|t| t.contains("int"));
        PathError::mismatch(<serde_json::Error as de::Error>::invalid_type(unexp, exp), &unexp, exp, None, fraction_for_int)
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        let inner = <serde_json::Error as de::Error>::invalid_value(unexp, exp);
        match unexp {
            // A number out of the field's range.
            Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => PathError::mismatch(inner, &unexp, exp, None, true),
            _ => PathError::new(inner),
        }
    }
}

/// Deserialises `T` from `value`.
pub fn from_value<T: de::DeserializeOwned>(value: Value) -> Result<T, PathError> {
    T::deserialize(ValueDe(value))
}

/// The deserializer: a JSON value.
struct ValueDe(Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Not generic: one copy however many visitors report a wrong type.
pub(super) fn invalid_type(v: &Value, exp: &dyn de::Expected) -> PathError {
    de::Error::invalid_type(unexpected(v), exp)
}

/// A wrong type where a sequence or map was wanted: `target` (the Rust type's name) says
/// which Go type that is.
#[cold]
#[inline(never)]
pub(super) fn invalid_collection(v: &Value, exp: &dyn de::Expected, target: &'static str) -> PathError {
    let u = unexpected(v);
    PathError::mismatch(<serde_json::Error as de::Error>::invalid_type(u, exp), &u, exp, go_type_of_rust(target), false)
}

fn visit_number<'de, V: Visitor<'de>>(n: Number, visitor: V) -> Result<V::Value, PathError> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(0.0))
    }
}

fn visit_array<'de, V: Visitor<'de>>(array: Vec<Value>, visitor: V) -> Result<V::Value, PathError> {
    let len = array.len();
    let mut seq = SeqDe { iter: array.into_iter(), index: 0 };
    let out = visitor.visit_seq(&mut seq)?;
    if seq.iter.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in array"))
    }
}

/// A struct's fields from an object.
fn visit_object<'de, V: Visitor<'de>>(object: Map<String, Value>, visitor: V) -> Result<V::Value, PathError> {
    visit_entries(object, visitor, true)
}

/// A map's entries from an object.
fn visit_map_entries<'de, V: Visitor<'de>>(object: Map<String, Value>, visitor: V) -> Result<V::Value, PathError> {
    visit_entries(object, visitor, false)
}

fn visit_entries<'de, V: Visitor<'de>>(object: Map<String, Value>, visitor: V, fields: bool) -> Result<V::Value, PathError> {
    let len = object.len();
    let mut map = MapDe { iter: object.into_iter(), value: None, fields };
    let out = visitor.visit_map(&mut map)?;
    if map.iter.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in map"))
    }
}

impl<'de> de::Deserializer<'de> for ValueDe {
    type Error = PathError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(a) => visit_array(a, visitor),
            Value::Object(o) => visit_map_entries(o, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, _variants: &'static [&'static str], visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Object(o) => {
                let mut iter = o.into_iter();
                match (iter.next(), iter.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(EnumDe { variant, value: Some(value) }),
                    _ => Err(de::Error::invalid_value(Unexpected::Map, &"map with a single key")),
                }
            }
            Value::String(variant) => visitor.visit_enum(EnumDe { variant, value: None }),
            other => Err(de::Error::invalid_type(unexpected(&other), &"string or map")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(b),
            ref other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            ref other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            Value::Array(a) => visit_array(a, visitor),
            ref other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            ref other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Array(a) => visit_array(a, visitor),
            ref other => Err(invalid_collection(other, &visitor, std::any::type_name::<V::Value>())),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Object(o) => visit_map_entries(o, visitor),
            ref other => Err(invalid_collection(other, &visitor, std::any::type_name::<V::Value>())),
        }
    }

    /// A struct is read from a map only: serde_json would also offer an array to the visitor's
    /// `visit_seq`, which the API's types do not implement (the default gives this same error),
    /// and offering it would compile the array walk once more for every struct.
    fn deserialize_struct<V: Visitor<'de>>(self, name: &'static str, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Object(o) => visit_object(o, visitor).map_err(|e| e.in_struct(name)),
            ref other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_unit()
    }

    // Numbers: as serde_json without `arbitrary_precision`, the visitor sees what the number is.
    forward_to_deserialize_any! { i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 }
}

struct SeqDe {
    iter: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for SeqDe {
    type Error = PathError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, PathError> {
        let Some(v) = self.iter.next() else {
            return Ok(None);
        };
        let i = self.index;
        self.index += 1;
        seed.deserialize(ValueDe(v)).map(Some).map_err(|e| e.at(Segment::Index(i)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct MapDe {
    iter: serde_json::map::IntoIter,
    /// The entry whose key was just read.
    value: Option<(String, Value)>,
    /// A struct's fields (not a map's keys).
    fields: bool,
}

impl<'de> MapAccess<'de> for MapDe {
    type Error = PathError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, PathError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        // Keys are strings; an error reading one (not possible for the API's types) is the map's.
        let key = seed.deserialize(de::value::StrDeserializer::<PathError>::new(&k))?;
        self.value = Some((k, v));
        Ok(Some(key))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, PathError> {
        match self.value.take() {
            Some((k, v)) => {
                let fields = self.fields;
                seed.deserialize(ValueDe(v)).map_err(|e| e.at(if fields { Segment::Key(k) } else { Segment::MapKey(k) }))
            }
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct EnumDe {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for EnumDe {
    type Error = PathError;
    type Variant = VariantDe;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, VariantDe), PathError> {
        let v = seed.deserialize(de::value::StrDeserializer::<PathError>::new(&self.variant))?;
        Ok((v, VariantDe { variant: self.variant, value: self.value }))
    }
}

struct VariantDe {
    variant: String,
    value: Option<Value>,
}

impl<'de> VariantAccess<'de> for VariantDe {
    type Error = PathError;

    fn unit_variant(self) -> Result<(), PathError> {
        match self.value {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, PathError> {
        match self.value {
            Some(v) => seed.deserialize(ValueDe(v)).map_err(|e| e.at(Segment::Key(self.variant))),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, PathError> {
        match self.value {
            Some(Value::Array(a)) if a.is_empty() => visitor.visit_unit(),
            Some(Value::Array(a)) => visit_array(a, visitor).map_err(|e| e.at(Segment::Key(self.variant))),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"tuple variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, PathError> {
        match self.value {
            Some(Value::Object(o)) => visit_object(o, visitor).map_err(|e| e.at(Segment::Key(self.variant))),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"struct variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"struct variant")),
        }
    }
}

impl<'de> IntoDeserializer<'de, PathError> for ValueDe {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::{Pod, Secret, Service};
    use serde_json::json;

    /// What `serde_path_to_error` over `serde_json`'s deserializer reports, as the engine
    /// printed it before this module.
    fn reference<T: de::DeserializeOwned>(v: Value) -> Result<T, String> {
        let mut track = serde_path_to_error::Track::new();
        let de = serde_path_to_error::Deserializer::new(v, &mut track);
        T::deserialize(de).map_err(|e| {
            let path = track.path().to_string();
            if path == "." || path.is_empty() { e.to_string() } else { format!("{path}: {e}") }
        })
    }

    fn ours<T: de::DeserializeOwned>(v: Value) -> Result<T, String> {
        from_value(v).map_err(|e| e.with_path())
    }

    fn same<T: de::DeserializeOwned + PartialEq + fmt::Debug>(v: Value) -> Result<T, String> {
        let (a, b) = (ours::<T>(v.clone()), reference::<T>(v.clone()));
        assert_eq!(a, b, "input {v}");
        a
    }

    #[test]
    fn errors_name_the_field_at_fault_as_serde_path_to_error_does() {
        let cases: Vec<(Value, &str)> = vec![
            (json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": "x"}]}]}}), "spec.containers[0].ports[0].containerPort: invalid type: string \"x\", expected i32"),
            (json!({"spec": {"containers": [{"name": "a"}, {"name": 5}]}}), "spec.containers[1].name: invalid type: integer `5`, expected a string"),
            (json!({"spec": {"containers": "nginx"}}), "spec.containers: invalid type: string \"nginx\", expected a sequence"),
            (json!({"spec": {"containers": [], "nodeName": null, "hostNetwork": "yes"}}), "spec.hostNetwork: invalid type: string \"yes\", expected a boolean"),
            (json!({"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": []}}}]}}), "spec.containers[0].resources.limits.cpu: invalid type: sequence, expected a string"),
            (json!({"metadata": {"labels": {"app": 5}}}), "metadata.labels.app: invalid type: integer `5`, expected a string"),
            (json!({"metadata": {"labels": null, "annotations": {"a": null}}}), "metadata.annotations.a: invalid type: null, expected a string"),
            (json!({"spec": {"containers": [], "priority": 3000000000u64}}), "spec.priority: invalid value: integer `3000000000`, expected i32"),
            (json!({"spec": {"containers": [], "priority": -1.5}}), "spec.priority: invalid type: floating point `-1.5`, expected i32"),
            (json!([1, 2]), "invalid type: sequence, expected Pod"),
            (json!("pod"), "invalid type: string \"pod\", expected Pod"),
        ];
        let got: Vec<(String, String)> = cases.iter().map(|(v, want)| (format!("{:?}", same::<Pod>(v.clone()).err()), format!("{:?}", Some(want)))).collect();
        for (g, w) in &got {
            assert_eq!(g, w);
        }
        let svc = json!({"spec": {"ports": [{"port": 80, "targetPort": {"x": 1}}]}});
        let e = same::<Service>(svc).unwrap_err();
        assert!(e.starts_with("spec.ports[0].targetPort: "), "{e}");
        let dep = json!({"spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "In", "values": "b"}]}, "template": {}}});
        assert_eq!(same::<Deployment>(dep).unwrap_err(), "spec.selector.matchExpressions[0].values: invalid type: string \"b\", expected a sequence");
        let secret = json!({"data": {"k": "!!!"}});
        assert!(same::<Secret>(secret).unwrap_err().starts_with("data.k: "));
    }

    #[test]
    fn valid_values_deserialize_alike() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
            "resources": {"requests": {"cpu": "100m"}}, "env": [{"name": "A", "value": "1"}]}],
            "tolerations": [{"key": "k", "operator": "Exists", "tolerationSeconds": 30}], "priority": -5},
            "status": {"phase": "Running"}});
        let p = same::<Pod>(pod).unwrap();
        assert_eq!(p.spec.as_ref().unwrap().priority, Some(-5));
        let svc = json!({"spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}});
        same::<Service>(svc).unwrap();
        let secret = json!({"data": {"k": "aGk="}});
        let s = same::<Secret>(secret).unwrap();
        assert_eq!(s.data.unwrap()["k"].0, b"hi");
    }

    #[test]
    fn wrong_types_read_as_the_api_server_words_them() {
        let api = |kind: &str, v: Value| -> String {
            let r = match kind {
                "Deployment" => from_value::<Deployment>(v).map(|_| ()),
                "ConfigMap" => from_value::<k8s_openapi::api::core::v1::ConfigMap>(v).map(|_| ()),
                _ => from_value::<Pod>(v).map(|_| ()),
            };
            r.unwrap_err().api_message()
        };
        let tpl = |spec: Value| json!({"spec": {"selector": {}, "template": {"spec": spec}}});
        // Messages as real API servers print them (from users' reports).
        assert_eq!(api("Deployment", tpl(json!({"containers": [{"name": "c", "env": [{"name": "A", "value": 5}]}]}))), "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string");
        assert_eq!(api("Deployment", tpl(json!({"containers": [], "imagePullSecrets": ["regcred"]}))), "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.imagePullSecrets of type v1.LocalObjectReference");
        assert_eq!(api("Deployment", tpl(json!({"containers": [], "tolerations": {"key": "a"}}))), "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.tolerations of type []v1.Toleration");
        assert_eq!(api("Deployment", tpl(json!({"containers": [], "volumes": [{"name": "v", "emptyDir": "x"}]}))), "json: cannot unmarshal string into Go struct field Volume.spec.template.spec.volumes.emptyDir of type v1.EmptyDirVolumeSource");
        assert_eq!(api("ConfigMap", json!({"data": {"port": 8080}})), "json: cannot unmarshal number into Go struct field ConfigMap.data of type string");
        assert_eq!(api("Deployment", json!({"spec": {"replicas": "two", "selector": {}, "template": {}}})), "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
        assert_eq!(api("Pod", json!({"spec": {"containers": [], "priority": 3000000000u64}})), "json: cannot unmarshal number 3000000000 into Go struct field PodSpec.spec.priority of type int32");
        assert_eq!(api("Pod", json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80.5}]}]}})), "json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32");
        assert_eq!(api("Pod", json!({"metadata": {"labels": {"on": true}}})), "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string");
        assert_eq!(api("Pod", json!({"metadata": {"labels": ["a"]}})), "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string");
        assert_eq!(api("Pod", json!("pod")), "json: cannot unmarshal string into Go value of type v1.Pod");
        // Not a type error: the path form.
        let e = from_value::<Secret>(json!({"data": {"k": "!!!"}})).unwrap_err().api_message();
        assert!(e.starts_with("data.k: "), "{e}");
    }

    #[derive(serde::Deserialize, PartialEq, Debug)]
    enum E {
        Unit,
        New(u8),
        Tup(u8, u8),
        Rec { x: u8 },
    }

    #[test]
    fn enums_as_serde_json_reads_them() {
        for v in [json!("Unit"), json!({"New": 3}), json!({"Tup": [1, 2]}), json!({"Rec": {"x": 4}}), json!({"New": "x"}), json!({"Rec": {"x": -1}}), json!(5), json!({"A": 1, "B": 2}), json!("Nope")] {
            assert_eq!(from_value::<E>(v.clone()).map_err(|e| e.to_string()), serde_json::from_value::<E>(v.clone()).map_err(|e| e.to_string()), "{v}");
        }
        assert_eq!(ours::<E>(json!({"New": "x"})).unwrap_err(), "New: invalid type: string \"x\", expected u8");
    }
}

//! A serde `Deserializer` over an owned `serde_json::Value` whose errors carry the path of the
//! value at fault (`spec.containers[0].ports[0].containerPort`), as `serde_path_to_error` gives.
//!
//! It is `serde_json`'s own `Value` deserializer (same visitor calls, same error messages)
//! with the path added as an error travels out through each map entry and array element. One
//! deserializer instead of a tracking wrapper around `serde_json`'s: every API type's
//! `Deserialize` is compiled once, for this one, which keeps the page's wasm smaller (the
//! wrapper cost about 7 % of it).

use serde::de::{self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};
use std::fmt;

/// One step of an error's path.
#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
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
}

impl PathError {
    #[cold]
    fn new(inner: serde_json::Error) -> PathError {
        PathError(Box::new(ErrorAt { inner, path: Vec::new() }))
    }

    #[cold]
    #[inline(never)]
    fn at(mut self, s: Segment) -> PathError {
        self.0.path.push(s);
        self
    }

    /// The path as `serde_path_to_error` prints it (`a.b[0].c`), empty at the top.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for s in self.0.path.iter().rev() {
            match s {
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        out
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
        PathError::new(<serde_json::Error as de::Error>::invalid_type(unexp, exp))
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        PathError::new(<serde_json::Error as de::Error>::invalid_value(unexp, exp))
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
fn invalid_type(v: &Value, exp: &dyn de::Expected) -> PathError {
    de::Error::invalid_type(unexpected(v), exp)
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

fn visit_object<'de, V: Visitor<'de>>(object: Map<String, Value>, visitor: V) -> Result<V::Value, PathError> {
    let len = object.len();
    let mut map = MapDe { iter: object.into_iter(), value: None };
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
            Value::Object(o) => visit_object(o, visitor),
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
            ref other => Err(invalid_type(other, &visitor)),
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
            Value::Object(o) => visit_object(o, visitor),
            ref other => Err(invalid_type(other, &visitor)),
        }
    }

    /// A struct is read from a map only: serde_json would also offer an array to the visitor's
    /// `visit_seq`, which the API's types do not implement (the default gives this same error),
    /// and offering it would compile the array walk once more for every struct.
    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Object(o) => visit_object(o, visitor),
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
            Some((k, v)) => seed.deserialize(ValueDe(v)).map_err(|e| e.at(Segment::Key(k))),
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

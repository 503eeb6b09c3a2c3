//! The API types to and from JSON, driven by one table per type instead of per-type serde code.
//!
//! k8s-openapi gives each of its ~280 types a hand-expanded `Deserialize` and `Serialize`;
//! compiled for the page that per-type code (visitors, field enums, one generic instantiation
//! per field type) was about a quarter of the wasm. Here a struct is a table of its fields'
//! JSON names and two small accessors (`field(i)` / `field_mut(i)` giving
//! the field as `dyn Json`), generated into `codec_gen.rs` by `scripts/gen-api-codec.py` from
//! k8s-openapi's own sources; one non-generic walk reads and writes every struct.
//!
//! The JSON is the same as k8s-openapi's serde impls give, byte for byte (fields in their
//! serialisation order, `None` left out, resources with `apiVersion`/`kind` first), and so are
//! the errors, path included: a field's error is `at` its key and `in_struct` the type, the
//! leaves (strings, numbers, Quantity, Time, IntOrString, ...) are read by their serde impls
//! through [`super::json_de`]. The tests compare both ways on every kind.

use super::json_de::{self, invalid_collection, invalid_type, PathError, Segment};
use serde::de::{Error as _, Unexpected};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A value the codec can write as JSON and read back.
pub trait Json {
    /// The value as JSON.
    fn to_json(&self) -> Value;
    /// Reads a value from JSON.
    fn from_json(v: Value) -> Result<Self, PathError>
    where
        Self: Sized;
    /// Reads `v` into `self`, which holds its default value (a struct's fresh field).
    fn read(&mut self, v: Value) -> Result<(), PathError>;
    /// Whether a struct leaves this field out (an `Option` that is `None`).
    fn absent(&self) -> bool {
        false
    }
    /// Reads a non-null `v` into `slot`, which is `None`. Structs read in place (see
    /// [`struct_json`]); other values are made and moved in.
    fn read_option(slot: &mut Option<Self>, v: Value) -> Result<(), PathError>
    where
        Self: Sized,
    {
        *slot = Some(Self::from_json(v)?);
        Ok(())
    }
    /// Reads `v` as one more element of `out`. Structs read in place; other values are made and
    /// moved in.
    fn read_push(out: &mut Vec<Self>, v: Value) -> Result<(), PathError>
    where
        Self: Sized,
    {
        out.push(Self::from_json(v)?);
        Ok(())
    }
}

/// What the codec knows of a struct besides its fields' places.
pub struct Meta {
    /// The name its errors give (`PodSpec`; the kind for resources).
    pub name: &'static str,
    /// `(apiVersion, kind)` for a top-level resource.
    pub resource: Option<(&'static str, &'static str)>,
    /// The fields' JSON names, in the order they are written. (A type whose deserializer
    /// insists on a field is not a `Struct`: the generator leaves it to its serde impl.)
    pub fields: &'static [&'static str],
}

/// A struct: its [`Meta`] and access to each field by index.
pub trait Struct: Default {
    /// Its name, resource and fields' JSON names (one static per type).
    const META: &'static Meta;
    /// Field `i` of [`Meta::fields`].
    fn field(&self, i: usize) -> Option<&dyn Json>;
    /// Field `i` of [`Meta::fields`], mutable.
    fn field_mut(&mut self, i: usize) -> Option<&mut dyn Json>;
}

/// [`Struct`] as an object, so that one compiled walk serves every type.
trait StructDyn {
    fn meta(&self) -> &'static Meta;
    fn get(&self, i: usize) -> Option<&dyn Json>;
    fn get_mut(&mut self, i: usize) -> Option<&mut dyn Json>;
}

impl<T: Struct> StructDyn for T {
    fn meta(&self) -> &'static Meta {
        T::META
    }
    fn get(&self, i: usize) -> Option<&dyn Json> {
        self.field(i)
    }
    fn get_mut(&mut self, i: usize) -> Option<&mut dyn Json> {
        self.field_mut(i)
    }
}

/// Writes a struct: `apiVersion` and `kind` first for a resource, then each present field.
#[inline(never)]
fn write_struct(s: &dyn StructDyn) -> Value {
    let meta = s.meta();
    let fields = meta.fields;
    let mut m = Map::with_capacity(fields.len() + 2);
    if let Some((api_version, kind)) = meta.resource {
        m.insert("apiVersion".to_owned(), Value::String(api_version.to_owned()));
        m.insert("kind".to_owned(), Value::String(kind.to_owned()));
    }
    for (i, name) in fields.iter().enumerate() {
        if let Some(f) = s.get(i) {
            if !f.absent() {
                m.insert((*name).to_owned(), f.to_json());
            }
        }
    }
    Value::Object(m)
}

/// Reads a struct from an object into `s` (at its default), as k8s-openapi's visitors do:
/// unknown keys are skipped, `null` leaves a field at its default, a resource's
/// `apiVersion`/`kind` must be its own.
#[inline(never)]
fn read_struct(s: &mut dyn StructDyn, v: Value) -> Result<(), PathError> {
    let name = s.meta().name;
    let Value::Object(o) = v else {
        return Err(invalid_type(&v, &name));
    };
    read_fields(s, o).map_err(|e| e.in_struct(name))
}

fn read_fields(s: &mut dyn StructDyn, o: Map<String, Value>) -> Result<(), PathError> {
    let meta = s.meta();
    let fields = meta.fields;
    for (k, v) in o {
        if let Some((api_version, kind)) = meta.resource {
            let want = match k.as_str() {
                "apiVersion" => Some(api_version),
                "kind" => Some(kind),
                _ => None,
            };
            if let Some(want) = want {
                let got: String = json_de::from_value(v).map_err(|e| e.at(Segment::Key(k)))?;
                if got != want {
                    return Err(PathError::invalid_value(Unexpected::Str(&got), &want));
                }
                continue;
            }
        }
        if v.is_null() {
            continue;
        }
        if let Some(f) = fields.iter().position(|n| *n == k).and_then(|i| s.get_mut(i)) {
            f.read(v).map_err(|e| e.at(Segment::Key(k)))?;
        }
    }
    Ok(())
}

/// Writes a struct (for the generated `Json` impls).
pub fn struct_to_json<T: Struct>(s: &T) -> Value {
    write_struct(s)
}

/// Reads into a struct at its default (for the generated `Json` impls).
pub fn struct_read<T: Struct>(s: &mut T, v: Value) -> Result<(), PathError> {
    read_struct(s, v)
}

/// `Json` for a type with a [`Struct`] table.
macro_rules! struct_json {
    ($t:ty) => {
        impl Json for $t {
            fn to_json(&self) -> serde_json::Value {
                super::codec::struct_to_json(self)
            }
            fn from_json(v: serde_json::Value) -> Result<Self, super::json_de::PathError> {
                let mut s: Self = super::codec::default_of();
                super::codec::struct_read(&mut s, v)?;
                Ok(s)
            }
            fn read(&mut self, v: serde_json::Value) -> Result<(), super::json_de::PathError> {
                super::codec::struct_read(self, v)
            }
            /// In place: no move of the struct, no drop of an old value.
            fn read_option(slot: &mut Option<Self>, v: serde_json::Value) -> Result<(), super::json_de::PathError> {
                super::codec::struct_read(slot.get_or_insert_with(super::codec::default_of::<Self>), v)
            }
            fn read_push(out: &mut Vec<Self>, v: serde_json::Value) -> Result<(), super::json_de::PathError> {
                out.push(super::codec::default_of());
                match out.last_mut() {
                    Some(s) => super::codec::struct_read(s, v),
                    None => Ok(()),
                }
            }
        }
    };
}
pub(crate) use struct_json;

/// `Json` for types read and written by their own serde impls (through the crate's one
/// deserializer and serializer).
macro_rules! serde_leaves {
    ($($t:ty),* $(,)?) => {
        $(
            impl Json for $t {
                fn to_json(&self) -> serde_json::Value {
                    super::json_ser::to_value(self).unwrap_or(serde_json::Value::Null)
                }
                fn from_json(v: serde_json::Value) -> Result<Self, super::json_de::PathError> {
                    super::json_de::from_value(v)
                }
                fn read(&mut self, v: serde_json::Value) -> Result<(), super::json_de::PathError> {
                    *self = Self::from_json(v)?;
                    Ok(())
                }
            }
        )*
    };
}
pub(crate) use serde_leaves;

serde_leaves! {
    bool, i32, i64, f64, String, serde_json::Value,
    k8s_openapi::ByteString,
    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString,
}

/// `Time` and `MicroTime`: RFC 3339 strings (seconds, microseconds) in UTC, read as Go's
/// `metav1.Time` reads them (`time.Parse(time.RFC3339, s)`, with Go's error message: see
/// [`super::gotime`]). Their serde impls went through chrono's relaxed `FromStr` (which also
/// takes `2024-01-02 03:04:05 +00:00`, and words its errors its own way) and its general format
/// parser, compiled into the page for this alone. A value that is not a string is refused as
/// serde refused it.
macro_rules! time_leaves {
    ($($t:ty: $format:ident),* $(,)?) => {
        $(
            impl Json for $t {
                fn to_json(&self) -> Value {
                    Value::String(self.0.to_rfc3339_opts(chrono::SecondsFormat::$format, true))
                }
                fn from_json(v: Value) -> Result<Self, PathError> {
                    read_time(v).map(Self)
                }
                fn read(&mut self, v: Value) -> Result<(), PathError> {
                    self.0 = read_time(v)?;
                    Ok(())
                }
            }
        )*
    };
}

time_leaves! {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time: Secs,
    k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime: Micros,
}

fn read_time(v: Value) -> Result<chrono::DateTime<chrono::Utc>, PathError> {
    match v {
        Value::String(s) => super::gotime::parse_rfc3339(&s).map_err(PathError::custom),
        other => Err(invalid_type(&other, &"an RFC 3339 formatted date and time string")),
    }
}

/// `Condition` (metav1): not a [`Struct`], as its `lastTransitionTime` is required (a `Time`
/// has no default). Read and written as its serde impls do, field for field: a missing or
/// `null` `lastTransitionTime` is an error, the other fields default.
impl Json for k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    fn to_json(&self) -> Value {
        let mut m = Map::with_capacity(6);
        m.insert("lastTransitionTime".to_owned(), self.last_transition_time.to_json());
        m.insert("message".to_owned(), Value::String(self.message.clone()));
        if let Some(g) = self.observed_generation {
            m.insert("observedGeneration".to_owned(), Value::from(g));
        }
        m.insert("reason".to_owned(), Value::String(self.reason.clone()));
        m.insert("status".to_owned(), Value::String(self.status.clone()));
        m.insert("type".to_owned(), Value::String(self.type_.clone()));
        Value::Object(m)
    }
    fn from_json(v: Value) -> Result<Self, PathError> {
        let Value::Object(o) = v else {
            return Err(invalid_type(&v, &"Condition"));
        };
        read_condition(o).map_err(|e| e.in_struct("Condition"))
    }
    fn read(&mut self, v: Value) -> Result<(), PathError> {
        *self = Self::from_json(v)?;
        Ok(())
    }
}

fn read_condition(o: Map<String, Value>) -> Result<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition, PathError> {
    let mut time = None;
    let (mut message, mut generation, mut reason, mut status, mut type_) = (None, None, None, None, None);
    for (k, v) in o {
        let r = match k.as_str() {
            "lastTransitionTime" => read_time(v).map(|t| time = Some(t)),
            "message" => Json::from_json(v).map(|x| message = x),
            "observedGeneration" => Json::from_json(v).map(|x| generation = x),
            "reason" => Json::from_json(v).map(|x| reason = x),
            "status" => Json::from_json(v).map(|x| status = x),
            "type" => Json::from_json(v).map(|x| type_ = x),
            _ => Ok(()),
        };
        r.map_err(|e| e.at(Segment::Key(k)))?;
    }
    Ok(k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
        last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(time.ok_or_else(|| PathError::missing_field("lastTransitionTime"))?),
        message: message.unwrap_or_default(),
        observed_generation: generation,
        reason: reason.unwrap_or_default(),
        status: status.unwrap_or_default(),
        type_: type_.unwrap_or_default(),
    })
}

/// `T::default()`, compiled once per type rather than inlined wherever a `T` is made.
#[inline(never)]
pub fn default_of<T: Default>() -> T {
    T::default()
}

impl<T: Json> Json for Option<T> {
    fn to_json(&self) -> Value {
        match self {
            Some(t) => t.to_json(),
            None => Value::Null,
        }
    }
    fn from_json(v: Value) -> Result<Self, PathError> {
        match v {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
    /// `self` is `None` (a fresh field), so `null` leaves it so.
    fn read(&mut self, v: Value) -> Result<(), PathError> {
        if v.is_null() {
            return Ok(());
        }
        T::read_option(self, v)
    }
    fn absent(&self) -> bool {
        self.is_none()
    }
}

/// An array's elements, each through `each` (errors at their index); the walk is compiled once.
#[inline(never)]
fn read_seq(v: Value, target: &'static str, each: &mut dyn FnMut(Value) -> Result<(), PathError>) -> Result<(), PathError> {
    let Value::Array(a) = v else {
        return Err(invalid_collection(&v, &"a sequence", target));
    };
    for (i, x) in a.into_iter().enumerate() {
        each(x).map_err(|e| e.at(Segment::Index(i)))?;
    }
    Ok(())
}

/// An object's entries, each through `each` (errors at their key); compiled once.
#[inline(never)]
fn read_map(v: Value, target: &'static str, each: &mut dyn FnMut(&str, Value) -> Result<(), PathError>) -> Result<(), PathError> {
    let Value::Object(o) = v else {
        return Err(invalid_collection(&v, &"a map", target));
    };
    for (k, x) in o {
        each(&k, x).map_err(|e| e.at(Segment::MapKey(k)))?;
    }
    Ok(())
}

/// An array of `n` values, the `i`th from `item`; compiled once.
#[inline(never)]
fn write_seq(n: usize, item: &dyn Fn(usize) -> Value) -> Value {
    Value::Array((0..n).map(item).collect())
}

impl<T: Json> Json for Vec<T> {
    fn to_json(&self) -> Value {
        write_seq(self.len(), &|i| self[i].to_json())
    }
    fn from_json(v: Value) -> Result<Self, PathError> {
        let mut out = Vec::new();
        read_seq(v, std::any::type_name::<Self>(), &mut |x| T::read_push(&mut out, x))?;
        Ok(out)
    }
    fn read(&mut self, v: Value) -> Result<(), PathError> {
        *self = Self::from_json(v)?;
        Ok(())
    }
}

impl<T: Json> Json for BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
    fn from_json(v: Value) -> Result<Self, PathError> {
        let mut out = BTreeMap::new();
        read_map(v, std::any::type_name::<Self>(), &mut |k, x| {
            out.insert(k.to_owned(), T::from_json(x)?);
            Ok(())
        })?;
        Ok(out)
    }
    fn read(&mut self, v: Value) -> Result<(), PathError> {
        *self = Self::from_json(v)?;
        Ok(())
    }
}

/// An API value as JSON, as k8s-openapi's `Serialize` writes it.
pub fn to_json<T: Json + ?Sized>(t: &T) -> Value {
    t.to_json()
}

/// An API value from JSON, as k8s-openapi's `Deserialize` reads it; errors carry their path.
pub fn from_json<T: Json>(v: Value) -> Result<T, PathError> {
    T::from_json(v)
}

//! A serde `Serializer` into `serde_json::Value`: the same values as `serde_json::to_value`,
//! with less code per serialised type.
//!
//! serde compiles each type's `Serialize` once per serializer, and `serde_json`'s `Value`
//! serializer inlines a map insertion into every struct field of every type (129 copies of
//! `serialize_field` and 78 of `serialize_value` in the page's wasm). Here a field is
//! "serialise the value, then call one non-generic function to store it", so the per-type code
//! is small. The API types are written by [`super::codec`] (which calls this for its leaves);
//! other serde types go through [`to_value`].

use serde::ser::{self, Serialize};
use serde_json::{Error, Map, Number, Value};

/// `serde_json::to_value`, with this serializer.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(ValueSer)
}

/// The serializer.
pub struct ValueSer;

/// A map key: strings as they are, numbers and booleans as text (as `serde_json` does).
#[inline(never)]
fn key_string(k: Value) -> Result<String, Error> {
    match k {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ser::Error::custom("key must be a string")),
    }
}

#[inline(never)]
fn variant_object(variant: &'static str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(variant.to_owned(), v);
    Value::Object(m)
}

impl ser::Serializer for ValueSer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = SeqSer;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = MapSer;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::from(v as i64))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::from(v as i64))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::from(v as i64))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Number::from_i128(v).map(Value::Number).ok_or_else(|| ser::Error::custom("number out of range"))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::from(v as u64))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::from(v as u64))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::from(v as u64))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Number::from_u128(v).map(Value::Number).ok_or_else(|| ser::Error::custom("number out of range"))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Array(v.iter().map(|&b| Value::from(b as u64)).collect()))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Value, Error> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _name: &'static str, _index: u32, variant: &'static str, value: &T) -> Result<Value, Error> {
        Ok(variant_object(variant, value.serialize(ValueSer)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, Error> {
        Ok(SeqSer { vec: Vec::with_capacity(len.unwrap_or(0)), variant: None })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _name: &'static str, _index: u32, variant: &'static str, len: usize) -> Result<SeqSer, Error> {
        Ok(SeqSer { vec: Vec::with_capacity(len), variant: Some(variant) })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer, Error> {
        Ok(MapSer { map: Map::new(), next_key: None, variant: None })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapSer, Error> {
        Ok(MapSer { map: Map::new(), next_key: None, variant: None })
    }
    fn serialize_struct_variant(self, _name: &'static str, _index: u32, variant: &'static str, _len: usize) -> Result<MapSer, Error> {
        Ok(MapSer { map: Map::new(), next_key: None, variant: Some(variant) })
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result<Value, Error> {
        Ok(Value::String(value.to_string()))
    }
}

/// An array being built (for a tuple variant, wrapped in `{variant: [...]}` at the end).
pub struct SeqSer {
    vec: Vec<Value>,
    variant: Option<&'static str>,
}

impl SeqSer {
    #[inline(never)]
    fn push(&mut self, v: Value) {
        self.vec.push(v);
    }

    fn finish(self) -> Value {
        let a = Value::Array(self.vec);
        match self.variant {
            Some(name) => variant_object(name, a),
            None => a,
        }
    }
}

impl ser::SerializeSeq for SeqSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let v = value.serialize(ValueSer)?;
        self.push(v);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

/// The other array-like forms add elements as a sequence does.
macro_rules! like_seq {
    ($($tr:ident :: $method:ident),*) => {$(
        impl ser::$tr for SeqSer {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                ser::SerializeSeq::serialize_element(self, value)
            }
            fn end(self) -> Result<Value, Error> {
                Ok(self.finish())
            }
        }
    )*};
}

like_seq!(SerializeTuple::serialize_element, SerializeTupleStruct::serialize_field, SerializeTupleVariant::serialize_field);

/// An object being built (for a struct variant, wrapped in `{variant: {...}}` at the end).
pub struct MapSer {
    map: Map<String, Value>,
    next_key: Option<String>,
    variant: Option<&'static str>,
}

impl MapSer {
    #[inline(never)]
    fn field(&mut self, key: &'static str, v: Value) {
        self.map.insert(key.to_owned(), v);
    }

    #[inline(never)]
    fn key(&mut self, k: Value) -> Result<(), Error> {
        self.next_key = Some(key_string(k)?);
        Ok(())
    }

    #[inline(never)]
    fn value(&mut self, v: Value) -> Result<(), Error> {
        let k = self.next_key.take().ok_or_else(|| <Error as ser::Error>::custom("serialize_value called before serialize_key"))?;
        self.map.insert(k, v);
        Ok(())
    }

    fn finish(self) -> Value {
        let o = Value::Object(self.map);
        match self.variant {
            Some(name) => variant_object(name, o),
            None => o,
        }
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let k = key.serialize(ValueSer)?;
        self.key(k)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let v = value.serialize(ValueSer)?;
        self.value(v)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let v = value.serialize(ValueSer)?;
        self.field(key, v);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for MapSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_manifests;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    enum E {
        Unit,
        New(u8),
        Tup(u8, i8),
        Rec { x: f32, y: Option<f64> },
    }

    #[derive(serde::Serialize)]
    struct S {
        e: Vec<E>,
        m: BTreeMap<u16, (bool, char)>,
        b: BTreeMap<bool, ()>,
        #[serde(with = "serde_bytes_like")]
        raw: Vec<u8>,
        nan: f64,
        big: u64,
        neg: i64,
    }

    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn gives_what_serde_json_gives() {
        let s = S {
            e: vec![E::Unit, E::New(7), E::Tup(1, -2), E::Rec { x: 0.1, y: None }, E::Rec { x: 1.5, y: Some(f64::INFINITY) }],
            m: BTreeMap::from([(3, (true, 'x')), (10, (false, 'é'))]),
            b: BTreeMap::from([(true, ())]),
            raw: vec![0, 255],
            nan: f64::NAN,
            big: u64::MAX,
            neg: i64::MIN,
        };
        assert_eq!(to_value(&s).unwrap(), serde_json::to_value(&s).unwrap());
        let bad: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
        assert!(to_value(&bad).is_err());
        assert!(serde_json::to_value(&bad).is_err());
    }

    #[test]
    fn api_objects_as_serde_json_writes_them_in_the_same_order() {
        let docs = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}, annotations: {b: '1', a: '2'}}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        ports: [{containerPort: 80}]\n        resources: {requests: {cpu: 100m, memory: 64Mi}}\n        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: aGk=}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n";
        let parsed = parse_manifests(docs).unwrap();
        assert_eq!(parsed.len(), 3);
        for p in parsed {
            let ours = p.object.to_json();
            let theirs = match &p.object {
                crate::api::Object::Deployment(o) => serde_json::to_value(o),
                crate::api::Object::Secret(o) => serde_json::to_value(o),
                crate::api::Object::Service(o) => serde_json::to_value(o),
                other => panic!("unexpected {:?}", other.kind()),
            }
            .unwrap();
            assert_eq!(ours, theirs);
            // Same key order (preserve_order), not only the same maps.
            assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
        }
        assert_eq!(to_value(&json!({"z": 1, "a": [null, 1.5]})).unwrap().to_string(), r#"{"z":1,"a":[null,1.5]}"#);
    }
}

//! `Deserialize` for [`Check`] and [`Text`], written by hand.
//!
//! serde's derive reads an internally tagged enum (`type: pods`) and an untagged one (a string
//! or `{en, ko}`) by first buffering the whole value into its private `Content` tree and then
//! trying it against each variant: compiled for the page that was ~60 KB of wasm for the checks
//! alone. Here one pass reads a check's keys into one flat set of slots and then builds the
//! variant its `type` names, with serde's own error messages (`unknown field`, `missing field`,
//! `unknown variant`, `duplicate field`) and the variant's field list in them, as the derive
//! gave them.

use pilothouse_engine::vecmap::VecMap;
use crate::schema::Check;
use crate::text::Text;
use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The checks' `type` tags, in declaration order.
const TAGS: &[&str] = &["exists", "absent", "field", "pods", "scheduled", "rolled_out", "pvc_bound", "event", "command", "http", "node"];

/// Each variant's fields besides `type`, in declaration order (`TAGS[i]`'s are `FIELDS[i]`).
const FIELDS: &[&[&str]] = &[
    &["kind", "name", "namespace", "text"],
    &["kind", "name", "namespace", "text"],
    &["kind", "name", "namespace", "path", "equals", "matches", "text"],
    &["selector", "namespace", "phase", "ready", "image", "count", "min", "text"],
    &["selector", "namespace", "node_labels", "node", "not_node", "distinct_nodes", "min", "text"],
    &["deployment", "namespace", "image", "replicas", "text"],
    &["name", "namespace", "volume", "capacity", "storage_class", "text"],
    &["reason", "object", "message", "namespace", "text"],
    &["patterns", "text"],
    &["url", "contains", "text"],
    &["name", "ready", "unschedulable", "taint", "no_taint", "label", "text"],
];

/// The string fields every variant that has them requires.
const STRINGS: &[&str] = &["kind", "name", "path", "selector", "deployment", "reason", "url"];

/// The string fields that may be left out (or `null`).
const OPT_STRINGS: &[&str] = &[
    "namespace", "matches", "phase", "image", "node", "not_node", "volume", "capacity", "storage_class", "object", "message", "contains", "taint", "no_taint", "label",
];

/// The boolean fields that may be left out (or `null`).
const OPT_FLAGS: &[&str] = &["ready", "unschedulable"];

/// A check's values, read into their slots once its `type` says which fields it has.
#[derive(Default)]
struct Slots {
    strings: VecMap<&'static str, String>,
    flags: VecMap<&'static str, bool>,
    distinct_nodes: bool,
    count: Option<usize>,
    min: Option<usize>,
    replicas: Option<i32>,
    equals: Option<Value>,
    node_labels: Option<BTreeMap<String, String>>,
    patterns: Option<Vec<String>>,
    text: Option<Text>,
}

/// `v` as a `T`. (The values are read whole first, as serde's derive buffered them, so a value
/// is only read once its key is known to be the check's.)
fn get<T: DeserializeOwned, E: Error>(v: Value) -> Result<T, E> {
    serde_yaml::from_value(v).map_err(E::custom)
}

/// `v` as a `T`, refusing `null` (which serde_yaml would read as an empty collection).
fn not_null<T: DeserializeOwned, E: Error>(v: Value, expected: &'static str) -> Result<T, E> {
    if v.is_null() {
        return Err(E::invalid_type(Unexpected::Unit, &expected));
    }
    get(v)
}

impl Slots {
    /// Reads a check: its `type` first, then each key in order (an unknown one is an error),
    /// then the fields left out (a required one is an error).
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Check, A::Error> {
        let mut tag = None;
        let mut values: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "type" {
                tag = Some(map.next_value::<Tag>()?.0);
            } else {
                values.push((key, map.next_value()?));
            }
        }
        let tag = tag.ok_or_else(|| A::Error::missing_field("type"))?;
        let Some(i) = TAGS.iter().position(|t| *t == tag) else {
            return Err(A::Error::unknown_variant(&tag, TAGS));
        };
        let mut s = Slots::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (k, v) in values {
            let Some(name) = FIELDS[i].iter().find(|f| **f == k) else {
                return Err(A::Error::unknown_field(&k, FIELDS[i]));
            };
            if seen.contains(name) {
                return Err(A::Error::duplicate_field(name));
            }
            seen.push(name);
            if STRINGS.contains(name) {
                s.strings.insert(name, get(v)?);
            } else if OPT_STRINGS.contains(name) {
                if let Some(v) = get::<Option<String>, _>(v)? {
                    s.strings.insert(name, v);
                }
            } else if OPT_FLAGS.contains(name) {
                if let Some(v) = get::<Option<bool>, _>(v)? {
                    s.flags.insert(name, v);
                }
            } else {
                match *name {
                    "distinct_nodes" => s.distinct_nodes = get(v)?,
                    "count" => s.count = get(v)?,
                    "min" => s.min = get(v)?,
                    "replicas" => s.replicas = get(v)?,
                    "equals" => s.equals = get(v)?,
                    "node_labels" => s.node_labels = Some(not_null(v, "a map")?),
                    "patterns" => s.patterns = Some(not_null(v, "a sequence")?),
                    _ => s.text = Some(get(v)?),
                }
            }
        }
        s.check(TAGS[i])
    }

    fn opt(&mut self, name: &'static str) -> Option<String> {
        self.strings.remove(name)
    }

    fn req<E: Error>(&mut self, name: &'static str) -> Result<String, E> {
        self.opt(name).ok_or_else(|| E::missing_field(name))
    }

    fn text<E: Error>(&mut self) -> Result<Text, E> {
        self.text.take().ok_or_else(|| E::missing_field("text"))
    }

    /// The check `tag` names, from the slots.
    fn check<E: Error>(mut self, tag: &str) -> Result<Check, E> {
        Ok(match tag {
            "exists" => Check::Exists { kind: self.req("kind")?, name: self.req("name")?, namespace: self.opt("namespace"), text: self.text()? },
            "absent" => Check::Absent { kind: self.req("kind")?, name: self.req("name")?, namespace: self.opt("namespace"), text: self.text()? },
            "field" => Check::Field {
                kind: self.req("kind")?,
                name: self.req("name")?,
                namespace: self.opt("namespace"),
                path: self.req("path")?,
                equals: self.equals.take(),
                matches: self.opt("matches"),
                text: self.text()?,
            },
            "pods" => Check::Pods {
                selector: self.req("selector")?,
                namespace: self.opt("namespace"),
                phase: self.opt("phase"),
                ready: self.flags.get("ready").copied(),
                image: self.opt("image"),
                count: self.count,
                min: self.min,
                text: self.text()?,
            },
            "scheduled" => Check::Scheduled {
                selector: self.req("selector")?,
                namespace: self.opt("namespace"),
                node_labels: self.node_labels.take().unwrap_or_default(),
                node: self.opt("node"),
                not_node: self.opt("not_node"),
                distinct_nodes: self.distinct_nodes,
                min: self.min,
                text: self.text()?,
            },
            "rolled_out" => Check::RolledOut {
                deployment: self.req("deployment")?,
                namespace: self.opt("namespace"),
                image: self.opt("image"),
                replicas: self.replicas,
                text: self.text()?,
            },
            "pvc_bound" => Check::PvcBound {
                name: self.req("name")?,
                namespace: self.opt("namespace"),
                volume: self.opt("volume"),
                capacity: self.opt("capacity"),
                storage_class: self.opt("storage_class"),
                text: self.text()?,
            },
            "event" => Check::Event {
                reason: self.req("reason")?,
                object: self.opt("object"),
                message: self.opt("message"),
                namespace: self.opt("namespace"),
                text: self.text()?,
            },
            "command" => Check::Command { patterns: self.patterns.take().ok_or_else(|| E::missing_field("patterns"))?, text: self.text()? },
            "http" => Check::Http { url: self.req("url")?, contains: self.opt("contains"), text: self.text()? },
            _ => Check::Node {
                name: self.req("name")?,
                ready: self.flags.get("ready").copied(),
                unschedulable: self.flags.get("unschedulable").copied(),
                taint: self.opt("taint"),
                no_taint: self.opt("no_taint"),
                label: self.opt("label"),
                text: self.text()?,
            },
        })
    }
}

/// A `type` tag: a name, or (as serde reads variant identifiers) a variant's index.
struct Tag(String);

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        d.deserialize_identifier(TagVisitor)
    }
}

struct TagVisitor;

impl<'de> Visitor<'de> for TagVisitor {
    type Value = Tag;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("variant identifier")
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<Tag, E> {
        Ok(Tag(v.to_owned()))
    }
    fn visit_u64<E: Error>(self, v: u64) -> Result<Tag, E> {
        match TAGS.get(v as usize) {
            Some(t) => Ok(Tag((*t).to_owned())),
            None => Err(E::invalid_value(Unexpected::Unsigned(v), &"variant index 0 <= i < 11")),
        }
    }
}

struct CheckVisitor;

impl<'de> Visitor<'de> for CheckVisitor {
    type Value = Check;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("internally tagged enum Check")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
        Slots::read(&mut map)
    }
}

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Check, D::Error> {
        d.deserialize_any(CheckVisitor)
    }
}

/// What serde's untagged enum said of a value that is neither form; kept for every mismatch.
const NOT_TEXT: &str = "data did not match any variant of untagged enum Text";

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or {en, ko}")
    }
    fn visit_str<E: Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text::Plain(v.to_owned()))
    }
    fn visit_string<E: Error>(self, v: String) -> Result<Text, E> {
        Ok(Text::Plain(v))
    }
    fn visit_bool<E: Error>(self, _: bool) -> Result<Text, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<Text, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<Text, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<Text, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_unit<E: Error>(self) -> Result<Text, E> {
        Err(E::custom(NOT_TEXT))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Text, A::Error> {
        Err(A::Error::custom(NOT_TEXT))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        let (mut en, mut ko) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "en" => en = Some(map.next_value::<String>().map_err(|_| A::Error::custom(NOT_TEXT))?),
                "ko" => ko = Some(map.next_value::<String>().map_err(|_| A::Error::custom(NOT_TEXT))?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (en, ko) {
            (Some(en), Some(ko)) => Ok(Text::Both { en, ko }),
            _ => Err(A::Error::custom(NOT_TEXT)),
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

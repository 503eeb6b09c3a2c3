#!/usr/bin/env python3
"""Generates crates/engine/src/api/codec_gen.rs: the field tables of every k8s-openapi type the
engine's kinds reach, for the table-driven JSON codec in crates/engine/src/api/codec.rs.

k8s-openapi gives each type a hand-expanded serde `Deserialize`/`Serialize`; compiled for the page
that per-type code was about a quarter of the wasm. The codec reads and writes the same JSON from
one table per type instead. This script reads k8s-openapi's own sources (the version in
Cargo.lock, from cargo's registry) and takes from each type's serde impls exactly what the codec
needs: the JSON name of each field in serialisation order, the name it reports in errors, which
and whether it is a resource (apiVersion/kind). Types whose serde impls are not the plain struct
form (Time, Quantity, IntOrString, ...), that have no `Default` or that insist on a field
(`missing_field`) stay on their serde impls (the codec calls them as leaves).

Usage: python3 scripts/gen-api-codec.py   (rewrites the file; `cargo test` checks it is current)
"""
import glob, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'crates/engine/src/api/codec_gen.rs')


def k8s_src():
    lock = open(os.path.join(ROOT, 'Cargo.lock')).read()
    m = re.search(r'name = "k8s-openapi"\nversion = "([^"]+)"', lock)
    version = m.group(1)
    home = os.environ.get('CARGO_HOME', os.path.expanduser('~/.cargo'))
    hits = glob.glob(os.path.join(home, 'registry/src/*/k8s-openapi-%s/src/v1_32' % version))
    if not hits:
        sys.exit('k8s-openapi %s not in the cargo registry: run `cargo fetch` first' % version)
    return version, hits[0]


# The kinds of crates/engine/src/api/kinds.rs.
ROOTS = [
    'api::core::v1::' + k for k in 'Namespace Node Pod Service Endpoints ConfigMap Secret ServiceAccount PersistentVolume PersistentVolumeClaim ResourceQuota LimitRange Event'.split()
] + ['api::apps::v1::' + k for k in 'Deployment ReplicaSet DaemonSet StatefulSet ControllerRevision'.split()] + [
    'api::batch::v1::Job', 'api::batch::v1::CronJob', 'api::autoscaling::v2::HorizontalPodAutoscaler',
    'api::storage::v1::StorageClass', 'api::networking::v1::Ingress', 'api::networking::v1::IngressClass',
    'api::discovery::v1::EndpointSlice', 'api::scheduling::v1::PriorityClass', 'api::policy::v1::PodDisruptionBudget',
    'api::coordination::v1::Lease',
]


def index_structs(src):
    """path::Name -> file text, for every `pub struct` in the version's sources."""
    idx = {}
    for f in glob.glob(os.path.join(src, '**/*.rs'), recursive=True):
        rel = os.path.relpath(os.path.dirname(f), src).replace(os.sep, '::')
        text = open(f).read()
        for m in re.finditer(r'^pub struct (\w+)', text, re.M):
            idx[rel + '::' + m.group(1)] = text
    return idx


def split_generic(t):
    """`Option<Vec<X>>` -> ('Option', 'Vec<X>')"""
    m = re.match(r'^([\w:]+)<(.*)>$', t)
    return (m.group(1), m.group(2)) if m else (None, t)


def named_types(t):
    """The crate types a field type names."""
    return re.findall(r'crate::([\w:]+)', t)


def parse(path, text):
    name = path.rsplit('::', 1)[1]
    body = re.search(r'^pub struct %s \{\n(.*?)^\}' % name, text, re.M | re.S)
    derive = re.search(r'#\[derive\(([^)]*)\)\]\npub struct %s\b' % name, text)
    info = {'path': path, 'name': name, 'leaf': True}
    if not body or 'Default' not in (derive.group(1) if derive else ''):
        return info
    fields = dict(re.findall(r'^    pub (\w+): (.+),$', body.group(1), re.M))
    ser = re.search(r'impl crate::serde::Serialize for %s \{(.*?)\n\}\n' % name, text, re.S)
    de = re.search(r"impl<'de> crate::serde::Deserialize<'de> for %s \{(.*?)\n\}\n" % name, text, re.S)
    if not ser or not de or 'fn visit_map' not in de.group(1):
        return info
    ser, de = ser.group(1), de.group(1)
    order = []
    for m in re.finditer(r'(?:if let Some\(value\) = &self\.(\w+) \{\s*)?crate::serde::ser::SerializeStruct::serialize_field\(&mut state, "([^"]+)", ([^)]+?)\)\?;', ser):
        opt_field, json, arg = m.groups()
        if arg.startswith('<Self as crate::Resource>'):
            continue
        field = opt_field or re.fullmatch(r'&self\.(\w+)', arg).group(1)
        order.append((json, field))
    if sorted(f for _, f in order) != sorted(fields):
        raise SystemExit('%s: serialised fields %s differ from the struct %s' % (path, order, sorted(fields)))
    for json, field in order:
        if not re.search(r'"%s" => Field::Key_%s,' % (re.escape(json), field), de):
            raise SystemExit('%s: field %s is not read as "%s"' % (path, field, json))
    if 'missing_field(' in de:
        return info
    de_name = re.search(r'deserializer\.deserialize_struct\(\s*([^,]+),', de).group(1).strip()
    resource = ('impl crate::Resource for %s ' % name) in text
    if resource:
        de_name = None  # the KIND
    else:
        de_name = de_name.strip('"')
    info.update(leaf=False, fields=[(j, f, fields[f]) for j, f in order], de_name=de_name, resource=resource)
    return info


def main():
    version, src = k8s_src()
    idx = index_structs(src)
    seen, todo, types = set(), list(ROOTS), []
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        if p not in idx:
            continue  # ByteString and the like live outside the version's module
        info = parse(p, idx[p])
        types.append(info)
        if not info['leaf']:
            for _, _, t in info['fields']:
                todo.extend(n for n in named_types(t) if n not in seen)
    types.sort(key=lambda i: i['path'])
    out = ['// Generated by scripts/gen-api-codec.py from k8s-openapi %s (v1_32); do not edit.' % version,
           '// The field tables of the API types the kinds reach, for `super::codec`.',
           '',
           'use super::codec::{Json, Meta, Struct};',
           '']
    # Time, MicroTime and Condition have their own impls in codec.rs (RFC 3339 read strictly, as
    # Go reads it, without chrono's general parser).
    leaves = [i for i in types if i['leaf'] and i['path'].rsplit('::', 1)[-1] not in ('Time', 'MicroTime', 'Condition')]
    out.append('super::codec::serde_leaves! {')
    for i in leaves:
        out.append('    k8s_openapi::%s,' % i['path'])
    out.append('}')
    for i in types:
        if i['leaf']:
            continue
        ty = 'k8s_openapi::' + i['path']
        name = '<%s as k8s_openapi::Resource>::KIND' % ty if i['resource'] else '"%s"' % i['de_name']
        out.append('')
        out.append('impl Struct for %s {' % ty)
        out.append('    const META: &\'static Meta = &Meta {')
        out.append('        name: %s,' % name)
        if i['resource']:
            out.append('        resource: Some((<%s as k8s_openapi::Resource>::API_VERSION, <%s as k8s_openapi::Resource>::KIND)),' % (ty, ty))
        else:
            out.append('        resource: None,')
        out.append('        fields: &[%s],' % ', '.join('"%s"' % j for j, _, _ in i['fields']))
        out.append('    };')
        for mut in ('', '_mut'):
            ref = '&mut ' if mut else '&'
            out.append('    fn field%s(%sself, i: usize) -> Option<%sdyn Json> {' % (mut, ref, ref))
            out.append('        Some(match i {')
            for n, (_, f, _) in enumerate(i['fields']):
                out.append('            %d => %sself.%s,' % (n, ref, f))
            out.append('            _ => return None,')
            out.append('        })')
            out.append('    }')
        out.append('}')
        out.append('super::codec::struct_json!(%s);' % ty)
    text = '\n'.join(out) + '\n'
    if '--check' in sys.argv:
        if open(OUT).read() != text:
            sys.exit('%s is not current: run python3 scripts/gen-api-codec.py' % OUT)
        return
    open(OUT, 'w').write(text)
    print('%s: %d types (%d leaves)' % (OUT, len(types), len(leaves)))


main()

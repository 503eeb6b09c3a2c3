#!/usr/bin/env python3
"""Generates crates/kubectl/data/explain-v1.32.json.z, the field documentation behind
`kubectl explain`, from the Kubernetes v1.32 API definitions.

Input: the `v1.32.0-local/_definitions.json` that the PyPI package `kubernetes-validate`
ships (a JSON form of the v1.32 OpenAPI definitions: descriptions, types, required fields).
Quantity and IntOrString, whose descriptions that file drops, take them from the
k8s-openapi 0.24 sources (v1_32) in the cargo registry.

    pip download --no-deps -d /tmp/kv kubernetes-validate && (cd /tmp/kv && unzip -q *.whl)
    python3 scripts/gen-explain-data.py /tmp/kv/kubernetes_validate/kubernetes-json-schema/v1.32.0-local/_definitions.json

Only the types reachable from the kinds the engine serves are kept. The output is zlib
(deflate) compressed JSON:
    {"kinds": [[group, kind, version, type], ...],
     "types": [[name, description, [[field, type text, ref type or -1, required 0/1, description], ...]], ...]}
where "type text" is what kubectl's explain template prints between <> (its typeGuess).
"""
import glob
import json
import os
import re
import sys
import zlib

KINDS = [
    ("", "Namespace", "v1"), ("", "Node", "v1"), ("", "Pod", "v1"), ("", "Service", "v1"),
    ("", "Endpoints", "v1"), ("", "ConfigMap", "v1"), ("", "Secret", "v1"), ("", "ServiceAccount", "v1"),
    ("", "PersistentVolume", "v1"), ("", "PersistentVolumeClaim", "v1"), ("", "ResourceQuota", "v1"),
    ("", "LimitRange", "v1"), ("", "Event", "v1"), ("apps", "Deployment", "v1"), ("apps", "ReplicaSet", "v1"),
    ("apps", "DaemonSet", "v1"), ("apps", "StatefulSet", "v1"), ("batch", "Job", "v1"), ("batch", "CronJob", "v1"),
    ("autoscaling", "HorizontalPodAutoscaler", "v2"), ("storage.k8s.io", "StorageClass", "v1"),
    ("networking.k8s.io", "Ingress", "v1"), ("networking.k8s.io", "IngressClass", "v1"),
    ("discovery.k8s.io", "EndpointSlice", "v1"), ("scheduling.k8s.io", "PriorityClass", "v1"),
    ("policy", "PodDisruptionBudget", "v1"), ("coordination.k8s.io", "Lease", "v1"),
    ("apps", "ControllerRevision", "v1"),
]

# Descriptions the input lacks, from k8s-openapi's doc comments (rustdoc escapes undone).
RUST_DOCS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "apimachinery/pkg/api/resource/quantity.rs",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "apimachinery/pkg/util/intstr/int_or_string.rs",
}


def rust_doc(rel):
    """The description k8s-openapi's schemars impl carries: the API's own string (its doc
    comments are rewritten as markdown, so they are not used)."""
    roots = glob.glob(os.path.expanduser("~/.cargo/registry/src/*/k8s-openapi-0.24.0/src/v1_32/")) + ["/tmp/k8sx/k8s-openapi-0.24.0/src/v1_32/"]
    for root in roots:
        p = os.path.join(root, rel)
        if os.path.exists(p):
            src = open(p).read()
            impl = src[src.index("impl crate::schemars::JsonSchema"):]
            m = re.search(r'description: Some\("((?:[^"\\]|\\.)*)"\.to_owned\(\)\)', impl)
            if not m:
                sys.exit(f"no schemars description in {p}")
            return m.group(1).encode().decode("unicode_escape")
    sys.exit(f"k8s-openapi sources for {rel} not found")


def main():
    defs = json.load(open(sys.argv[1]))["$defs"]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../crates/kubectl/data/explain-v1.32.json.z")
    for name, rel in RUST_DOCS.items():
        defs[name]["description"] = rust_doc(rel)

    def ref_name(s):
        return s["$ref"].split("/")[-1]

    def first_type(s):
        t = s.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), None)
        return t

    def type_guess(s):
        # kubectl's explain template, typeGuess: items, additionalProperties, $ref, type.
        if "items" in s:
            return "[]" + type_guess(s["items"])
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            return "map[string]" + type_guess(ap)
        if "$ref" in s:
            r = defs[ref_name(s)]
            rt = first_type(r)
            if rt is None or rt == "object":
                return ref_name(s).split(".")[-1]
            return rt
        t = first_type(s)
        return "Object" if t == "object" or t is None else t

    def ref_of(s):
        # The named type a field leads to, through arrays and maps.
        if "items" in s:
            return ref_of(s["items"])
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            return ref_of(ap)
        return ref_name(s) if "$ref" in s else None

    order, index = [], {}

    def visit(name):
        if name in index:
            return
        index[name] = len(order)
        order.append(name)
        for f in defs[name].get("properties", {}).values():
            r = ref_of(f)
            if r:
                visit(r)

    kinds = []
    for group, kind, version in KINDS:
        name = next(n for n, d in defs.items() if {"group": group, "kind": kind, "version": version} in d.get("x-kubernetes-group-version-kind", []) and not n.endswith("List"))
        visit(name)
        kinds.append([group, kind, version, index[name]])

    types = []
    for name in order:
        d = defs[name]
        req = set(d.get("required", []))
        fields = []
        for fname in sorted(d.get("properties", {})):
            f = d["properties"][fname]
            r = ref_of(f)
            fields.append([fname, type_guess(f), index[r] if r else -1, 1 if fname in req else 0, f.get("description", "")])
        types.append([name.split(".")[-1], d.get("description", ""), fields])

    data = json.dumps({"kinds": kinds, "types": types}, separators=(",", ":"), ensure_ascii=False).encode()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as fh:
        fh.write(zlib.compress(data, 9))
    print(f"{len(types)} types, {len(data)} bytes of JSON, {os.path.getsize(out)} compressed -> {out}")


main()

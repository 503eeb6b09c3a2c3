#!/usr/bin/env python3
"""Per-function code sizes of a wasm module from its name section, grouped by crate.

Usage: python3 scripts/wasm-size.py target/wasm32-unknown-unknown/release/pilothouse-web.wasm [TOP_N]
(the cargo output before wasm-bindgen/wasm-opt, which still has function names)."""
import sys, re, collections
data = open(sys.argv[1], 'rb').read()
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
i = 8; imports_funcs = 0; code_sizes = []; names = {}; sections = []
while i < len(data):
    sid = data[i]; i += 1
    size, i = leb(data, i); end = i + size
    if sid == 0:
        nl, j = leb(data, i); nm = data[j:j+nl].decode(); j += nl
        sections.append(('custom:' + nm, size))
        if nm == 'name':
            while j < end:
                sub = data[j]; j += 1; ss, j = leb(data, j); se = j + ss
                if sub == 1:
                    cnt, j = leb(data, j)
                    for _ in range(cnt):
                        idx, j = leb(data, j); l, j = leb(data, j); names[idx] = data[j:j+l].decode('utf8', 'replace'); j += l
                j = se
    else:
        sections.append((sid, size))
        if sid == 2:
            cnt, j = leb(data, i)
            for _ in range(cnt):
                l, j = leb(data, j); j += l; l, j = leb(data, j); j += l
                kind = data[j]; j += 1
                if kind == 0: _, j = leb(data, j); imports_funcs += 1
                elif kind == 1: j += 1; fl, j = leb(data, j); _, j = leb(data, j); j = (leb(data, j)[1] if fl & 1 else j)
                elif kind == 2: fl, j = leb(data, j); _, j = leb(data, j); j = (leb(data, j)[1] if fl & 1 else j)
                elif kind == 3: j += 2
                else: j += 2
        if sid == 10:
            cnt, j = leb(data, i)
            for k in range(cnt):
                l, j2 = leb(data, j); code_sizes.append((imports_funcs + k, l + (j2 - j))); j = j2 + l
    i = end
print('sections:', sections)
tot = sum(s for _, s in code_sizes); print('code total', tot, 'functions', len(code_sizes))
def demangle(n):
    return n
rows = sorted(((s, names.get(ix, f'func{ix}')) for ix, s in code_sizes), reverse=True)
groups = collections.Counter()
for s, n in rows:
    m = re.findall(r'(?:_ZN|^|<|\s)([a-z_][a-z0-9_]*)(?:\.\.|::|\d)', n)
    key = n
    for pat in ['k8s_openapi', 'serde_yaml', 'serde_json', 'serde', 'yew', 'pilothouse_engine', 'pilothouse_kubectl', 'pilothouse_web', 'pilothouse_lessons', 'chrono', 'regex', 'core', 'alloc', 'std', 'miniz', 'wasm_bindgen', 'js_sys', 'web_sys', 'indexmap', 'hashbrown']:
        if pat in n: key = pat; break
    else: key = 'other'
    groups[key] += s
for k, v in groups.most_common(): print(f'{v:>10} {k}')
print('--- top functions')
for s, n in rows[:int(sys.argv[2]) if len(sys.argv) > 2 else 40]: print(f'{s:>8} {n[:200]}')

import glob
def varint(b, i):
    r = 0; s = 0
    while True:
        c = b[i]; i += 1
        r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            ln, i = varint(b, i); v = b[i:i+ln]; i += ln
        elif wt == 1: v = b[i:i+8]; i += 8
        elif wt == 5: v = b[i:i+4]; i += 4
        else: raise Exception('wt %d' % wt)
        yield num, v
TYPES = {1:'double',2:'float',3:'int64',4:'uint64',5:'int32',8:'bool',9:'string',11:'message',12:'bytes',13:'uint32',14:'enum',17:'sint32',18:'sint64'}
out = []
def msg(b, prefix):
    name = None; fs = []; nested = []; is_map = False
    for num, v in fields(b):
        if num == 1: name = v.decode()
        elif num == 2: fs.append(v)
        elif num == 3: nested.append(v)
        elif num == 7:
            for n2, v2 in fields(v):
                if n2 == 7 and v2 == 1: is_map = True
    full = prefix + '.' + name
    for n in nested: msg(n, full)
    parts = []
    for f in fs:
        d = dict(fields(f))
        fname = d[1].decode(); number = d[3]; label = d.get(4, 1); ty = TYPES.get(d[5], str(d[5]))
        tn = d.get(6, b'').decode().lstrip('.')
        t = tn if ty == 'message' else ty
        parts.append('%d:%s:%s%s' % (number, fname, '*' if label == 3 else '', t))
    out.append(('M ' if is_map else '') + full + ' ' + ' '.join(parts))
for fn in sorted(glob.glob('k8s.io_*generated.proto')):
    b = open(fn, 'rb').read()
    d = list(fields(b))
    pkg = [v for n, v in d if n == 2][0].decode()
    wanted = any(x in fn for x in ['api_core_v1_','api_apps_v1_','api_batch_v1_','api_policy_v1_','api_autoscaling_v1_','api_autoscaling_v2_','api_networking_v1_','api_storage_v1_','api_scheduling_v1_','api_coordination_v1_','api_discovery_v1_','apimachinery_pkg_apis_meta_v1_','apimachinery_pkg_api_resource_','apimachinery_pkg_util_intstr_','apimachinery_pkg_runtime_generated'])
    if not wanted: continue
    for n, v in d:
        if n == 4: msg(v, pkg)
open('proto_schema.txt','w').write('\n'.join(sorted(out)) + '\n')
print(len(out))

import zlib, sys, re
data = open('/usr/lib/google-cloud-sdk/bin/kubectl','rb').read()
found = {}
for m in re.finditer(b'\x1f\x8b\x08\x00\x00\x00\x00\x00', data):
    i = m.start()
    try:
        d = zlib.decompressobj(31)
        out = d.decompress(data[i:i+2000000])
    except Exception:
        continue
    if out[:1] == b'\n':
        # FileDescriptorProto starts with field 1 (name)
        ln = out[1]
        name = out[2:2+ln]
        if name.startswith(b'k8s.io/'):
            found[name.decode()] = out
for n in sorted(found):
    open(n.replace('/','_'),'wb').write(found[n])
    print(n, len(found[n]))

//! Simulated files as a container sees them: its own writable layer (the kubelet's
//! `ContainerRt.files` plus the image's default files) with volumes mounted over it. Each
//! volume's data lives where it would on a real cluster: emptyDir under the pod's directory on
//! its node (gone with the pod), hostPath — and PVs backed by hostPath/local/CSI-hostpath, as
//! minikube's provisioner creates them — in the node's files (`NodeAgent.host_files`), network
//! volumes in the cluster-wide store of [`super::StorageControllers`]; ConfigMap, Secret,
//! downwardAPI and projected volumes are generated from the objects and read-only.

use crate::vecmap::VecSet;
use crate::api::{meta, Kind, Object, ObjectKey};
use crate::apiserver::Api;
use crate::cluster::Cluster;
use crate::kubelet::images;
use k8s_openapi::api::core::v1::{Container, PersistentVolume, Pod, Volume};
use std::collections::BTreeMap;

/// A filesystem error, worded like the coreutils/busybox message tail (`<path>: No such file or directory`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    /// The path does not exist.
    #[error("{0}: No such file or directory")]
    NoSuchFile(String),
    /// The path is a directory.
    #[error("{0}: Is a directory")]
    IsDirectory(String),
    /// A path component is not a directory.
    #[error("{0}: Not a directory")]
    NotDirectory(String),
    /// The path is on a read-only mount.
    #[error("{0}: Read-only file system")]
    ReadOnly(String),
    /// The pod or container cannot be exec'ed into (kubectl's message).
    #[error("{0}")]
    NoContainer(String),
}

/// Where a mounted volume's files live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Files under `base` on a node (`NodeAgent.host_files`).
    Host {
        /// The node.
        node: String,
        /// The directory on the node.
        base: String,
    },
    /// A cluster-wide volume (network storage), by id in `StorageControllers.shared`.
    Shared(String),
    /// Files generated from API objects (relative path -> content); read-only.
    Generated(BTreeMap<String, String>),
    /// A single generated file mounted at the mount path itself (`/etc/hosts`).
    File(String),
}

/// One mount in a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The mount path in the container.
    pub path: String,
    /// Where its files live.
    pub backing: Backing,
    /// Whether writes are refused.
    pub read_only: bool,
    /// The volume's name (empty for implicit mounts).
    pub volume: String,
}

/// Normalises a path: absolute, no `.`/`..`, no trailing or doubled slashes.
pub fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            x => parts.push(x),
        }
    }
    format!("/{}", parts.join("/"))
}

fn join(base: &str, rel: &str) -> String {
    if rel.is_empty() {
        base.trim_end_matches('/').to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), rel)
    }
}

/// The directory on the node holding a pod's emptyDir volume.
pub fn empty_dir_base(pod_uid: &str, volume: &str) -> String {
    format!("/var/lib/kubelet/pods/{pod_uid}/volumes/kubernetes.io~empty-dir/{volume}")
}

/// Where a PV's data lives for a pod on `node`.
pub fn pv_backing(pv: &PersistentVolume, node: &str) -> Backing {
    let name = meta::name(&pv.metadata).to_string();
    let spec = pv.spec.clone().unwrap_or_default();
    if let Some(h) = spec.host_path {
        return Backing::Host { node: node.into(), base: h.path };
    }
    if let Some(l) = spec.local {
        return Backing::Host { node: node.into(), base: l.path };
    }
    if let Some(csi) = spec.csi.filter(|c| c.driver == super::binder::CSI_HOSTPATH) {
        return Backing::Host { node: node.into(), base: format!("/var/lib/csi-hostpath-data/{}", csi.volume_handle) };
    }
    Backing::Shared(format!("pv/{name}"))
}

/// The claim name behind a pod volume (a PVC or a generic ephemeral volume's `<pod>-<volume>`).
pub fn claim_of(pod: &Pod, v: &Volume) -> Option<String> {
    if let Some(c) = &v.persistent_volume_claim {
        return Some(c.claim_name.clone());
    }
    v.ephemeral.as_ref().map(|_| format!("{}-{}", meta::name(&pod.metadata), v.name))
}

/// The files a ConfigMap/Secret/downwardAPI/projected volume shows, or the mount error
/// (`configmap "x" not found`). `None` for volumes that are not generated.
pub fn generated_files(api: &Api, pod: &Pod, v: &Volume) -> Option<Result<BTreeMap<String, String>, String>> {
    let ns = meta::namespace(&pod.metadata);
    if let Some(cm) = &v.config_map {
        return Some(super::config::config_map_files(api, ns, &cm.name, cm.items.as_deref(), cm.optional.unwrap_or(false)));
    }
    if let Some(s) = &v.secret {
        let name = s.secret_name.clone().unwrap_or_default();
        return Some(super::config::secret_files(api, ns, &name, s.items.as_deref(), s.optional.unwrap_or(false)));
    }
    if let Some(d) = &v.downward_api {
        let mut out = BTreeMap::new();
        for item in d.items.iter().flatten() {
            out.insert(item.path.clone(), super::config::downward_item(api, pod, item.field_ref.as_ref(), item.resource_field_ref.as_ref(), true));
        }
        return Some(Ok(out));
    }
    if let Some(p) = &v.projected {
        let mut out = BTreeMap::new();
        for src in p.sources.iter().flatten() {
            let part = if let Some(cm) = &src.config_map {
                super::config::config_map_files(api, ns, &cm.name, cm.items.as_deref(), cm.optional.unwrap_or(false))
            } else if let Some(s) = &src.secret {
                super::config::secret_files(api, ns, &s.name, s.items.as_deref(), s.optional.unwrap_or(false))
            } else if let Some(d) = &src.downward_api {
                Ok(crate::sort::btree_map(d.items.iter().flatten().map(|i| (i.path.clone(), super::config::downward_item(api, pod, i.field_ref.as_ref(), i.resource_field_ref.as_ref(), true)))))
            } else if let Some(t) = &src.service_account_token {
                Ok(crate::sort::btree_map([(t.path.clone(), fake_token(pod))]))
            } else {
                Ok(BTreeMap::new())
            };
            match part {
                Ok(m) => out.extend(m),
                Err(e) => return Some(Err(e)),
            }
        }
        return Some(Ok(out));
    }
    None
}

fn fake_token(pod: &Pod) -> String {
    let sa = pod.spec.as_ref().and_then(|s| s.service_account_name.clone()).unwrap_or_else(|| "default".into());
    let b = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.as_bytes())
    };
    format!(
        "{}.{}.{}",
        b("{\"alg\":\"RS256\",\"kid\":\"pilothouse\"}"),
        b(&format!("{{\"aud\":[\"https://kubernetes.default.svc.cluster.local\"],\"iss\":\"https://kubernetes.default.svc.cluster.local\",\"sub\":\"system:serviceaccount:{}:{sa}\"}}", meta::namespace(&pod.metadata))),
        b("signature")
    )
}

/// The container's mounts, innermost-last: declared volume mounts plus the kubelet's own
/// (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`, the service account token).
pub fn mounts(api: &Api, pod: &Pod, container: &Container) -> Vec<Mount> {
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let uid = meta::uid(&pod.metadata).to_string();
    let name = meta::name(&pod.metadata).to_string();
    let ns = meta::namespace(&pod.metadata).to_string();
    let spec = pod.spec.clone().unwrap_or_default();
    let pod_ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
    let hostname = spec.hostname.clone().unwrap_or_else(|| name.clone());
    let mut out = Vec::new();
    let fqdn = match &spec.subdomain {
        Some(sd) if !sd.is_empty() => format!("\t{hostname}.{sd}.{ns}.svc.cluster.local"),
        _ => String::new(),
    };
    let hosts = format!(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{pod_ip}\t{hostname}{fqdn}\n"
    );
    out.push(Mount { path: "/etc/hosts".into(), backing: Backing::File(hosts), read_only: false, volume: String::new() });
    out.push(Mount { path: "/etc/hostname".into(), backing: Backing::File(format!("{hostname}\n")), read_only: false, volume: String::new() });
    out.push(Mount {
        path: "/etc/resolv.conf".into(),
        backing: Backing::File(format!("nameserver 10.96.0.10\nsearch {ns}.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n")),
        read_only: false,
        volume: String::new(),
    });
    if spec.automount_service_account_token != Some(false) {
        let files: BTreeMap<String, String> = crate::sort::btree_map([
            ("ca.crt".to_string(), "-----BEGIN CERTIFICATE-----\nMIIDBjCCAe6gAwIBAgIBATANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwptaW5p\na3ViZUNBMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAwMDAwMFowFTETMBEGA1UE\n-----END CERTIFICATE-----\n".to_string()),
            ("namespace".to_string(), ns.clone()),
            ("token".to_string(), fake_token(pod)),
        ]);
        out.push(Mount { path: "/var/run/secrets/kubernetes.io/serviceaccount".into(), backing: Backing::Generated(files), read_only: true, volume: String::new() });
    }
    for vm in container.volume_mounts.iter().flatten() {
        let Some(v) = spec.volumes.iter().flatten().find(|v| v.name == vm.name) else { continue };
        let sub = vm.sub_path.clone().unwrap_or_default();
        let mut ro = vm.read_only.unwrap_or(false);
        let backing = if v.empty_dir.is_some() {
            Backing::Host { node: node.clone(), base: join(&empty_dir_base(&uid, &v.name), &sub) }
        } else if let Some(h) = &v.host_path {
            Backing::Host { node: node.clone(), base: join(&h.path, &sub) }
        } else if let Some(claim) = claim_of(pod, v) {
            ro |= v.persistent_volume_claim.as_ref().and_then(|c| c.read_only).unwrap_or(false);
            let pv = match api.store.get(&ObjectKey::new(Kind::PersistentVolumeClaim, &ns, &claim)).map(|o| &**o) {
                Some(Object::PersistentVolumeClaim(c)) => c.spec.as_ref().and_then(|s| s.volume_name.clone()).and_then(|pv| match api.store.get(&ObjectKey::new(Kind::PersistentVolume, "", &pv)).map(|o| &**o) {
                    Some(Object::PersistentVolume(pv)) => Some(pv.clone()),
                    _ => None,
                }),
                _ => None,
            };
            match pv {
                Some(pv) => match pv_backing(&pv, &node) {
                    Backing::Host { node, base } => Backing::Host { node, base: join(&base, &sub) },
                    Backing::Shared(id) => Backing::Shared(if sub.is_empty() { id } else { format!("{id}/{sub}") }),
                    other => other,
                },
                None => continue,
            }
        } else if let Some(Ok(files)) = generated_files(api, pod, v) {
            ro = true;
            if sub.is_empty() {
                Backing::Generated(files)
            } else if let Some(f) = files.get(&sub) {
                Backing::File(f.clone())
            } else {
                let prefix = format!("{sub}/");
                Backing::Generated(crate::sort::btree_map(files.iter().filter_map(|(k, c)| k.strip_prefix(&prefix).map(|r| (r.to_string(), c.clone())))))
            }
        } else {
            continue;
        };
        out.push(Mount { path: clean(&vm.mount_path), backing, read_only: ro, volume: v.name.clone() });
    }
    out
}

/// The image's own files (what `cat` finds before anything was written).
pub fn image_files(image: &str) -> BTreeMap<String, String> {
    let (repo, _) = images::split_image(image);
    let short = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    let mut m = BTreeMap::new();
    match short.as_str() {
        "nginx" => {
            m.insert("/usr/share/nginx/html/index.html".into(), images::NGINX_WELCOME.to_string());
            m.insert("/usr/share/nginx/html/50x.html".into(), "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently unavailable.<br/>\nPlease try again later.</p>\n</body>\n</html>\n".into());
        }
        "httpd" => {
            m.insert("/usr/local/apache2/htdocs/index.html".into(), "<html><body><h1>It works!</h1></body></html>\n".into());
        }
        _ => {}
    }
    m
}

/// Directories every image has.
const BASE_DIRS: &[&str] = &["/", "/bin", "/dev", "/etc", "/home", "/proc", "/root", "/sys", "/tmp", "/usr", "/var", "/mnt", "/opt", "/run", "/srv", "/var/run", "/var/log", "/usr/share", "/usr/local", "/usr/bin"];

/// A resolved location: a mount (by index) and the path relative to it, or the root layer.
enum Loc {
    Mount(usize, String),
    Root(String),
}

fn locate(mounts: &[Mount], path: &str) -> Loc {
    let mut best: Option<(usize, usize)> = None;
    for (i, m) in mounts.iter().enumerate() {
        let ok = path == m.path || path.starts_with(&format!("{}/", m.path.trim_end_matches('/'))) || m.path == "/";
        if ok && best.is_none_or(|(_, l)| m.path.len() >= l) {
            best = Some((i, m.path.len()));
        }
    }
    match best {
        Some((i, _)) => {
            let m = &mounts[i];
            let rel = path.strip_prefix(m.path.trim_end_matches('/')).unwrap_or("").trim_start_matches('/').to_string();
            Loc::Mount(i, rel)
        }
        None => Loc::Root(path.to_string()),
    }
}

impl Cluster {
    fn exec_target(&self, pod: &ObjectKey, container: &str) -> Result<(Pod, Container, Vec<Mount>), FsError> {
        let Some(Object::Pod(p)) = self.api.store.get(pod).map(|o| &**o) else {
            return Err(FsError::NoContainer(format!("Error from server (NotFound): pods \"{}\" not found", pod.name)));
        };
        let spec = p.spec.clone().unwrap_or_default();
        let c = if container.is_empty() { spec.containers.first().cloned() } else { spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|c| c.name == container).cloned() };
        let Some(c) = c else {
            return Err(FsError::NoContainer(format!("error: unable to upgrade connection: container {container} not found in pod {}", pod.name)));
        };
        if !self.kubelets.is_running(pod, &c.name) {
            return Err(FsError::NoContainer(format!("error: unable to upgrade connection: container not found (\"{}\")", c.name)));
        }
        let mounts = mounts(&self.api, p, &c);
        Ok((p.clone(), c, mounts))
    }

    /// Reads a file as `cat` in the container would see it.
    pub fn exec_read(&mut self, pod: &ObjectKey, container: &str, path: &str) -> Result<String, FsError> {
        self.sync_volume_files();
        let (_, c, mounts) = self.exec_target(pod, container)?;
        let path = clean(path);
        match locate(&mounts, &path) {
            Loc::Mount(i, rel) => {
                let m = &mounts[i];
                let (files, _) = self.backing_files(&m.backing, &rel);
                match &m.backing {
                    Backing::File(content) if rel.is_empty() => return Ok(content.clone()),
                    Backing::File(_) => return Err(FsError::NotDirectory(path)),
                    _ => {}
                }
                if let Some(f) = files.get(&rel) {
                    return Ok(f.clone());
                }
                if rel.is_empty() || files.keys().any(|k| k.starts_with(&format!("{rel}/"))) {
                    return Err(FsError::IsDirectory(path));
                }
                Err(FsError::NoSuchFile(path))
            }
            Loc::Root(p) => {
                let own = self.kubelets.pods.get(pod).and_then(|rt| rt.containers.iter().find(|x| x.name == c.name)).map(|x| x.files.clone()).unwrap_or_default();
                if let Some(f) = own.get(&p) {
                    return Ok(f.clone());
                }
                if let Some(f) = image_files(c.image.as_deref().unwrap_or("")).get(&p) {
                    return Ok(f.clone());
                }
                if BASE_DIRS.contains(&p.as_str()) || own.keys().any(|k| k.starts_with(&format!("{p}/"))) || mounts.iter().any(|m| m.path.starts_with(&format!("{p}/"))) {
                    return Err(FsError::IsDirectory(p));
                }
                Err(FsError::NoSuchFile(p))
            }
        }
    }

    /// Writes (or appends to) a file as `echo ... > path` in the container would.
    pub fn exec_write(&mut self, pod: &ObjectKey, container: &str, path: &str, content: &str, append: bool) -> Result<(), FsError> {
        self.sync_volume_files();
        let (_, c, mounts) = self.exec_target(pod, container)?;
        let path = clean(path);
        match locate(&mounts, &path) {
            Loc::Mount(i, rel) => {
                let m = &mounts[i];
                if m.read_only || matches!(m.backing, Backing::Generated(_)) {
                    return Err(FsError::ReadOnly(path));
                }
                if rel.is_empty() && !matches!(m.backing, Backing::File(_)) {
                    return Err(FsError::IsDirectory(path));
                }
                match &m.backing {
                    Backing::Host { node, base } => {
                        let Some(agent) = self.kubelets.nodes.get_mut(node) else { return Err(FsError::NoSuchFile(path)) };
                        let e = agent.host_files.entry(join(base, &rel)).or_default();
                        if append {
                            e.push_str(content)
                        } else {
                            *e = content.to_string()
                        }
                    }
                    Backing::Shared(id) => {
                        let (vol, sub) = split_shared(id);
                        let e = self.storage.shared.entry(vol).or_default().entry(join_rel(&sub, &rel)).or_default();
                        if append {
                            e.push_str(content)
                        } else {
                            *e = content.to_string()
                        }
                    }
                    Backing::File(_) | Backing::Generated(_) => return Err(FsError::ReadOnly(path)),
                }
                Ok(())
            }
            Loc::Root(p) => {
                let image = c.image.clone().unwrap_or_default();
                let Some(ct) = self.kubelets.container_mut(pod, &c.name) else { return Err(FsError::NoSuchFile(p)) };
                let base = if append && !ct.files.contains_key(&p) { image_files(&image).get(&p).cloned() } else { None };
                let e = ct.files.entry(p).or_insert_with(|| base.unwrap_or_default());
                if append {
                    e.push_str(content)
                } else {
                    *e = content.to_string()
                }
                Ok(())
            }
        }
    }

    /// Removes a file (`rm`).
    pub fn exec_remove(&mut self, pod: &ObjectKey, container: &str, path: &str) -> Result<(), FsError> {
        self.sync_volume_files();
        let (_, c, mounts) = self.exec_target(pod, container)?;
        let path = clean(path);
        match locate(&mounts, &path) {
            Loc::Mount(i, rel) => {
                let m = &mounts[i];
                if m.read_only || matches!(m.backing, Backing::Generated(_) | Backing::File(_)) {
                    return Err(FsError::ReadOnly(path));
                }
                let removed = match &m.backing {
                    Backing::Host { node, base } => self.kubelets.nodes.get_mut(node).and_then(|a| a.host_files.remove(&join(base, &rel))).is_some(),
                    Backing::Shared(id) => {
                        let (vol, sub) = split_shared(id);
                        self.storage.shared.get_mut(&vol).and_then(|f| f.remove(&join_rel(&sub, &rel))).is_some()
                    }
                    _ => false,
                };
                if removed {
                    Ok(())
                } else {
                    Err(FsError::NoSuchFile(path))
                }
            }
            Loc::Root(p) => match self.kubelets.container_mut(pod, &c.name).and_then(|ct| ct.files.remove(&p)) {
                Some(_) => Ok(()),
                None => Err(FsError::NoSuchFile(p)),
            },
        }
    }

    /// Lists a directory's entries (`ls`), sorted; directories have no trailing slash.
    pub fn exec_list(&mut self, pod: &ObjectKey, container: &str, dir: &str) -> Result<Vec<String>, FsError> {
        self.sync_volume_files();
        let (_, c, mounts) = self.exec_target(pod, container)?;
        let dir = clean(dir);
        let mut names: VecSet<String> = VecSet::new();
        let mut exists;
        let child = |full: &str, prefix: &str| -> Option<String> {
            let rest = if prefix.is_empty() { Some(full) } else { full.strip_prefix(&format!("{prefix}/")) }?;
            rest.split('/').next().filter(|s| !s.is_empty()).map(str::to_string)
        };
        match locate(&mounts, &dir) {
            Loc::Mount(i, rel) => {
                let m = &mounts[i];
                if let Backing::File(_) = m.backing {
                    return Ok(vec![dir.rsplit('/').next().unwrap_or("").to_string()]);
                }
                let (files, _) = self.backing_files(&m.backing, &rel);
                if files.contains_key(&rel) && !rel.is_empty() {
                    return Ok(vec![rel.rsplit('/').next().unwrap_or("").to_string()]);
                }
                exists = rel.is_empty();
                for k in files.keys() {
                    if let Some(n) = child(k, &rel) {
                        names.insert(n);
                        exists = true;
                    }
                }
            }
            Loc::Root(p) => {
                let own = self.kubelets.pods.get(pod).and_then(|rt| rt.containers.iter().find(|x| x.name == c.name)).map(|x| x.files.clone()).unwrap_or_default();
                let mut all: VecSet<String> = VecSet::from_iter(own.keys().cloned());
                all.extend(image_files(c.image.as_deref().unwrap_or("")).into_keys());
                if all.contains(&p) {
                    return Ok(vec![p.rsplit('/').next().unwrap_or("").to_string()]);
                }
                exists = BASE_DIRS.contains(&p.as_str());
                let prefix = if p == "/" { String::new() } else { p.clone() };
                for k in all.iter().chain(BASE_DIRS.iter().map(|s| s.to_string()).collect::<Vec<_>>().iter()) {
                    let k = k.trim_start_matches('/');
                    let pre = prefix.trim_start_matches('/');
                    if let Some(n) = child(k, pre) {
                        names.insert(n);
                        exists = true;
                    }
                }
            }
        }
        // Mount points under the directory.
        for m in &mounts {
            let pre = if dir == "/" { String::new() } else { dir.trim_start_matches('/').to_string() };
            if let Some(n) = child(m.path.trim_start_matches('/'), &pre) {
                names.insert(n);
                exists = true;
            }
            if m.path == dir {
                exists = true;
            }
        }
        if !exists {
            return Err(FsError::NoSuchFile(dir));
        }
        Ok(names.into_iter().collect())
    }

    /// The files of a backing relative to it (for Host: keys under base, relative), plus the
    /// prefix they were taken from.
    fn backing_files(&self, b: &Backing, _rel: &str) -> (BTreeMap<String, String>, String) {
        match b {
            Backing::Host { node, base } => {
                let prefix = format!("{}/", base.trim_end_matches('/'));
                let files = self
                    .kubelets
                    .nodes
                    .get(node)
                    .map(|a| crate::sort::btree_map(a.host_files.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).map(|(k, v)| (k[prefix.len()..].to_string(), v.clone()))))
                    .unwrap_or_default();
                (files, prefix)
            }
            Backing::Shared(id) => {
                let (vol, sub) = split_shared(id);
                let files = self.storage.shared.get(&vol).cloned().unwrap_or_default();
                if sub.is_empty() {
                    (files, String::new())
                } else {
                    let pre = format!("{sub}/");
                    (crate::sort::btree_map(files.into_iter().filter_map(|(k, v)| k.strip_prefix(&pre).map(|r| (r.to_string(), v)))), pre)
                }
            }
            Backing::Generated(m) => (m.clone(), String::new()),
            Backing::File(_) => (BTreeMap::new(), String::new()),
        }
    }

    /// Moves files the containers' processes wrote under volume mounts into the volumes, applies
    /// pending scrubs (deleted or recycled volumes) and drops emptyDirs of pods that are gone.
    /// Called before every file or HTTP access; call it each round to persist writes of pods
    /// about to be deleted.
    pub fn sync_volume_files(&mut self) {
        // Scrubs requested by the storage controllers.
        for (node, prefix) in std::mem::take(&mut self.storage.scrub) {
            let pre = format!("{}/", prefix.trim_end_matches('/'));
            for (n, a) in self.kubelets.nodes.iter_mut() {
                if node.as_deref().is_none_or(|x| x == n) {
                    a.host_files.retain(|k, _| !k.starts_with(&pre));
                }
            }
        }
        for id in std::mem::take(&mut self.storage.scrub_shared) {
            self.storage.shared.remove(&id);
        }
        // Process writes under mounts.
        let keys: Vec<ObjectKey> = self.kubelets.pods.iter().filter(|(_, rt)| rt.containers.iter().any(|c| !c.files.is_empty())).map(|(k, _)| k.clone()).collect();
        for key in keys {
            let Some(Object::Pod(p)) = self.api.store.get(&key).map(|o| (**o).clone()) else { continue };
            let spec = p.spec.clone().unwrap_or_default();
            let names: Vec<String> = self.kubelets.pods.get(&key).map(|rt| rt.containers.iter().filter(|c| !c.files.is_empty()).map(|c| c.name.clone()).collect()).unwrap_or_default();
            for cname in names {
                let Some(cspec) = spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|c| c.name == cname).cloned() else { continue };
                if cspec.volume_mounts.as_ref().is_none_or(|v| v.is_empty()) {
                    continue;
                }
                let ms = mounts(&self.api, &p, &cspec);
                let files = self.kubelets.container_mut(&key, &cname).map(|c| c.files.clone()).unwrap_or_default();
                for (path, content) in files {
                    let Loc::Mount(i, rel) = locate(&ms, &clean(&path)) else { continue };
                    let m = &ms[i];
                    if m.read_only || rel.is_empty() {
                        continue;
                    }
                    match &m.backing {
                        Backing::Host { node, base } => {
                            if let Some(a) = self.kubelets.nodes.get_mut(node) {
                                a.host_files.insert(join(base, &rel), content);
                            }
                        }
                        Backing::Shared(id) => {
                            let (vol, sub) = split_shared(id);
                            self.storage.shared.entry(vol).or_default().insert(join_rel(&sub, &rel), content);
                        }
                        _ => continue,
                    }
                    if let Some(c) = self.kubelets.container_mut(&key, &cname) {
                        c.files.remove(&path);
                    }
                }
            }
        }
        // emptyDirs of pods that no longer exist.
        let live: VecSet<String> = VecSet::from_iter(self.api.store.list(Kind::Pod).map(|o| meta::uid(o.metadata()).to_string()));
        for a in self.kubelets.nodes.values_mut() {
            a.host_files.retain(|k, _| match k.strip_prefix("/var/lib/kubelet/pods/") {
                Some(rest) => live.contains(rest.split('/').next().unwrap_or("")),
                None => true,
            });
        }
    }
}

fn split_shared(id: &str) -> (String, String) {
    // `pv/<name>` or `pv/<name>/<subpath>`.
    let mut it = id.splitn(3, '/');
    let a = it.next().unwrap_or("");
    let b = it.next().unwrap_or("");
    let rest = it.next().unwrap_or("");
    (format!("{a}/{b}"), rest.to_string())
}

fn join_rel(sub: &str, rel: &str) -> String {
    match (sub.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (false, true) => sub.to_string(),
        _ => format!("{sub}/{rel}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(clean("/data//x/./y/../z/"), "/data/x/z");
        assert_eq!(clean("relative"), "/relative");
        assert_eq!(split_shared("pv/a/b/c"), ("pv/a".to_string(), "b/c".to_string()));
    }
}

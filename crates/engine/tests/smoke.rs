use pilothouse_engine::{Cluster, Kind, Object};

fn summary(c: &Cluster) -> String {
    let mut out = String::new();
    for o in c.list(Kind::Pod, None) {
        if let Object::Pod(p) = &*o {
            let st = p.status.as_ref().unwrap();
            let ready = st.container_statuses.iter().flatten().filter(|c| c.ready).count();
            out.push_str(&format!(
                "{}/{} {} ready={} node={:?} ip={:?}\n",
                p.metadata.namespace.as_deref().unwrap(),
                p.metadata.name.as_deref().unwrap(),
                st.phase.as_deref().unwrap_or(""),
                ready,
                p.spec.as_ref().unwrap().node_name,
                st.pod_ip
            ));
        }
    }
    out
}

#[test]
fn minikube_start_runs_system_pods() {
    let c = Cluster::minikube(1);
    let s = summary(&c);
    eprintln!("{s}");
    assert_eq!(c.node_count(), 1);
    assert!(s.contains("kube-system/etcd-minikube Running ready=1"), "{s}");
    assert!(s.contains("kube-system/storage-provisioner Running ready=1"), "{s}");
    assert!(s.lines().any(|l| l.starts_with("kube-system/coredns-") && l.contains("Running ready=1")), "{s}");
    assert_eq!(c.pod_count(), 7, "{s}");
}

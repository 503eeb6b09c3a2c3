//! Table-driven matching tests mirroring Kubernetes' pkg/controller/volume/persistentvolume/index_test.go.

use super::*;

fn pv(name: &str, size: &str, modes: &[&str], extra: &str) -> PersistentVolume {
    let y = format!(
        "metadata: {{name: {name}{extra_meta}}}\nspec: {{capacity: {{storage: {size}}}, accessModes: [{}]{extra_spec}}}\nstatus: {{phase: Available}}",
        modes.join(", "),
        extra_meta = extra.split('|').next().unwrap_or(""),
        extra_spec = extra.split('|').nth(1).unwrap_or(""),
    );
    serde_yaml::from_str(&y).unwrap()
}

fn claim(size: &str, modes: &[&str], extra_meta: &str, extra_spec: &str) -> PersistentVolumeClaim {
    let y = format!(
        "metadata: {{name: claim01, namespace: myns, uid: claim-uid{extra_meta}}}\nspec: {{accessModes: [{}], resources: {{requests: {{storage: {size}}}}}{extra_spec}}}",
        modes.join(", ")
    );
    serde_yaml::from_str(&y).unwrap()
}

const RWO: &str = "ReadWriteOnce";
const ROX: &str = "ReadOnlyMany";
const RWX: &str = "ReadWriteMany";

fn test_volumes() -> Vec<PersistentVolume> {
    vec![
        pv("gce003", "10G", &[RWO, ROX], ""),
        pv("gce004", "20G", &[RWO, ROX], "|, claimRef: {uid: def456}"),
        pv("nfs002", "5G", &[RWO, ROX, RWX], ""),
        pv("gce001", "1G", &[RWO, ROX], "|, claimRef: {uid: abc123}"),
        pv("nfs003", "10G", &[RWO, ROX, RWX], ""),
        pv("gce002", "5G", &[RWO, ROX], ""),
        pv("nfs001", "1G", &[RWO, ROX, RWX], ""),
        pv("gce0022", "20000G", &[RWO], ", labels: {should-exist: \"true\"}"),
        pv("gce0023", "10000G", &[RWO], ", labels: {should-exist: \"true\"}, annotations: {volume.beta.kubernetes.io/storage-class: silver}"),
        pv("gce0024", "100G", &[RWO], ", annotations: {volume.beta.kubernetes.io/storage-class: silver}"),
        pv("gce0025", "50G", &[RWO], ", annotations: {volume.beta.kubernetes.io/storage-class: gold}"),
    ]
}

#[test]
fn match_volume() {
    let vols = test_volumes();
    let refs: Vec<&PersistentVolume> = vols.iter().collect();
    let silver = ", annotations: {volume.beta.kubernetes.io/storage-class: silver}";
    let cases: Vec<(&str, PersistentVolumeClaim, Option<&str>)> = vec![
        ("successful-match-gce-10", claim("8G", &[ROX, RWO], "", ""), Some("gce003")),
        ("successful-match-nfs-5", claim("5G", &[ROX, RWO, RWX], "", ""), Some("nfs002")),
        ("successful-skip-1g-bound-volume", claim("1G", &[ROX, RWO], "", ""), Some("gce002")),
        ("successful-no-match", claim("999G", &[ROX, RWO], "", ""), None),
        ("successful-no-match-due-to-label", claim("999G", &[ROX, RWO], "", ", selector: {matchLabels: {should-not-exist: \"true\"}}"), None),
        ("no-match-size-with-selector", claim("20000G", &[ROX, RWO], "", ", selector: {matchLabels: {should-exist: \"true\"}}"), None),
        ("match-with-constraint-and-selector", claim("20000G", &[RWO], "", ", selector: {matchLabels: {should-exist: \"true\"}}"), Some("gce0022")),
        ("successful-match-with-class", claim("1G", &[RWO], silver, ", selector: {matchLabels: {should-exist: \"true\"}}"), Some("gce0023")),
        ("successful-match-with-class-and-labels", claim("1G", &[RWO], silver, ""), Some("gce0024")),
    ];
    for (name, c, want) in cases {
        let got = find_best_match(&c, &refs, false).map(|v| v.metadata.name.clone().unwrap());
        assert_eq!(got.as_deref(), want, "{name}");
    }
}

#[test]
fn matching_with_bound_volumes() {
    let a = pv("gce001", "1G", &[RWO, ROX], "|, claimRef: {uid: abc123}");
    let b = pv("gce002", "1G", &[RWO, ROX], "");
    let c = claim("1G", &[ROX, RWO], "", "");
    assert_eq!(find_best_match(&c, &[&a, &b], false).unwrap().metadata.name.as_deref(), Some("gce002"));
}

#[test]
fn different_access_modes() {
    let mut gce = pv("gce", "10G", &[RWO, ROX], "");
    let mut ebs = pv("ebs", "10G", &[RWO], "");
    let nfs = pv("nfs", "10G", &[RWO, ROX, RWX], "");
    let name = |c: &PersistentVolumeClaim, vols: &[&PersistentVolume]| find_best_match(c, vols, false).and_then(|v| v.metadata.name.clone());
    assert_eq!(name(&claim("1G", &[RWO], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("ebs"));
    assert_eq!(name(&claim("1G", &[RWO, ROX], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("gce"));
    assert_eq!(name(&claim("1G", &[RWX, RWO, ROX], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("nfs"));
    assert_eq!(name(&claim("1G", &[RWX], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("nfs"));
    ebs.spec.as_mut().unwrap().claim_ref = Some(Default::default());
    assert_eq!(name(&claim("1G", &[RWO], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("gce"));
    gce.spec.as_mut().unwrap().claim_ref = Some(Default::default());
    assert_eq!(name(&claim("1G", &[RWO], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("nfs"));
    gce.spec.as_mut().unwrap().claim_ref = None;
    assert_eq!(name(&claim("1G", &[ROX], "", ""), &[&gce, &ebs, &nfs]).as_deref(), Some("gce"));
}

#[test]
fn prebound_volumes() {
    let c = claim("1Gi", &[RWO], "", "");
    let mut pv1 = pv("pv1", "1Gi", &[RWO], "");
    let pv5 = pv("pv5", "5Gi", &[RWO], "");
    let mut pv8 = pv("pv8", "8Gi", &[RWO], "");
    let mut bad_size = pv("pvBadSize", "1Mi", &[RWO], "");
    let mut bad_mode = pv("pvBadMode", "1Gi", &[ROX], "");
    let pre: ObjectReference = serde_yaml::from_str("{name: claim01, namespace: myns, uid: claim-uid}").unwrap();
    let best = |v: &[&PersistentVolume]| find_best_match(&c, v, false).and_then(|v| v.metadata.name.clone()).unwrap_or_default();
    assert_eq!(best(&[&pv1, &pv5, &pv8, &bad_size, &bad_mode]), "pv1");
    pv1.spec.as_mut().unwrap().claim_ref = Some(serde_yaml::from_str("{name: foo, namespace: bar}").unwrap());
    assert_eq!(best(&[&pv1, &pv5, &pv8, &bad_size, &bad_mode]), "pv5");
    pv1.spec.as_mut().unwrap().claim_ref = None;
    pv8.spec.as_mut().unwrap().claim_ref = Some(pre.clone());
    assert_eq!(best(&[&pv1, &pv5, &pv8, &bad_size, &bad_mode]), "pv8");
    pv8.spec.as_mut().unwrap().claim_ref = None;
    bad_size.spec.as_mut().unwrap().claim_ref = Some(pre.clone());
    assert_eq!(best(&[&pv1, &pv5, &pv8, &bad_size, &bad_mode]), "pv1");
    bad_size.spec.as_mut().unwrap().claim_ref = None;
    bad_mode.spec.as_mut().unwrap().claim_ref = Some(pre);
    assert_eq!(best(&[&pv1, &pv5, &pv8, &bad_size, &bad_mode]), "pv1");
}

#[test]
fn volume_mode_and_class() {
    let block = pv("block", "1Gi", &[RWO], "|, volumeMode: Block");
    let fs = pv("fs", "2Gi", &[RWO], "|, storageClassName: manual");
    let c = claim("1Gi", &[RWO], "", "");
    assert!(find_best_match(&c, &[&block, &fs], false).is_none(), "no class must not match class manual or Block");
    let c = claim("1Gi", &[RWO], "", ", storageClassName: manual");
    assert_eq!(find_best_match(&c, &[&block, &fs], false).unwrap().metadata.name.as_deref(), Some("fs"));
    let c = claim("1Gi", &[RWO], "", ", volumeMode: Block");
    assert_eq!(find_best_match(&c, &[&block, &fs], false).unwrap().metadata.name.as_deref(), Some("block"));
    // WaitForFirstConsumer without a node: only pre-bound volumes.
    let c = claim("1Gi", &[RWO], "", ", storageClassName: manual");
    assert!(find_best_match(&c, &[&block, &fs], true).is_none());
}

//! Arbitrary YAML/JSON fed to apply: never a panic, and a rejected write leaves the store as it was.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::Cluster;
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n    resources:\n      limits: {memory: 1Gi}\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports:\n  - port: 80\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}, \"data\": {\"a\": \"b\"}}",
];

fn mutate(base: &str, pos: usize, insert: &str, cut: usize) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    let pos = pos % (chars.len() + 1);
    let end = (pos + cut).min(chars.len());
    chars.splice(pos..end, insert.chars());
    chars.into_iter().collect()
}

fn snapshot(c: &Cluster) -> Vec<String> {
    c.api.store.keys().map(|k| k.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn apply_never_panics_and_rejections_change_nothing(
        which in 0..SEEDS.len(),
        pos in 0usize..400,
        insert in prop::string::string_regex("[ a-z:{}\\[\\]\\-\n\"0-9.]{0,12}").unwrap(),
        cut in 0usize..8,
    ) {
        let text = mutate(SEEDS[which], pos, &insert, cut);
        let mut c = Cluster::empty(1);
        let before = snapshot(&c);
        let rv = c.api.store.resource_version();
        if let Ok(objs) = parse_manifests(&text) {
            for m in objs {
                let rv_before = c.api.store.resource_version();
                let keys_before = snapshot(&c);
                if c.api.apply(m.object).is_err() {
                    prop_assert_eq!(c.api.store.resource_version(), rv_before);
                    prop_assert_eq!(snapshot(&c), keys_before);
                }
            }
        } else {
            prop_assert_eq!(snapshot(&c), before);
            prop_assert_eq!(c.api.store.resource_version(), rv);
        }
        c.settle();
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_manifests(&text);
    }
}

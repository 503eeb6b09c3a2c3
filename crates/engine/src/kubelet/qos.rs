//! Pod QoS classes computed as Kubernetes does (`GetPodQOS`).

use crate::api::quantity::parse_milli;
use k8s_openapi::api::core::v1::Pod;

/// `Guaranteed`, `Burstable` or `BestEffort`.
pub fn qos_class(pod: &Pod) -> &'static str {
    let Some(spec) = pod.spec.as_ref() else { return "BestEffort" };
    let containers = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let r = c.resources.clone().unwrap_or_default();
        let req = r.requests.unwrap_or_default();
        let lim = r.limits.unwrap_or_default();
        for res in ["cpu", "memory"] {
            let q = req.get(res).and_then(|q| parse_milli(&q.0)).filter(|v| *v != 0);
            let l = lim.get(res).and_then(|q| parse_milli(&q.0)).filter(|v| *v != 0);
            if q.is_some() || l.is_some() {
                any = true;
            }
            // A limit without a request defaults the request to the limit.
            let q = q.or(l);
            match (q, l) {
                (Some(a), Some(b)) if a == b => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(res: &str) -> Pod {
        serde_yaml::from_str(&format!("metadata: {{name: p}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources: {res}\n")).unwrap()
    }

    #[test]
    fn classes() {
        assert_eq!(qos_class(&pod("{}")), "BestEffort");
        assert_eq!(qos_class(&pod("{requests: {cpu: 100m}}")), "Burstable");
        assert_eq!(qos_class(&pod("{limits: {cpu: 100m, memory: 100Mi}}")), "Guaranteed");
        assert_eq!(qos_class(&pod("{requests: {cpu: 100m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}")), "Guaranteed");
        assert_eq!(qos_class(&pod("{requests: {cpu: 50m, memory: 100Mi}, limits: {cpu: 100m, memory: 100Mi}}")), "Burstable");
    }
}

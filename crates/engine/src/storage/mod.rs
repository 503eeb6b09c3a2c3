//! Storage and configuration: the PV binder, dynamic provisioning, reclaim policies, volumes in
//! pods with simulated files, ConfigMaps and Secrets as env and files, quota and limit ranges.

use crate::api::ObjectKey;
use crate::apiserver::Api;
use k8s_openapi::api::core::v1::{Container, Pod};

/// The storage controllers (PV binder, provisioner, expander).
#[derive(Debug, Default, Clone)]
pub struct StorageControllers {}

impl StorageControllers {
    /// Whether there is work.
    pub fn has_work(&self, _api: &Api) -> bool {
        false
    }

    /// One round.
    pub fn run(&mut self, _api: &mut Api, _woken: Vec<ObjectKey>) {}
}

/// Checks what a container needs before it can be created (ConfigMaps, Secrets, volumes).
/// `Err((reason, message))` keeps it waiting, e.g. `CreateContainerConfigError`.
pub fn container_config(_api: &Api, _pod: &Pod, _container: &Container) -> Result<(), (String, String)> {
    Ok(())
}

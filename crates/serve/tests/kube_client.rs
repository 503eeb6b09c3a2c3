//! A client library against `pilothouse serve`: kube-rs (0.98, on k8s-openapi 0.24) creates,
//! lists, watches and deletes.

use futures_util::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Node, Pod};
use kube::api::{Api, DeleteParams, ListParams, PostParams, WatchEvent, WatchParams};
use kube::{Client, Config};
use pilothouse_serve::{spawn, ServeOptions};

async fn client(port: u16) -> Client {
    let url: http::Uri = format!("http://127.0.0.1:{port}").parse().unwrap();
    Client::try_from(Config::new(url)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_create_list_watch_delete() {
    let server = spawn(ServeOptions { port: 0, seed: 5, kubeconfig: None, speed: 1.0 }).unwrap();
    let c = client(server.port).await;
    let nodes: Api<Node> = Api::all(c.clone());
    let list = nodes.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].metadata.name.as_deref(), Some("minikube"));

    let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    let rv = cms.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
    let mut stream = cms.watch(&WatchParams::default().timeout(10), &rv).await.unwrap().boxed();
    let cm: ConfigMap = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "labels": {"app": "x"}}, "data": {"k": "v"}
    }))
    .unwrap();
    let created = cms.create(&PostParams::default(), &cm).await.unwrap();
    assert!(created.metadata.uid.is_some());
    let err = cms.create(&PostParams::default(), &cm).await.unwrap_err();
    match err {
        kube::Error::Api(e) => assert_eq!((e.code, e.reason.as_str()), (409, "AlreadyExists")),
        other => panic!("{other:?}"),
    }
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Added(o)) => assert_eq!(o.metadata.name.as_deref(), Some("settings")),
        other => panic!("{other:?}"),
    }
    let listed = cms.list(&ListParams::default().labels("app=x")).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    cms.delete("settings", &DeleteParams::default()).await.unwrap();
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Deleted(o)) => assert_eq!(o.metadata.name.as_deref(), Some("settings")),
        other => panic!("{other:?}"),
    }
    let pods: Api<Pod> = Api::namespaced(c, "default");
    match pods.get("nope").await.unwrap_err() {
        kube::Error::Api(e) => {
            assert_eq!(e.code, 404);
            assert_eq!(e.message, "pods \"nope\" not found");
        }
        other => panic!("{other:?}"),
    }
}

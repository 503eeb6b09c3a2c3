//! `kubectl`: the command tree, global flags, shared resource-argument handling and the
//! messages kubectl prints for mistakes.

pub mod apply;
pub mod create;
pub mod delete;
pub mod edit;
pub mod exec;
pub mod get;
pub mod info;
pub mod logs;
pub mod modify;
pub mod rollout;
pub mod wait;

use crate::flags::{self, Flag, Parsed, KUBECTL_GLOBAL};
use crate::printers::ObjectSource;
use crate::shell::{Out, Shell};
use pilothouse_engine::api::{Kind, Object, ObjectKey};
use pilothouse_engine::Cluster;
use std::sync::Arc;

/// kubectl's commands in the order `kubectl --help` lists them (cobra suggests in this order).
pub const COMMANDS: &[&str] = &[
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale", "autoscale", "certificate", "cluster-info",
    "top", "cordon", "uncordon", "drain", "taint", "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug",
    "events", "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate", "completion", "api-resources",
    "api-versions", "config", "plugin", "version",
];

/// Read access to a cluster for the printers.
pub struct Src<'a>(pub &'a Cluster);

impl ObjectSource for Src<'_> {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.api.clock.now()
    }
    fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
        self.0.get(&ObjectKey::new(kind, namespace, name))
    }
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Arc<Object>> {
        self.0.list(kind, namespace)
    }
}

/// A group command's word that names none of its subcommands (`kubectl rollout statsu`):
/// kubectl's `RequireNoArguments`, `error: unknown command "statsu"` and the `-h` hint, without
/// suggestions (the positional words joined, as cobra hands them over).
pub fn unknown_subcommand(out: &mut Out, group: &str, args: &[String]) {
    let words: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    out.fail(format!("unknown command {:?}\nSee 'kubectl {group} -h' for help and examples", words.join(" ")));
}

/// A group command alone (`kubectl top`): kubectl's `DefaultSubCommandRun(ErrOut)`, its help on
/// stderr and exit code 1.
pub fn group_help(out: &mut Out, group: &str, text: &str) {
    out.err(format!("{text}\nUse \"kubectl {group} <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"));
    out.code = 1;
}

/// Parses a command's flags; on error prints pflag's message and `See '<path> --help' for usage.`
pub fn parse_flags(out: &mut Out, path: &str, args: &[String], spec: &[Flag]) -> Option<Parsed> {
    match flags::parse(args, spec, KUBECTL_GLOBAL) {
        Ok(p) => Some(p),
        // Upstream kubectl prints every flag error (unknown flag, bad value) as `error: ...`
        // (its FlagErrorFunc, then CheckErr). The Google Cloud SDK's build of kubectl
        // (v1.32.4-dispatcher) lets cobra print `Error: ...` instead; that is not the reference.
        Err(e) => {
            out.fail(format!("{e}\nSee '{path} --help' for usage."));
            None
        }
    }
}

/// Context shared by the commands: the namespace to use and whether `-n` was explicit.
#[derive(Clone, Debug)]
pub struct Ns {
    /// The namespace (from `-n` or the context).
    pub ns: String,
    /// Whether `-n` was given.
    pub explicit: bool,
}

/// The namespace for a command.
pub fn namespace(sh: &Shell, p: &Parsed) -> Ns {
    match p.get("namespace") {
        Some(n) => Ns { ns: n.to_string(), explicit: true },
        None => Ns { ns: sh.namespace.clone(), explicit: false },
    }
}

/// The kinds `kubectl get all` covers, in kubectl's order.
pub const ALL_KINDS: &[Kind] = &[
    Kind::Pod, Kind::Service, Kind::DaemonSet, Kind::Deployment, Kind::ReplicaSet, Kind::StatefulSet, Kind::HorizontalPodAutoscaler,
    Kind::CronJob, Kind::Job,
];

/// Resolves a resource type as typed (`po`, `deployments.apps`, `all`) to kinds.
pub fn lookup_kinds(t: &str) -> Result<Vec<Kind>, String> {
    if t.eq_ignore_ascii_case("all") {
        return Ok(ALL_KINDS.to_vec());
    }
    match Kind::lookup(t) {
        Some(k) => Ok(vec![k]),
        None if t == "ev" || t == "events.events.k8s.io" => Ok(vec![Kind::Event]),
        None => Err(format!("the server doesn't have a resource type \"{t}\"")),
    }
}

/// What the resource arguments of get/describe/delete/label/... name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every object of a kind (`kubectl get pods`).
    Every(Kind),
    /// One object (`kubectl get pod x`, `pod/x`).
    One(Kind, String),
}

/// Parses `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`.
pub fn targets(args: &[String]) -> Result<Vec<Target>, String> {
    if args.is_empty() {
        return Ok(Vec::new());
    }
    if args.iter().any(|a| a.contains('/')) {
        let mut out = Vec::new();
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            if n.is_empty() || t.is_empty() {
                return Err("arguments in resource/name form must have a single resource and name".to_string());
            }
            let kinds = lookup_kinds(t)?;
            for k in kinds {
                out.push(Target::One(k, n.to_string()));
            }
        }
        return Ok(out);
    }
    let mut kinds = Vec::new();
    for t in args[0].split(',') {
        if t.is_empty() {
            continue;
        }
        for k in lookup_kinds(t)? {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    if args.len() == 1 {
        return Ok(kinds.into_iter().map(Target::Every).collect());
    }
    let mut out = Vec::new();
    for k in &kinds {
        for n in &args[1..] {
            out.push(Target::One(*k, n.clone()));
        }
    }
    Ok(out)
}

/// The namespace a key of `kind` uses.
pub fn ns_for(kind: Kind, ns: &str) -> String {
    if kind.info().namespaced {
        ns.to_string()
    } else {
        String::new()
    }
}

/// `deployment.apps/x`.
pub fn ref_name(kind: Kind, name: &str) -> String {
    format!("{}/{}", kind.info().singular_resource(), name)
}

/// An object's name.
pub fn name_of(o: &Object) -> String {
    o.metadata().name.clone().unwrap_or_default()
}

/// An object's labels.
pub fn labels_of(o: &Object) -> std::collections::BTreeMap<String, String> {
    o.metadata().labels.clone().unwrap_or_default()
}

/// Lists objects of a kind with an optional label selector and field selector.
pub fn list_filtered(cluster: &Cluster, kind: Kind, ns: Option<&str>, selector: Option<&pilothouse_engine::selector::Selector>, fields: &[(String, bool, String)]) -> Vec<Arc<Object>> {
    cluster
        .list(kind, ns)
        .into_iter()
        .filter(|o| selector.is_none_or(|s| s.matches(&labels_of(o))))
        .filter(|o| fields.iter().all(|(path, eq, val)| (field_value(o, path).as_deref().unwrap_or("") == val) == *eq))
        .collect()
}

/// The value of a field-selector path on an object.
pub fn field_value(o: &Object, path: &str) -> Option<String> {
    let m = o.metadata();
    match path {
        "metadata.name" => return m.name.clone(),
        "metadata.namespace" => return Some(m.namespace.clone().unwrap_or_default()),
        _ => {}
    }
    let v = o.to_json();
    let mut cur = &v;
    for seg in path.split('.') {
        cur = cur.get(seg)?;
    }
    Some(match cur {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Parses `--field-selector` (`a=b,c!=d`). The error is kubectl's.
pub fn parse_field_selector(kind: Kind, s: &str) -> Result<Vec<(String, bool, String)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (k, eq, v) = if let Some((k, v)) = part.split_once("!=") {
            (k, false, v)
        } else if let Some((k, v)) = part.split_once("==") {
            (k, true, v)
        } else if let Some((k, v)) = part.split_once('=') {
            (k, true, v)
        } else {
            return Err(format!("invalid selector: '{s}'; can't understand '{part}'"));
        };
        let k = k.trim();
        let allowed = matches!(k, "metadata.name" | "metadata.namespace")
            || match kind {
                Kind::Pod => matches!(k, "status.phase" | "spec.nodeName" | "spec.restartPolicy" | "spec.schedulerName" | "spec.serviceAccountName" | "status.podIP" | "status.nominatedNodeName"),
                Kind::Event => matches!(k, "involvedObject.kind" | "involvedObject.name" | "involvedObject.namespace" | "reason" | "type" | "source"),
                Kind::Node => k == "spec.unschedulable",
                Kind::Secret => k == "type",
                _ => false,
            };
        if !allowed {
            return Err(format!("Error from server (BadRequest): Unable to find \"{}\" that match label selector \"\", field selector \"{s}\": \"{k}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", kind_path(kind)));
        }
        out.push((k.to_string(), eq, v.trim().to_string()));
    }
    Ok(out)
}

fn kind_path(kind: Kind) -> String {
    let i = kind.info();
    if i.group.is_empty() {
        format!("/{}, Resource={}", i.version, i.plural)
    } else {
        format!("{}/{}, Resource={}", i.group, i.version, i.plural)
    }
}

/// Runs `kubectl ARGS`.
pub fn run(sh: &mut Shell, args: &[String], stdin: Option<String>) -> Out {
    let mut out = Out::default();
    // Global flags may precede the command (`kubectl -n kube-system get pods`).
    let mut i = 0;
    let mut pre: Vec<String> = Vec::new();
    while i < args.len() && args[i].starts_with('-') && args[i] != "--" {
        let a = &args[i];
        pre.push(a.clone());
        i += 1;
        let takes_value = matches!(a.as_str(), "-n" | "--namespace" | "--context" | "--cluster" | "--user" | "--kubeconfig" | "-s" | "--server" | "--request-timeout" | "-v" | "--v" | "--as" | "--token");
        if takes_value && i < args.len() {
            pre.push(args[i].clone());
            i += 1;
        }
    }
    if i >= args.len() {
        if pre.iter().any(|a| a == "--version") {
            out.fail("unknown flag: --version\nSee 'kubectl --help' for usage.");
            return out;
        }
        if let Err(e) = flags::parse(&pre, &[], KUBECTL_GLOBAL) {
            out.fail(format!("{e}\nSee 'kubectl --help' for usage."));
            return out;
        }
        out.out(KUBECTL_HELP);
        return out;
    }
    let cmd = args[i].clone();
    let mut rest: Vec<String> = args[i + 1..].to_vec();
    rest.extend(pre);
    let needs_server = !matches!(cmd.as_str(), "version" | "config" | "help" | "completion" | "explain" | "options" | "plugin" | "kustomize");
    if needs_server {
        if let Some(msg) = crate::minikube::unreachable(sh) {
            out.errln(msg);
            out.code = 1;
            return out;
        }
    }
    if rest.iter().any(|a| a == "--help" || a == "-h") && !rest.iter().take_while(|a| *a != "--").any(|a| a == "--") {
        out.out(format!("{}\n\nUse \"kubectl {cmd} --help\" in a real cluster for the full help; Pilothouse supports the common flags.\n", info::short_help(&cmd)));
        return out;
    }
    match cmd.as_str() {
        "get" => get::get(sh, &rest, &mut out),
        "describe" => get::describe(sh, &rest, &mut out),
        "apply" => apply::apply(sh, &rest, stdin, &mut out),
        "create" => create::create(sh, &rest, stdin, &mut out),
        "replace" => apply::replace(sh, &rest, stdin, &mut out),
        "delete" => delete::delete(sh, &rest, stdin, &mut out),
        "edit" => edit::edit(sh, &rest, &mut out),
        "patch" => modify::patch(sh, &rest, &mut out),
        "scale" => modify::scale(sh, &rest, &mut out),
        "autoscale" => modify::autoscale(sh, &rest, &mut out),
        "set" => modify::set(sh, &rest, &mut out),
        "label" => modify::label(sh, &rest, &mut out, true),
        "annotate" => modify::label(sh, &rest, &mut out, false),
        "taint" => modify::taint(sh, &rest, &mut out),
        "cordon" => modify::cordon(sh, &rest, &mut out, true),
        "uncordon" => modify::cordon(sh, &rest, &mut out, false),
        "drain" => modify::drain(sh, &rest, &mut out),
        "expose" => modify::expose(sh, &rest, &mut out),
        "run" => create::run_pod(sh, &rest, &mut out),
        "rollout" => rollout::rollout(sh, &rest, &mut out),
        "logs" => logs::logs(sh, &rest, &mut out),
        "exec" => exec::exec(sh, &rest, &mut out),
        "top" => info::top(sh, &rest, &mut out),
        "events" => info::events(sh, &rest, &mut out),
        "explain" => info::explain(sh, &rest, &mut out),
        "api-resources" => info::api_resources(sh, &rest, &mut out),
        "api-versions" => info::api_versions(sh, &rest, &mut out),
        "version" => info::version(sh, &rest, &mut out),
        "cluster-info" => info::cluster_info(sh, &rest, &mut out),
        "config" => info::config(sh, &rest, &mut out),
        "auth" => info::auth(sh, &rest, &mut out),
        "wait" => wait::wait(sh, &rest, &mut out),
        "port-forward" => exec::port_forward(sh, &rest, &mut out),
        "proxy" => exec::proxy(sh, &rest, &mut out),
        "help" => out.out(KUBECTL_HELP),
        "options" => out.out(KUBECTL_OPTIONS.replace("{HOME}", sh.env.get("HOME").map_or(crate::HOME, String::as_str))),
        // No plugin is installed in the sandbox (kubectl looks for kubectl-* on the PATH).
        "plugin" => match rest.first().map(String::as_str) {
            Some("list") => out.fail("unable to find any kubectl plugins in your PATH"),
            Some(_) => unknown_subcommand(&mut out, "plugin", &rest),
            None => group_help(&mut out, "plugin", "Provides utilities for interacting with plugins.

 Plugins provide extended functionality that is not part of the major command-line distribution. Please refer to the documentation and examples for more information about how write your own plugins.

 The easiest way to discover and install plugins is via the kubernetes sub-project krew: [krew.sigs.k8s.io]. To install krew, visit https://krew.sigs.k8s.io/docs/user-guide/setup/install

Examples:
  # List all available plugins
  kubectl plugin list
  
  # List only binary names of available plugins without paths
  kubectl plugin list --name-only

Available Commands:
  list          List all visible plugin executables on a user's PATH

Usage:
  kubectl plugin [flags] [options]
"),
        },
        "attach" | "cp" | "debug" | "diff" | "kustomize" | "certificate" | "completion" => {
            out.fail(format!("\"kubectl {cmd}\" is not supported in Pilothouse yet"));
        }
        other => {
            let sugg = flags::suggestions(other, COMMANDS);
            let mut msg = format!("unknown command \"{other}\" for \"kubectl\"");
            if !sugg.is_empty() {
                msg.push_str("\n\nDid you mean this?\n");
                for s in sugg {
                    msg.push('\t');
                    msg.push_str(s);
                    msg.push('\n');
                }
            }
            out.fail(msg);
        }
    }
    out
}

/// `kubectl options` (the cache directory is under the shell's $HOME).
const KUBECTL_OPTIONS: &str = "The following options can be passed to any command:

    --as='':
	Username to impersonate for the operation. User could be a regular user or a service account in a namespace.

    --as-group=[]:
	Group to impersonate for the operation, this flag can be repeated to specify multiple groups.

    --as-uid='':
	UID to impersonate for the operation.

    --cache-dir='{HOME}/.kube/cache':
	Default cache directory

    --certificate-authority='':
	Path to a cert file for the certificate authority

    --client-certificate='':
	Path to a client certificate file for TLS

    --client-key='':
	Path to a client key file for TLS

    --cluster='':
	The name of the kubeconfig cluster to use

    --context='':
	The name of the kubeconfig context to use

    --disable-compression=false:
	If true, opt-out of response compression for all requests to the server

    --insecure-skip-tls-verify=false:
	If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure

    --kubeconfig='':
	Path to the kubeconfig file to use for CLI requests.

    --log-flush-frequency=5s:
	Maximum number of seconds between log flushes

    --match-server-version=false:
	Require server version to match client version

    -n, --namespace='':
	If present, the namespace scope for this CLI request

    --password='':
	Password for basic authentication to the API server

    --profile='none':
	Name of profile to capture. One of (none|cpu|heap|goroutine|threadcreate|block|mutex)

    --profile-output='profile.pprof':
	Name of the file to write the profile to

    --request-timeout='0':
	The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.

    -s, --server='':
	The address and port of the Kubernetes API server

    --tls-server-name='':
	Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used

    --token='':
	Bearer token for authentication to the API server

    --user='':
	The name of the kubeconfig user to use

    --username='':
	Username for basic authentication to the API server

    -v, --v=0:
	number for the log level verbosity

    --vmodule=:
	comma-separated list of pattern=N settings for file-filtered logging (only works for the default text log format)

    --warnings-as-errors=false:
	Treat warnings received from the server as errors and exit with a non-zero exit code

";

/// `kubectl --help`.
pub const KUBECTL_HELP: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files and directories to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Subcommands provided by plugins:

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of \"group/version\"
  config          Modify kubeconfig files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

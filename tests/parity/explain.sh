# kubectl explain: the field docs our terminal embeds against the schemas serve publishes.
kubectl explain pod
kubectl explain pods.spec.containers
kubectl explain deployment.spec.strategy
kubectl explain pod.spec.containers.resources.limits
kubectl explain service.spec --recursive
kubectl explain cronjob.spec.jobTemplate
kubectl explain hpa.spec.metrics
kubectl explain pod.spec.bogus
kubectl explain foos
kubectl explain controllerrevision

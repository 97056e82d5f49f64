import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { boundedValue } from '@otelpack/batching-core';
import { DATADOG_TAG_NAMES } from './dd-tag-names';

/*
 * Resource attributes → Datadog tags, as the Datadog OpenTelemetry translator maps them
 * (DataDog/opentelemetry-mapping-go pkg/otlp/attributes/attributes.go): unified service tagging,
 * then container, cloud, ECS and Kubernetes names, `datadog.container.tag.<k>`, Kubernetes labels,
 * attributes already named as Datadog tags (`kube_cronjob`), a process tag and `os.type`. Other resource attributes become tags only when asked.
 */

/** Unified service tagging. `deployment.environment.name` is the semantic conventions' current name. */
export const CORE_MAPPING: Readonly<Record<string, string>> = {
  'deployment.environment': 'env',
  'deployment.environment.name': 'env',
  'service.name': 'service',
  'service.version': 'version',
};

export const CONTAINER_MAPPING: Readonly<Record<string, string>> = {
  'container.id': 'container_id',
  'container.name': 'container_name',
  'container.image.name': 'image_name',
  'container.image.tag': 'image_tag',
  'container.runtime': 'runtime',
  'cloud.provider': 'cloud_provider',
  'cloud.region': 'region',
  'cloud.availability_zone': 'zone',
  'aws.ecs.task.family': 'task_family',
  'aws.ecs.task.arn': 'task_arn',
  'aws.ecs.cluster.arn': 'ecs_cluster_name',
  'aws.ecs.task.revision': 'task_version',
  'aws.ecs.container.arn': 'ecs_container_name',
  'k8s.container.name': 'kube_container_name',
  'k8s.cluster.name': 'kube_cluster_name',
  'k8s.deployment.name': 'kube_deployment',
  'k8s.replicaset.name': 'kube_replica_set',
  'k8s.statefulset.name': 'kube_stateful_set',
  'k8s.daemonset.name': 'kube_daemon_set',
  'k8s.job.name': 'kube_job',
  'k8s.cronjob.name': 'kube_cronjob',
  'k8s.namespace.name': 'kube_namespace',
  'k8s.pod.name': 'pod_name',
};

export const KUBERNETES_LABEL_MAPPING: Readonly<Record<string, string>> = {
  'tags.datadoghq.com/env': 'env',
  'tags.datadoghq.com/service': 'service',
  'tags.datadoghq.com/version': 'version',
  'app.kubernetes.io/name': 'kube_app_name',
  'app.kubernetes.io/instance': 'kube_app_instance',
  'app.kubernetes.io/version': 'kube_app_version',
  'app.kubernetes.io/component': 'kube_app_component',
  'app.kubernetes.io/part-of': 'kube_app_part_of',
  'app.kubernetes.io/managed-by': 'kube_app_managed_by',
};

const CUSTOM_CONTAINER_TAG = 'datadog.container.tag.';
/** The process is named by the first of these that is set (the translator's process tags). */
const PROCESS_KEYS = [
  'process.executable.name',
  'process.executable.path',
  'process.command',
  'process.command_line',
];

/** An attribute value as Datadog text: arrays as JSON, as `AsString()` writes them. */
export function attributeText(value: AttributeValue | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return JSON.stringify(boundedValue(value));
  return String(value);
}

/**
 * The SDK's placeholder when no service is named (`unknown_service`, `unknown_service:node`):
 * a configured `service` (DD_SERVICE) wins over it, as users of Datadog's libraries expect.
 */
export function isUnknownService(name: string): boolean {
  return name === 'unknown_service' || name.startsWith('unknown_service:');
}

/** The unified service tags a resource gives, with the configured values as fallbacks. */
export interface ServiceTags {
  service?: string;
  env?: string;
  version?: string;
}

/**
 * The name a key maps to in a table of renames, if the table has the key as its own: indexed
 * plainly, a key named `constructor`, `toString` or `__proto__` reads Object.prototype's member
 * (a function or an object) and became a tag like `function Object() { [native code] }:value`.
 */
export function renamed(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The mapped tags of a resource, as `key:value` (no sanitising: the encoder does that). */
export function tagsFromResource(
  attributes: Attributes,
  options: { allAttributes?: boolean; fallback?: ServiceTags } = {},
): string[] {
  const tags = new Map<string, string>();
  const set = (key: string, value: string) => {
    if (value !== '' && !tags.has(key)) tags.set(key, value);
  };
  for (const [key, raw] of Object.entries(attributes)) {
    const value = attributeText(raw);
    const core =
      renamed(CORE_MAPPING, key) ??
      renamed(KUBERNETES_LABEL_MAPPING, key) ??
      renamed(CONTAINER_MAPPING, key);
    const placeholder =
      key === 'service.name' && isUnknownService(value) && options.fallback?.service;
    if (core && !placeholder) set(core, value);
    else if (key.startsWith(CUSTOM_CONTAINER_TAG) && key.length > CUSTOM_CONTAINER_TAG.length) {
      set(key.slice(CUSTOM_CONTAINER_TAG.length), value);
    } else if (DATADOG_TAG_NAMES.has(key)) set(key, value);
  }
  const processKey = PROCESS_KEYS.find((key) => attributeText(attributes[key]) !== '');
  if (processKey) set(processKey, attributeText(attributes[processKey]));
  if (attributeText(attributes['os.type']) !== '')
    set('os.type', attributeText(attributes['os.type']));
  const fallback = options.fallback ?? {};
  for (const key of ['service', 'env', 'version'] as const) {
    if (fallback[key] !== undefined) set(key, fallback[key]);
  }
  const out = [...tags].map(([key, value]) => `${key}:${value}`);
  if (options.allAttributes) {
    for (const [key, raw] of Object.entries(attributes)) {
      const text = attributeText(raw);
      out.push(text === '' ? `${key}:n/a` : `${key}:${text}`);
    }
  }
  return out;
}

/** Host names the translator refuses as a source: they name no host. */
const NOT_A_HOST = new Set([
  'localhost',
  '127.0.0.1',
  '0.0.0.0',
  'localhost.localdomain',
  'localhost6.localdomain6',
  'ip6-localhost',
  '::1',
]);

/**
 * What the resource says of its host, as the translator reads it (attributes/source.go
 * unsanitizedHostnameFromAttributes and the ec2, gcp and azure packages): a name, or `null` for
 * a resource that has no host (ECS Fargate: the task is the source), or undefined when it names
 * none. The first attribute present decides, whatever it holds.
 */
function hostFromAttributes(attributes: Attributes): string | null | undefined {
  const has = (key: string) => attributes[key] !== undefined;
  const text = (key: string) => attributeText(attributes[key]);
  if (has('host')) return text('host');
  if (has('datadog.host.name')) return text('datadog.host.name');
  if (text('aws.ecs.launchtype') === 'fargate') return null;
  switch (text('cloud.provider')) {
    case 'aws':
      return has('host.id') ? text('host.id') : undefined;
    case 'gcp': {
      // The Agent's GCE host name: the instance's first label, then the project.
      if (!has('host.name') || !has('cloud.account.id')) return undefined;
      const name = text('host.name');
      const label = name.split('.').length > 3 ? name.slice(0, name.indexOf('.')) : name;
      return `${label}.${text('cloud.account.id')}`;
    }
    case 'azure':
      if (has('host.id')) return text('host.id');
      return has('host.name') ? text('host.name') : undefined;
  }
  // Kubernetes, node-cluster. (source.go's getClusterName also reads Azure's and EC2's own
  // cluster attributes, but only with a cloud provider, whose branch above has decided already.)
  if (has('k8s.node.name')) {
    const node = text('k8s.node.name');
    return has('k8s.cluster.name') ? `${node}-${text('k8s.cluster.name')}` : node;
  }
  if (has('host.id')) return text('host.id');
  if (has('host.name')) return text('host.name');
  return undefined;
}

/**
 * The host a resource names, by the translator's rules (hostFromAttributes); `localhost` and the
 * like name no host. Else the configured fallback, except on ECS Fargate, where the translator
 * reports no host at all. Undefined: let the Agent use its own.
 */
export function hostnameFromResource(
  attributes: Attributes,
  fallback?: string,
): string | undefined {
  const host = hostFromAttributes(attributes);
  // source.go SourceFromAttrs: a Fargate task with its ARN is its own source, no host.
  if (host === null) return attributes['aws.ecs.task.arn'] === undefined ? fallback : undefined;
  if (host === undefined || host === '' || NOT_A_HOST.has(host)) return fallback;
  return host;
}

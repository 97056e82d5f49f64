import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { BACKENDS } from '../src/backends';
import { PACKAGE_DIR } from '../src/launcher';

/*
 * NO BACKEND: the structure of integration/docker-compose.yml, which users run but our CI
 * machines cannot (no Docker engine). It checks what would otherwise only fail on a user's
 * machine: a backend the native launcher knows but compose lacks, a URL whose port compose does
 * not publish, a service that `up --wait` cannot wait for, a config file that is missing or
 * does not parse, a healthcheck calling a tool its image lacks.
 */

interface Service {
  image?: string;
  ports?: (string | { published?: string | number; target?: number; protocol?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  profiles?: string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  network_mode?: string;
  'x-health-sidecar'?: string;
}

const COMPOSE_PATH = join(PACKAGE_DIR, 'docker-compose.yml');
const compose = parse(readFileSync(COMPOSE_PATH, 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

/** Host ports a service publishes, from the short ("127.0.0.1:18125:8125/udp") or long syntax. */
function publishedPorts(service: Service): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.published);
    const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
    // HOST_IP:HOST:CONTAINER or HOST:CONTAINER; a bare CONTAINER port publishes a random one.
    return parts.length >= 2 ? Number(parts[parts.length - 2]) : NaN;
  });
}

/** Bind-mounted host files, resolved against the compose file's folder. */
function hostFiles(service: Service): string[] {
  return (service.volumes ?? [])
    .map((volume) => (typeof volume === 'object' ? (volume.source ?? '') : volume.split(':')[0]))
    .filter((source) => source.startsWith('.') || source.startsWith('/'))
    .map((source) => resolve(PACKAGE_DIR, source));
}

function healthCommand(service: Service): string[] {
  const check = service.healthcheck?.test;
  return typeof check === 'string' ? ['CMD-SHELL', check] : (check ?? []);
}

test('every backend the harness knows is a compose service that publishes its composeUrl port', () => {
  assert.ok(BACKENDS.length > 0, 'src/backends/index.ts lists no backend');
  for (const backend of BACKENDS) {
    const service = services[backend.composeService];
    assert.ok(
      service,
      `${backend.id}: no service "${backend.composeService}" in docker-compose.yml`,
    );
    const url = new URL(backend.composeUrl);
    assert.equal(url.hostname, '127.0.0.1', `${backend.id}: composeUrl must name 127.0.0.1`);
    const port = Number(url.port);
    assert.ok(
      publishedPorts(service).includes(port),
      `${backend.id}: composeUrl port ${port} is not among ${backend.composeService}'s published ports ${publishedPorts(service).join(', ')}`,
    );
  }
});

test('the expected services are there with their documented host ports', () => {
  // The README's ports table; users point their own tools at these.
  const documented: Record<string, number[]> = {
    elasticsearch: [19200],
    clickhouse: [18123],
    victoriametrics: [18428],
    prometheus: [19090],
    splunk: [18088, 18000],
    'datadog-agent': [18125, 18126],
    'otel-collector': [14317, 14318],
  };
  for (const [name, ports] of Object.entries(documented)) {
    assert.ok(services[name], `service ${name} is missing`);
    assert.deepEqual(publishedPorts(services[name]).sort(), [...ports].sort(), name);
  }
});

test('host ports are published on 127.0.0.1 only and no two services share one', () => {
  const seen = new Map<number, string>();
  for (const [name, service] of Object.entries(services)) {
    for (const port of service.ports ?? []) {
      const text = typeof port === 'string' ? port : JSON.stringify(port);
      assert.match(text, /^127\.0\.0\.1:/, `${name}: ${text} would be reachable from the network`);
    }
    for (const port of publishedPorts(service)) {
      assert.ok(Number.isInteger(port), `${name}: a port without a fixed host port`);
      assert.ok(!seen.has(port), `${name} and ${seen.get(port)} both publish ${port}`);
      seen.set(port, name);
    }
  }
});

test('every service has a real healthcheck, or a healthy sidecar in its network namespace', () => {
  for (const [name, service] of Object.entries(services)) {
    const sidecarName = service['x-health-sidecar'];
    if (sidecarName) {
      assert.equal(service.healthcheck, undefined, `${name}: both a healthcheck and a sidecar`);
      const sidecar = services[sidecarName];
      assert.ok(sidecar, `${name}: its health sidecar ${sidecarName} is missing`);
      assert.equal(
        sidecar.network_mode,
        `service:${name}`,
        `${sidecarName} must share ${name}'s network`,
      );
      assert.ok(healthCommand(sidecar).length > 1, `${sidecarName} has no healthcheck`);
      continue;
    }
    const command = healthCommand(service);
    assert.ok(!service.healthcheck?.disable, `${name}: healthcheck disabled`);
    assert.ok(['CMD', 'CMD-SHELL'].includes(command[0]), `${name}: no healthcheck command`);
    assert.ok(command.length > 1, `${name}: empty healthcheck`);
  }
});

test('no healthcheck calls a tool its image does not have', () => {
  // Images known to lack a tool: alpine- and busybox-based ones have wget but no curl;
  // ClickHouse's has neither; the Collector's has no shell at all (hence its sidecar).
  const missing: [RegExp, string[]][] = [
    [/^victoriametrics\//, ['curl']],
    [/^prom\/prometheus/, ['curl']],
    [/^busybox/, ['curl']],
    [/^clickhouse\//, ['curl', 'wget']],
    [/^otel\/opentelemetry-collector/, ['sh', 'curl', 'wget']],
  ];
  for (const [name, service] of Object.entries(services)) {
    const command = healthCommand(service);
    if (command.length === 0) continue;
    const program = command[0] === 'CMD-SHELL' ? 'sh' : command[1];
    const words = command[0] === 'CMD-SHELL' ? ['sh', ...command[1].split(/\s+/)] : [program];
    for (const [image, tools] of missing) {
      if (!image.test(service.image ?? '')) continue;
      for (const tool of tools) {
        assert.ok(!words.includes(tool), `${name}: ${service.image} has no ${tool}`);
      }
    }
  }
});

test('the Datadog Agent only starts with the datadog profile, and only it needs a profile', () => {
  assert.deepEqual(services['datadog-agent'].profiles, ['datadog']);
  for (const [name, service] of Object.entries(services)) {
    if (name !== 'datadog-agent') assert.equal(service.profiles, undefined, name);
  }
});

test('every mounted config file exists and parses; the Collector receives OTLP on both ports', () => {
  const mounted = Object.values(services).flatMap(hostFiles);
  assert.ok(mounted.length >= 2, 'expected the Prometheus and Collector configs to be mounted');
  for (const file of mounted) {
    assert.ok(existsSync(file), `${file} is mounted but missing`);
    if (/\.ya?ml$/.test(file)) assert.doesNotThrow(() => parse(readFileSync(file, 'utf8')), file);
  }

  const collectorFile = hostFiles(services['otel-collector']).find((f) =>
    f.endsWith('otel-collector.yaml'),
  );
  assert.ok(collectorFile, 'otel-collector does not mount otel-collector.yaml');
  const config = parse(readFileSync(collectorFile, 'utf8'));
  assert.equal(config.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
  assert.equal(config.receivers.otlp.protocols.http.endpoint, '0.0.0.0:4318');
  assert.ok('debug' in config.exporters);
  for (const signal of ['traces', 'metrics', 'logs']) {
    assert.deepEqual(config.service.pipelines[signal].receivers, ['otlp'], signal);
    assert.deepEqual(config.service.pipelines[signal].exporters, ['debug'], signal);
  }
  // The sidecar asks the health_check extension: both must name the same port.
  assert.ok(config.service.extensions.includes('health_check'));
  const healthPort = config.extensions.health_check.endpoint.split(':').pop();
  const sidecar = services[services['otel-collector']['x-health-sidecar'] ?? ''];
  assert.ok(healthCommand(sidecar).some((word) => word.includes(`:${healthPort}/`)));
});

test('Prometheus runs the remote-write receiver and scrapes nothing', () => {
  assert.ok(healthCommand(services.prometheus).length > 0);
  const command = (services.prometheus as { command?: string[] }).command ?? [];
  assert.ok(command.includes('--web.enable-remote-write-receiver'));
  const file = hostFiles(services.prometheus).find((f) => f.endsWith('prometheus.yml'));
  assert.ok(file);
  assert.deepEqual(parse(readFileSync(file, 'utf8')).scrape_configs ?? [], []);
});

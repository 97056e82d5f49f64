import {
  InvalidConfigError,
  PIPELINE_OPTION_NAMES,
  assertKnownOptions,
  booleanOption,
  enumOption,
  env,
  integerOption,
  stringOption,
  urlOption,
} from '@otelpack/batching-core';
import type { PipelineTuning, TlsOptions } from '@otelpack/batching-core';
import { DEFAULT_MAPPING_OPTIONS } from './mapping';
import type { ExponentialHistogramForm, MappingOptions } from './mapping';
import { isValidLabelName } from './names';
import type { TimeSeries } from './types';

/**
 * The exporter's own options, and the core's pipeline options (`maxBatchItems`, `overflow`,
 * `deadLetter`, …: see @otelpack/batching-core) at the same level under the core's names.
 */
export interface VictoriaMetricsExporterOptions extends PipelineTuning<TimeSeries> {
  /**
   * Remote-write URL, or several for failover (tried in order: a retryable failure moves to the
   * next). A URL without a path gets `/api/v1/write`; with `tenant`, the URL is the vminsert
   * base and the path is `/insert/<tenant>/prometheus/api/v1/write`.
   * Env: `OTELPACK_REMOTE_WRITE_URL` (comma-separated). Default `http://localhost:8428/api/v1/write`.
   */
  url?: string | URL | (string | URL)[];
  /** VictoriaMetrics cluster tenant: `<accountID>` or `<accountID>:<projectID>`. Env: `OTELPACK_REMOTE_WRITE_TENANT`. */
  tenant?: string;
  /** Env: `OTELPACK_REMOTE_WRITE_USERNAME` / `OTELPACK_REMOTE_WRITE_PASSWORD`. */
  basicAuth?: { username: string; password: string };
  /** Env: `OTELPACK_REMOTE_WRITE_BEARER_TOKEN`. */
  bearerToken?: string;
  /** Extra headers on every request (e.g. `X-Scope-OrgID` for Mimir). Env: `OTELPACK_REMOTE_WRITE_HEADERS` (`k=v,k2=v2`). */
  headers?: Record<string, string>;
  /** Called before every request (token refresh); its headers win over `headers`. */
  headerProvider?: () => Record<string, string> | Promise<Record<string, string>>;
  tls?: TlsOptions;
  /** Longest wait for response headers and longest silence in a body (ms). Default 30,000. */
  timeoutMs?: number;
  connectTimeoutMs?: number;

  /** Labels on every series unless it has them. Env: `OTELPACK_REMOTE_WRITE_EXTERNAL_LABELS` (`k=v,k2=v2`). */
  externalLabels?: Record<string, string>;
  /** Resource attributes copied as labels onto every series. Env: `OTELPACK_REMOTE_WRITE_PROMOTE_RESOURCE_ATTRIBUTES` (comma-separated). */
  promoteResourceAttributes?: string[];
  /** Unit, `_total` and `_ratio` suffixes. Default true. Env: `OTELPACK_REMOTE_WRITE_ADD_METRIC_SUFFIXES`. */
  addMetricSuffixes?: boolean;
  /** A `target_info` series per resource. Default true. */
  targetInfo?: boolean;
  /** `otel_scope_name` / `otel_scope_version` labels. Default true. */
  scopeLabels?: boolean;
  /** `vmrange` (VictoriaMetrics) or `le` (any Prometheus-compatible backend). Default `vmrange`. Env: `OTELPACK_REMOTE_WRITE_EXPONENTIAL_HISTOGRAMS`. */
  exponentialHistograms?: ExponentialHistogramForm;
  /** Label values longer than this many UTF-8 bytes are cut. Default 16,384. */
  maxLabelValueBytes?: number;
  /** Delta input (only when a reader forces it): `accumulate` (default) or `drop`. */
  deltaTemporality?: 'accumulate' | 'drop';
  /** Series tracked for delta accumulation. Default 10,000. */
  maxDeltaSeries?: number;
  /** Pipeline name in logs, stats and self-telemetry. Default `victoriametrics`. */
  name?: string;
}

type OwnOptionName = Exclude<
  keyof VictoriaMetricsExporterOptions,
  (typeof PIPELINE_OPTION_NAMES)[number]
>;

/** Typed as a record so that an option added to the interface cannot be left out here. */
const OWN_OPTIONS: Record<OwnOptionName, true> = {
  url: true,
  tenant: true,
  basicAuth: true,
  bearerToken: true,
  headers: true,
  headerProvider: true,
  tls: true,
  timeoutMs: true,
  connectTimeoutMs: true,
  externalLabels: true,
  promoteResourceAttributes: true,
  addMetricSuffixes: true,
  targetInfo: true,
  scopeLabels: true,
  exponentialHistograms: true,
  maxLabelValueBytes: true,
  deltaTemporality: true,
  maxDeltaSeries: true,
  name: true,
};

/**
 * The exporter's own option names; with the core's `PIPELINE_OPTION_NAMES` they are every
 * option it takes, and any other throws at construction.
 */
export const VICTORIAMETRICS_OPTION_NAMES = Object.freeze(
  Object.keys(OWN_OPTIONS) as OwnOptionName[],
);

export const ENV = {
  url: 'OTELPACK_REMOTE_WRITE_URL',
  tenant: 'OTELPACK_REMOTE_WRITE_TENANT',
  username: 'OTELPACK_REMOTE_WRITE_USERNAME',
  password: 'OTELPACK_REMOTE_WRITE_PASSWORD',
  bearerToken: 'OTELPACK_REMOTE_WRITE_BEARER_TOKEN',
  headers: 'OTELPACK_REMOTE_WRITE_HEADERS',
  externalLabels: 'OTELPACK_REMOTE_WRITE_EXTERNAL_LABELS',
  promoteResourceAttributes: 'OTELPACK_REMOTE_WRITE_PROMOTE_RESOURCE_ATTRIBUTES',
  addMetricSuffixes: 'OTELPACK_REMOTE_WRITE_ADD_METRIC_SUFFIXES',
  exponentialHistograms: 'OTELPACK_REMOTE_WRITE_EXPONENTIAL_HISTOGRAMS',
} as const;

export const DEFAULT_URL = 'http://localhost:8428/api/v1/write';

/**
 * The delivery core's defaults for this exporter, and why:
 * - maxBatchItems 2,000: one record is one series with one sample, so this is samples per
 *   request: Prometheus's own remote-write client sends at most `max_samples_per_send` = 2,000
 *   (its default since 2.x; vmagent and Grafana Agent/Alloy use the same figure).
 * - maxBatchBytes 1 MiB of uncompressed protobuf: 2,000 typical OpenTelemetry series (job,
 *   instance, scope name and version, a few attributes: 200–500 B each) fit, so the item limit
 *   usually cuts first and the byte limit only stops label-heavy series from making huge requests.
 *   Snappy makes that 100–250 KB on the wire, far below what receivers accept
 *   (VictoriaMetrics `-maxInsertRequestSize` 32 MB, Mimir's distributor 100 MB).
 * - maxConcurrency 1: requests then reach the backend in order, which Prometheus needs (it
 *   refuses a whole request with a sample older than one it has for the series). With
 *   VictoriaMetrics, which takes samples in any order, raise it for very large exports.
 */
export const EXPORTER_PIPELINE_DEFAULTS = {
  maxBatchItems: 2_000,
  maxBatchBytes: 1024 * 1024,
  maxConcurrency: 1,
};

export interface Endpoint {
  /** The full write URL. */
  url: URL;
  /** The URL without credentials, for logs. */
  display: string;
}

export interface ResolvedConfig {
  endpoints: Endpoint[];
  headers: Record<string, string>;
  mapping: MappingOptions;
  deltaTemporality: 'accumulate' | 'drop';
  maxDeltaSeries: number;
  name: string;
}

const TENANT = /^\d{1,10}(:\d{1,10})?$/;

/** `k=v,k2=v2` (values may be percent-encoded, as in OTEL_EXPORTER_OTLP_HEADERS). */
export function parseKeyValueList(variable: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new InvalidConfigError(
        variable,
        `expected key=value pairs separated by commas, got ${JSON.stringify(part.trim().slice(0, 40))}`,
      );
    }
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(part.slice(0, eq).trim());
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw new InvalidConfigError(variable, 'a key or value is not valid percent-encoding');
    }
    out[key] = value;
  }
  return out;
}

/** The write URL of one configured URL: path rules as documented on `url`. */
export function writeUrl(option: string, value: string | URL, tenant: string | undefined): URL {
  const url = new URL(urlOption(option, value).href);
  const path = url.pathname.replace(/\/+$/, '');
  if (tenant !== undefined) {
    url.pathname = `${path}/insert/${tenant}/prometheus/api/v1/write`;
  } else if (path === '') {
    url.pathname = '/api/v1/write';
  }
  return url;
}

function display(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username || copy.password) {
    copy.username = '';
    copy.password = '';
  }
  copy.search = '';
  return copy.href;
}

export function resolveConfig(options: VictoriaMetricsExporterOptions): ResolvedConfig {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidConfigError('options', 'expected an object');
  }
  const o = options ?? {};
  assertKnownOptions(o, [...VICTORIAMETRICS_OPTION_NAMES, ...PIPELINE_OPTION_NAMES]);

  const tenant = stringOption('tenant', o.tenant, env(ENV.tenant));
  if (tenant !== undefined && !TENANT.test(tenant)) {
    throw new InvalidConfigError(
      o.tenant !== undefined ? 'tenant' : ENV.tenant,
      `expected <accountID> or <accountID>:<projectID> (decimal integers), got ${JSON.stringify(tenant)}`,
    );
  }

  let urls: (string | URL)[];
  let urlSource: string;
  if (o.url !== undefined) {
    urls = Array.isArray(o.url) ? o.url : [o.url];
    urlSource = 'url';
  } else if (env(ENV.url) !== undefined) {
    urls = env(ENV.url)!
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    urlSource = ENV.url;
  } else {
    urls = [DEFAULT_URL];
    urlSource = 'url';
  }
  if (urls.length === 0) throw new InvalidConfigError(urlSource, 'expected at least one URL');
  const endpoints = urls.map((u, i) => {
    const url = writeUrl(urls.length > 1 ? `${urlSource}[${i}]` : urlSource, u, tenant);
    return { url, display: display(url) };
  });

  const headers: Record<string, string> = {};
  const envHeaders = env(ENV.headers);
  const headerSource = o.headers ?? (envHeaders ? parseKeyValueList(ENV.headers, envHeaders) : {});
  if (typeof headerSource !== 'object' || headerSource === null) {
    throw new InvalidConfigError('headers', 'expected an object of header names to string values');
  }
  for (const [name, value] of Object.entries(headerSource)) {
    if (typeof value !== 'string')
      throw new InvalidConfigError(`headers.${name}`, 'expected a string value');
    headers[name.toLowerCase()] = value;
  }

  // Explicit options win over the environment as a whole: either credential given in code
  // means neither is read from the environment.
  let bearerToken = stringOption('bearerToken', o.bearerToken, undefined);
  let basicAuth = o.basicAuth;
  let authSource = 'bearerToken';
  if (bearerToken === undefined && basicAuth === undefined) {
    bearerToken = env(ENV.bearerToken);
    const username = env(ENV.username);
    if (username !== undefined) basicAuth = { username, password: env(ENV.password) ?? '' };
    authSource = ENV.bearerToken;
  }
  if (basicAuth !== undefined) {
    if (
      typeof basicAuth !== 'object' ||
      basicAuth === null ||
      typeof basicAuth.username !== 'string' ||
      typeof basicAuth.password !== 'string'
    ) {
      throw new InvalidConfigError('basicAuth', 'expected { username: string, password: string }');
    }
  }
  if (bearerToken !== undefined && basicAuth !== undefined) {
    throw new InvalidConfigError(
      authSource,
      authSource === 'bearerToken'
        ? 'give either bearerToken or basicAuth, not both'
        : `set either ${ENV.bearerToken} or ${ENV.username}/${ENV.password}, not both`,
    );
  }
  if (bearerToken !== undefined) headers.authorization = `Bearer ${bearerToken}`;
  if (basicAuth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64')}`;
  }

  const envLabels = env(ENV.externalLabels);
  const externalLabels =
    o.externalLabels ?? (envLabels ? parseKeyValueList(ENV.externalLabels, envLabels) : {});
  if (typeof externalLabels !== 'object' || externalLabels === null) {
    throw new InvalidConfigError(
      'externalLabels',
      'expected an object of label names to string values',
    );
  }
  for (const [name, value] of Object.entries(externalLabels)) {
    if (!isValidLabelName(name) || name.startsWith('__')) {
      throw new InvalidConfigError(
        `externalLabels.${name}`,
        'a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __',
      );
    }
    if (typeof value !== 'string')
      throw new InvalidConfigError(`externalLabels.${name}`, 'expected a string value');
  }

  let promote = o.promoteResourceAttributes;
  if (promote === undefined && env(ENV.promoteResourceAttributes) !== undefined) {
    promote = env(ENV.promoteResourceAttributes)!
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
  }
  if (
    promote !== undefined &&
    (!Array.isArray(promote) || promote.some((k) => typeof k !== 'string'))
  ) {
    throw new InvalidConfigError(
      'promoteResourceAttributes',
      'expected an array of resource attribute keys',
    );
  }

  let addMetricSuffixes = o.addMetricSuffixes;
  const envSuffixes = env(ENV.addMetricSuffixes);
  if (addMetricSuffixes === undefined && envSuffixes !== undefined) {
    if (envSuffixes.toLowerCase() !== 'true' && envSuffixes.toLowerCase() !== 'false') {
      throw new InvalidConfigError(
        ENV.addMetricSuffixes,
        `expected true or false, got ${JSON.stringify(envSuffixes)}`,
      );
    }
    addMetricSuffixes = envSuffixes.toLowerCase() === 'true';
  }

  const exponentialHistograms = enumOption(
    o.exponentialHistograms !== undefined ? 'exponentialHistograms' : ENV.exponentialHistograms,
    o.exponentialHistograms ?? env(ENV.exponentialHistograms),
    ['vmrange', 'le'],
    DEFAULT_MAPPING_OPTIONS.exponentialHistograms,
  );

  return {
    endpoints,
    headers,
    mapping: {
      addMetricSuffixes: booleanOption('addMetricSuffixes', addMetricSuffixes, true),
      targetInfo: booleanOption('targetInfo', o.targetInfo, true),
      scopeLabels: booleanOption('scopeLabels', o.scopeLabels, true),
      promoteResourceAttributes: promote ?? [],
      externalLabels: { ...externalLabels },
      exponentialHistograms,
      maxLabelValueBytes: integerOption(
        'maxLabelValueBytes',
        o.maxLabelValueBytes,
        DEFAULT_MAPPING_OPTIONS.maxLabelValueBytes,
        { min: 16 },
      ),
    },
    deltaTemporality: enumOption(
      'deltaTemporality',
      o.deltaTemporality,
      ['accumulate', 'drop'],
      'accumulate',
    ),
    maxDeltaSeries: integerOption('maxDeltaSeries', o.maxDeltaSeries, 10_000, { min: 1 }),
    name: stringOption('name', o.name, 'victoriametrics')!,
  };
}

import { InvalidConfigError, urlOption } from '@otelpack/batching-core';
import type { HeaderProvider, TlsOptions } from '@otelpack/batching-core';
import type { MappingOptions } from './mapping';
import { isValidLabelName } from './names';
import { VICTORIAMETRICS_OPTIONS } from './options';
import type { VictoriaMetricsExporterOptions } from './options';

type Resolved = ReturnType<typeof VICTORIAMETRICS_OPTIONS.resolve>;

export interface Endpoint {
  /** The full write URL. */
  url: URL;
  /** The URL without credentials, for logs. */
  display: string;
}

/** What the sender and the mapping need, from the resolved options. */
export interface RemoteWriteConfig {
  name: string;
  endpoints: Endpoint[];
  headers: Record<string, string>;
  headerProvider: HeaderProvider | undefined;
  tls: TlsOptions | undefined;
  timeoutMs: number;
  connectTimeoutMs: number | undefined;
  mapping: MappingOptions;
  remoteWriteVersion: '1.0' | '2.0';
  deltaTemporality: 'accumulate' | 'drop';
  maxDeltaSeries: number;
}

const TENANT = /^\d{1,10}(:\d{1,10})?$/;

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
  copy.username = '';
  copy.password = '';
  copy.search = '';
  return copy.href;
}

/** Remote write's own rules over the kit's resolution: tenant and label names, write paths, auth. */
export function remoteWriteConfig(config: Resolved): RemoteWriteConfig {
  const own = config.own;
  const tenant = own.tenant;
  if (tenant !== undefined && !TENANT.test(tenant)) {
    throw new InvalidConfigError(
      config.sourceOf('tenant') ?? 'tenant',
      `expected <accountID> or <accountID>:<projectID> (decimal integers), got ${JSON.stringify(tenant)}`,
    );
  }
  const urlSource = config.sourceOf('url') ?? 'url';
  const urls = config.urls;
  const endpoints = urls.map((u, i) => {
    const url = writeUrl(urls.length > 1 ? `${urlSource}[${i}]` : urlSource, u, tenant);
    return { url, display: display(url) };
  });

  const headers = config.headers;
  const auth = config.auth;
  if (auth && 'bearerToken' in auth) headers.authorization = `Bearer ${auth.bearerToken}`;
  if (auth && 'password' in auth) {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }

  const labelsSource = config.sourceOf('externalLabels') ?? 'externalLabels';
  for (const name of Object.keys(own.externalLabels)) {
    if (!isValidLabelName(name) || name.startsWith('__')) {
      throw new InvalidConfigError(
        `${labelsSource}.${name}`,
        'a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __',
      );
    }
  }

  const v2 = own.remoteWriteVersion === '2.0';
  const histogramsSource = config.sourceOf('exponentialHistograms');
  let exponentialHistograms = own.exponentialHistograms;
  if (v2 && histogramsSource === undefined) exponentialHistograms = 'native';
  if (!v2 && exponentialHistograms === 'native') {
    throw new InvalidConfigError(
      histogramsSource ?? 'exponentialHistograms',
      "native histograms need remoteWriteVersion '2.0' (remote write 1.0 cannot carry them)",
    );
  }

  return {
    name: config.name,
    endpoints,
    headers,
    headerProvider: config.headerProvider,
    tls: config.tls,
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    mapping: {
      addMetricSuffixes: own.addMetricSuffixes,
      targetInfo: own.targetInfo,
      scopeLabels: own.scopeLabels,
      promoteResourceAttributes: own.promoteResourceAttributes,
      externalLabels: own.externalLabels,
      exponentialHistograms,
      metadata: v2,
      maxLabelValueBytes: own.maxLabelValueBytes,
    },
    remoteWriteVersion: own.remoteWriteVersion,
    deltaTemporality: own.deltaTemporality,
    maxDeltaSeries: own.maxDeltaSeries,
  };
}

/** Every option checked and defaulted (options, then environment variables, then defaults). */
export function resolveConfig(options: VictoriaMetricsExporterOptions = {}): RemoteWriteConfig {
  return remoteWriteConfig(VICTORIAMETRICS_OPTIONS.resolve(options, 'metrics'));
}

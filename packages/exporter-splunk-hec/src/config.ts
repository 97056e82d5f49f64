import { randomUUID } from 'node:crypto';
import { InvalidConfigError, redactUrl } from '@otelpack/batching-core';
import type { HeaderProvider, TlsOptions } from '@otelpack/batching-core';
import { LOG_FIELDS } from './mapping/logs';
import type { MetricMappingOptions } from './mapping/metrics';
import { ROUTING_ATTRIBUTES } from './mapping/routing';
import type { SPLUNK_HEC_OPTIONS } from './options';

type Resolved = ReturnType<typeof SPLUNK_HEC_OPTIONS.resolve>;

/** HEC tokens and channels are GUIDs (8-4-4-4-12 hex digits). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** HEC's paths under the collector's base (`…/services/collector`). */
export const HEC_PATHS = {
  event: '/services/collector/event',
  health: '/services/collector/health',
  ack: '/services/collector/ack',
} as const;

export interface HecEndpoints {
  /** The origin (with any path prefix before `/services/collector`): the transport's base. */
  base: URL;
  /** Paths under `base`. */
  event: string;
  health: string;
  ack: string;
  /** The event URL without credentials or query, for logs. */
  display: string;
}

export interface HecConfig {
  name: string;
  endpoints: HecEndpoints;
  /** `Splunk <token>` (none: no token was given), out of reach of logs: the sender holds it. */
  authorization: string | undefined;
  headers: Record<string, string>;
  headerProvider: HeaderProvider | undefined;
  tls: TlsOptions | undefined;
  compression: 'gzip' | 'none';
  timeoutMs: number;
  connectTimeoutMs: number | undefined;
  mapping: MetricMappingOptions;
  healthCheck: boolean;
  ack: { channel: string; pollIntervalMs: number; timeoutMs: number } | undefined;
}

/** HEC's JSON event endpoint, with and without its name and version. */
const EVENT_PATHS = new Set([
  '/services/collector',
  '/services/collector/event',
  '/services/collector/event/1.0',
]);
/** HEC's health endpoint: a URL copied from a health check means the same HEC. */
const HEALTH_PATHS = new Set(['/services/collector/health', '/services/collector/health/1.0']);

/**
 * The URL's paths: none → the event endpoint; `/services/collector[/event[/1.0]]` → that; the
 * health endpoint → the event endpoint beside it; any path without `/services/collector` is a
 * prefix (a proxy's) before `/services/collector/event`. Another HEC endpoint (`/raw`, `/ack`)
 * is refused: the raw endpoint would store each JSON event as a line of text in the token's
 * default index, `time`, `index` and `fields` ignored.
 */
export function hecEndpoints(url: URL, source = 'url'): HecEndpoints {
  const path = url.pathname.replace(/\/+$/, '');
  const at = path.indexOf('/services/collector');
  const prefix = at >= 0 ? path.slice(0, at) : path;
  const tail = at >= 0 ? path.slice(at) : '';
  if (tail !== '' && !EVENT_PATHS.has(tail) && !HEALTH_PATHS.has(tail)) {
    throw new InvalidConfigError(
      source,
      `expected HEC's event endpoint (/services/collector[/event[/1.0]]) or a proxy's prefix before it, not ${tail}`,
    );
  }
  const event = EVENT_PATHS.has(tail) ? tail : HEC_PATHS.event;
  const base = new URL(url.href);
  base.pathname = prefix || '/';
  const eventUrl = new URL(url.href);
  eventUrl.pathname = prefix + event;
  return {
    base,
    event,
    health: HEC_PATHS.health,
    ack: HEC_PATHS.ack,
    display: redactUrl(eventUrl),
  };
}

/** HEC's rules over the kit's resolution: the token, the URL's paths, the channel. */
export function hecConfig(config: Resolved): HecConfig {
  const urlSource = config.sourceOf('url') ?? 'url';
  const urls = config.urls;
  if (urls.length > 1) throw new InvalidConfigError(urlSource, 'expected one HEC URL');
  const own = config.own;
  const channel = own.channel;
  if (channel !== undefined && !GUID.test(channel)) {
    throw new InvalidConfigError(
      config.sourceOf('channel') ?? 'channel',
      'a HEC channel is a GUID',
    );
  }
  return {
    name: config.name,
    endpoints: hecEndpoints(urls[0], urlSource),
    authorization: authorization(config),
    headers: config.headers,
    headerProvider: config.headerProvider,
    tls: config.tls,
    compression: config.compression ?? 'gzip',
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    mapping: {
      index: own.index,
      source: own.source,
      sourcetype: own.sourcetype,
      attributes: { ...ROUTING_ATTRIBUTES, ...known(config, 'metadataAttributes', METADATA_KEYS) },
      severityFields: { ...LOG_FIELDS, ...known(config, 'hecFields', HEC_FIELD_KEYS) },
      multiMetric: own.multiMetric,
    },
    healthCheck: own.healthCheck,
    ack: own.indexerAcknowledgement
      ? {
          channel: channel ?? randomUUID(),
          pollIntervalMs: own.ackPollIntervalMs,
          timeoutMs: own.ackTimeoutMs,
        }
      : undefined,
  };
}

const METADATA_KEYS = ['index', 'source', 'sourcetype', 'host'] as const;
const HEC_FIELD_KEYS = ['severityText', 'severityNumber'] as const;

/** A names-to-names option whose names must be among `keys` (and whose values not empty). */
function known<K extends string>(
  config: Resolved,
  option: 'metadataAttributes' | 'hecFields',
  keys: readonly K[],
): Partial<Record<K, string>> {
  const value = config.own[option];
  const source = config.sourceOf(option) ?? option;
  for (const [key, name] of Object.entries(value)) {
    if (!(keys as readonly string[]).includes(key)) {
      throw new InvalidConfigError(`${source}.${key}`, `expected one of ${keys.join(', ')}`);
    }
    if (name.trim() === '') throw new InvalidConfigError(`${source}.${key}`, 'expected a name');
  }
  return value as Partial<Record<K, string>>;
}

/**
 * `Splunk <token>`, the token checked for its shape. Without one the exporter still constructs
 * (tools and tests make it before the configuration is complete): the sender says so at ERROR,
 * and HEC refuses every request with code 2.
 */
function authorization(config: Resolved): string | undefined {
  const auth = config.auth;
  if (!auth || !('token' in auth)) return undefined;
  const source = config.sourceOf('auth.token') ?? config.sourceOf('auth') ?? 'auth.token';
  const token = auth.token.trim();
  if (config.own.tokenFormat === 'guid' && !GUID.test(token)) {
    // The value is a secret: the error says what is wrong with it, never what it is.
    throw new InvalidConfigError(
      source,
      `a HEC token is a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), this one has ${token.length} characters; set tokenFormat: 'any' for a HEC-compatible receiver with other tokens`,
    );
  }
  if (/\s/.test(token)) throw new InvalidConfigError(source, 'a token cannot contain white space');
  return `Splunk ${token}`;
}

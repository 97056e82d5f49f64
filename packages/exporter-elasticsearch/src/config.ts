import type { Client } from '@elastic/elasticsearch';
import {
  InvalidConfigError,
  PIPELINE_OPTION_NAMES,
  assertKnownOptions,
  booleanOption,
  enumOption,
  env,
  integerOption,
  pickPipelineOptions,
  secretsInUrl,
  stringOption,
  urlOption,
} from '@otelpack/batching-core';
import type { PipelineTuning } from '@otelpack/batching-core';
import type { BulkRecord } from './bulk/record';
import { sanitizeDataStreamPart } from './mapping/routing';
import { INDEX_DATE_SUFFIXES, MAPPING_MODES } from './mapping/types';
import type { MappingSettings } from './mapping/types';
import { ELASTICSEARCH_OPTION_NAMES } from './options';
import type {
  ElasticsearchAuth,
  ElasticsearchExporterOptions,
  ElasticsearchTlsOptions,
} from './options';

/** The defaults; the README gives the reason for each. */
export const ELASTICSEARCH_DEFAULTS = {
  name: 'elasticsearch',
  node: 'http://localhost:9200',
  mappingMode: 'otel' as const,
  dataset: 'generic',
  namespace: 'default',
  maxStringLength: 1_048_576,
  requestTimeoutMs: 30_000,
  maxBatchBytes: 5_000_000,
  ilmWarmAfter: '7d',
  ilmDeleteAfter: '30d',
};

/** The environment variables read, and what each one sets. */
export const ENVIRONMENT_VARIABLES = {
  url: 'ELASTICSEARCH_URL',
  cloudId: 'ELASTIC_CLOUD_ID',
  apiKey: 'ELASTICSEARCH_API_KEY',
  username: 'ELASTICSEARCH_USERNAME',
  password: 'ELASTICSEARCH_PASSWORD',
} as const;

export interface ConnectionSettings {
  nodes: string[] | undefined;
  cloudId: string | undefined;
  auth: ElasticsearchAuth | undefined;
  tls: ElasticsearchTlsOptions | undefined;
  headers: Record<string, string>;
  compression: boolean;
  requestTimeoutMs: number;
  /** Every credential the exporter knows of, scrubbed from every message it emits. */
  secrets: string[];
}

export interface IlmSettings {
  warmAfter: string | undefined;
  deleteAfter: string;
}

export interface SetupSettings {
  /** The plain index the template is for; it also matches `<index>-*`. */
  index: string;
  ilm: IlmSettings | undefined;
}

export interface ResolvedConfig {
  name: string;
  /** A client the user supplied (used as is, never closed), or how to build ours. */
  client: Client | undefined;
  connection: ConnectionSettings;
  mapping: MappingSettings;
  setup: SetupSettings | undefined;
  pipeline: PipelineTuning<BulkRecord>;
}

const CONNECTION_OPTIONS = [
  'node',
  'cloudId',
  'auth',
  'tls',
  'headers',
  'compression',
] as const satisfies readonly (keyof ElasticsearchExporterOptions)[];

/** Index names Elasticsearch refuses: uppercase, these characters, a leading `-_+`, `.`/`..`. */
const INDEX_NAME_DISALLOWED = /[A-Z\\/*?"<>| ,#:]/;
const ELASTICSEARCH_AGE = /^\d+(d|h|m|s|ms|micros|nanos)$/;
const AGE_UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  micros: 0.001,
  nanos: 0.000001,
};

export function validateIndexName(option: string, value: unknown): string | undefined {
  const name = stringOption(option, value, undefined);
  if (name === undefined) return undefined;
  if (
    INDEX_NAME_DISALLOWED.test(name) ||
    /^[-_+]/.test(name) ||
    name === '.' ||
    name === '..' ||
    Buffer.byteLength(name) > 255
  ) {
    throw new InvalidConfigError(
      option,
      `expected an Elasticsearch index name (lowercase, at most 255 bytes, none of \\ / * ? " < > | space , # :, not starting with - _ +), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

function dataStreamPart(option: string, value: unknown, fallback: string): string {
  const part = stringOption(option, value, fallback) as string;
  if (sanitizeDataStreamPart(part) !== part) {
    throw new InvalidConfigError(
      option,
      `expected a data stream ${option} (lowercase, at most 100 bytes, none of \\ / * ? " < > | space , # : -), got ${JSON.stringify(part)}`,
    );
  }
  return part;
}

function ageMs(age: string): number {
  const match = /^(\d+)(\D+)$/.exec(age) as RegExpExecArray;
  return Number(match[1]) * AGE_UNIT_MS[match[2]];
}

function ageOption(option: string, value: unknown, fallback: string): string {
  const age = stringOption(option, value, fallback) as string;
  if (!ELASTICSEARCH_AGE.test(age)) {
    throw new InvalidConfigError(
      option,
      `expected an Elasticsearch time value such as '7d', '12h' or '30m', got ${JSON.stringify(age)}`,
    );
  }
  return age;
}

function nodesOption(value: unknown, source: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new InvalidConfigError(source, 'expected at least one URL');
  return list.map((entry, i) => {
    const text = typeof entry === 'string' ? entry.trim() : entry;
    const name = list.length > 1 ? `${source}[${i}]` : source;
    return urlOption(name, text).toString();
  });
}

function authOption(value: unknown): ElasticsearchAuth {
  const auth = value as Record<string, unknown> | null;
  const shape =
    'expected { apiKey } or { username, password } or { bearer }, each a non-empty string';
  if (!auth || typeof auth !== 'object') throw new InvalidConfigError('auth', shape);
  const keys = Object.keys(auth).filter((k) => auth[k] !== undefined);
  const isString = (k: string) => typeof auth[k] === 'string' && auth[k] !== '';
  if (keys.length === 1 && keys[0] === 'apiKey' && isString('apiKey')) {
    return { apiKey: auth.apiKey as string };
  }
  if (keys.length === 1 && keys[0] === 'bearer' && isString('bearer')) {
    return { bearer: auth.bearer as string };
  }
  if (
    keys.length === 2 &&
    keys.includes('username') &&
    keys.includes('password') &&
    isString('username') &&
    isString('password')
  ) {
    return { username: auth.username as string, password: auth.password as string };
  }
  throw new InvalidConfigError('auth', shape);
}

/** API key first, then username and password; a username without a password is an error. */
function authFromEnvironment(): ElasticsearchAuth | undefined {
  const apiKey = env(ENVIRONMENT_VARIABLES.apiKey);
  if (apiKey !== undefined) return { apiKey };
  const username = env(ENVIRONMENT_VARIABLES.username);
  const password = env(ENVIRONMENT_VARIABLES.password);
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    const missing =
      username === undefined ? ENVIRONMENT_VARIABLES.username : ENVIRONMENT_VARIABLES.password;
    throw new InvalidConfigError(
      missing,
      `is required when ${username === undefined ? ENVIRONMENT_VARIABLES.password : ENVIRONMENT_VARIABLES.username} is set`,
    );
  }
  return { username, password };
}

function secretsOf(auth: ElasticsearchAuth | undefined, nodes: string[] | undefined): string[] {
  const secrets: string[] = [];
  if (auth && 'apiKey' in auth) secrets.push(auth.apiKey);
  if (auth && 'password' in auth) secrets.push(auth.password);
  if (auth && 'bearer' in auth) secrets.push(auth.bearer);
  for (const node of nodes ?? []) secrets.push(...secretsInUrl(new URL(node)));
  return secrets.filter((s) => s.length >= 2);
}

function tlsOption(value: unknown): ElasticsearchTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigError(
      'tls',
      'expected { ca?, cert?, key?, rejectUnauthorized?, caFingerprint? }',
    );
  }
  const tls = value as ElasticsearchTlsOptions;
  booleanOption('tls.rejectUnauthorized', tls.rejectUnauthorized, true);
  stringOption('tls.caFingerprint', tls.caFingerprint, undefined);
  return tls;
}

function headersOption(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigError('headers', 'expected an object of header name to string value');
  }
  const out: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string') {
      throw new InvalidConfigError(`headers.${name}`, 'expected a string value');
    }
    out[name.toLowerCase()] = headerValue;
  }
  return out;
}

/**
 * Validates every option and reads the environment. Explicit options win over environment
 * variables; an invalid value throws InvalidConfigError naming the option (or variable).
 */
export function resolveConfig(options: ElasticsearchExporterOptions = {}): ResolvedConfig {
  if (!options || typeof options !== 'object') {
    throw new InvalidConfigError('options', 'expected an object');
  }
  assertKnownOptions(options, [...ELASTICSEARCH_OPTION_NAMES, ...PIPELINE_OPTION_NAMES]);
  const d = ELASTICSEARCH_DEFAULTS;
  const name = stringOption('name', options.name, d.name) as string;

  // ---- connection
  const client = options.client;
  if (client !== undefined) {
    if (typeof (client as { transport?: unknown })?.transport !== 'object') {
      throw new InvalidConfigError('client', 'expected a Client from @elastic/elasticsearch');
    }
    const conflicting = CONNECTION_OPTIONS.filter((key) => options[key] !== undefined);
    if (conflicting.length > 0) {
      throw new InvalidConfigError(
        conflicting[0],
        'cannot be combined with client: configure the client you pass instead',
      );
    }
  }
  if (options.node !== undefined && options.cloudId !== undefined) {
    throw new InvalidConfigError('cloudId', 'cannot be combined with node: give one of them');
  }
  let nodes: string[] | undefined;
  let cloudId: string | undefined;
  if (options.node !== undefined) nodes = nodesOption(options.node, 'node');
  else if (options.cloudId !== undefined)
    cloudId = stringOption('cloudId', options.cloudId, undefined);
  else if (client === undefined) {
    const url = env(ENVIRONMENT_VARIABLES.url);
    const envCloudId = env(ENVIRONMENT_VARIABLES.cloudId);
    if (url !== undefined) nodes = nodesOption(url.split(','), ENVIRONMENT_VARIABLES.url);
    else if (envCloudId !== undefined) cloudId = envCloudId;
    else nodes = nodesOption(d.node, 'node');
  }
  if (cloudId !== undefined && !/^[^:]+:[A-Za-z0-9+/=_-]+$/.test(cloudId)) {
    throw new InvalidConfigError(
      options.cloudId !== undefined ? 'cloudId' : ENVIRONMENT_VARIABLES.cloudId,
      'expected an Elastic Cloud id of the form <name>:<base64>',
    );
  }
  const auth =
    options.auth !== undefined
      ? authOption(options.auth)
      : client === undefined
        ? authFromEnvironment()
        : undefined;
  const compression = enumOption(
    'compression',
    options.compression,
    ['gzip', 'none'],
    cloudId !== undefined ? 'gzip' : 'none',
  );
  const requestTimeoutMs = integerOption(
    'requestTimeoutMs',
    options.requestTimeoutMs,
    d.requestTimeoutMs,
    { min: 1 },
  );
  const connection: ConnectionSettings = {
    nodes,
    cloudId,
    auth,
    tls: tlsOption(options.tls),
    headers: headersOption(options.headers),
    compression: compression === 'gzip',
    requestTimeoutMs,
    secrets: secretsOf(auth, nodes),
  };

  // ---- mapping
  const index = validateIndexName('index', options.index);
  const mapping: MappingSettings = {
    mode: enumOption('mappingMode', options.mappingMode, MAPPING_MODES, d.mappingMode),
    index,
    routeByAttributes: booleanOption('routeByAttributes', options.routeByAttributes, true),
    dataset: dataStreamPart('dataset', options.dataset, d.dataset),
    namespace: dataStreamPart('namespace', options.namespace, d.namespace),
    indexDateSuffix: enumOption(
      'indexDateSuffix',
      options.indexDateSuffix,
      INDEX_DATE_SUFFIXES,
      'none',
    ),
    deterministicIds: booleanOption('deterministicIds', options.deterministicIds, false),
    limits: {
      maxStringLength: integerOption(
        'maxStringLength',
        options.maxStringLength,
        d.maxStringLength,
        {
          min: 1,
        },
      ),
    },
  };

  // ---- setup
  let setup: SetupSettings | undefined;
  const setupOptions = options.setup;
  if (setupOptions !== undefined) {
    if (!setupOptions || typeof setupOptions !== 'object') {
      throw new InvalidConfigError('setup', 'expected { indexTemplate?, ilm? }');
    }
    const indexTemplate = booleanOption('setup.indexTemplate', setupOptions.indexTemplate, false);
    const ilm = setupOptions.ilm;
    if (ilm !== undefined && !indexTemplate) {
      throw new InvalidConfigError(
        'setup.ilm',
        'needs setup.indexTemplate: true (the index template attaches the policy to new indices)',
      );
    }
    if (indexTemplate) {
      if (index === undefined) {
        throw new InvalidConfigError(
          'setup.indexTemplate',
          'needs index: templates are for plain indices; data streams already have Elasticsearch’s own',
        );
      }
      let ilmSettings: IlmSettings | undefined;
      if (ilm !== undefined) {
        if (!ilm || typeof ilm !== 'object') {
          throw new InvalidConfigError('setup.ilm', 'expected { warmAfter?, deleteAfter? }');
        }
        if (mapping.indexDateSuffix === 'none') {
          throw new InvalidConfigError(
            'setup.ilm',
            "needs indexDateSuffix 'daily' or 'monthly': ILM deletes whole indices by age, and without a date suffix it would delete the one index being written",
          );
        }
        const warmAfter =
          ilm.warmAfter === false
            ? undefined
            : ageOption('setup.ilm.warmAfter', ilm.warmAfter, d.ilmWarmAfter);
        const deleteAfter = ageOption('setup.ilm.deleteAfter', ilm.deleteAfter, d.ilmDeleteAfter);
        if (warmAfter !== undefined && ageMs(deleteAfter) <= ageMs(warmAfter)) {
          throw new InvalidConfigError(
            'setup.ilm.deleteAfter',
            `must be later than warmAfter (${warmAfter}), got ${deleteAfter}`,
          );
        }
        // The index for the current day (month) is still written: deleting it would lose data.
        const periodMs = mapping.indexDateSuffix === 'daily' ? AGE_UNIT_MS.d : 31 * AGE_UNIT_MS.d;
        if (ageMs(deleteAfter) <= periodMs) {
          throw new InvalidConfigError(
            'setup.ilm.deleteAfter',
            `must be longer than one ${mapping.indexDateSuffix === 'daily' ? 'day (1d)' : 'month (31d)'} with indexDateSuffix '${mapping.indexDateSuffix}', or the index still being written would be deleted; got ${deleteAfter}`,
          );
        }
        ilmSettings = { warmAfter, deleteAfter };
      }
      setup = { index, ilm: ilmSettings };
    }
  }

  // ---- pipeline: the core's options, under its names (the core validates the values)
  const pipeline: ResolvedConfig['pipeline'] = {
    // Like the core, never above the queue's byte bound (the core validates the numbers).
    maxBatchBytes:
      typeof options.maxQueueBytes === 'number'
        ? Math.min(d.maxBatchBytes, options.maxQueueBytes)
        : d.maxBatchBytes,
    ...pickPipelineOptions<BulkRecord>(options),
    // The client's own deadline answers first with its clearer error; the pipeline's is the
    // backstop for a request the client does not end.
    requestTimeoutMs: requestTimeoutMs + 1_000,
  };
  return { name, client, connection, mapping, setup, pipeline };
}

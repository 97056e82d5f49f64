import type { Client } from '@elastic/elasticsearch';
import {
  InvalidConfigError,
  booleanOption,
  secretsInUrl,
  stringOption,
} from '@otelpack/batching-core';
import type { HeaderProvider, ResolvedOptions, Signal, TlsOptions } from '@otelpack/batching-core';
import type { MappingSettings } from './mapping/types';
import { ELASTICSEARCH_DEFAULTS, ELASTICSEARCH_OPTIONS } from './options';
import type { ElasticsearchAuth, ElasticsearchExporterOptions } from './options';

export interface ConnectionSettings {
  nodes: string[] | undefined;
  cloudId: string | undefined;
  auth: ElasticsearchAuth | undefined;
  tls: TlsOptions | undefined;
  caFingerprint: string | undefined;
  headers: Record<string, string>;
  /** Called before every request; its headers go with it. */
  headerProvider: HeaderProvider | undefined;
  compression: boolean;
  /** One request's deadline, for the client (the exporter's `timeoutMs`). */
  timeoutMs: number;
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
  /** The user's pipeline options (code and environment), and this exporter's defaults under them. */
  pipeline: ResolvedOptions['pipeline'];
  pipelineDefaults: ResolvedOptions['pipelineDefaults'];
}

const CONNECTION_OPTIONS = [
  'url',
  'cloudId',
  'auth',
  'tls',
  'caFingerprint',
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

/**
 * Any non-empty text, as the Collector takes it: routing sanitises it (lowercase, disallowed
 * characters as `_`, cut to 100 bytes) like a `data_stream.*` attribute's value.
 */
function dataStreamPart(option: string, value: unknown, fallback: string): string {
  const part = stringOption(option, value, fallback) as string;
  if (part === '') {
    throw new InvalidConfigError(option, `expected a non-empty data stream ${option}`);
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

function secretsOf(auth: ElasticsearchAuth | undefined, nodes: string[] | undefined): string[] {
  const secrets: string[] = [];
  if (auth && 'apiKey' in auth) secrets.push(auth.apiKey);
  if (auth && 'password' in auth) secrets.push(auth.password);
  if (auth && 'bearerToken' in auth) secrets.push(auth.bearerToken);
  for (const node of nodes ?? []) secrets.push(...secretsInUrl(new URL(node)));
  return secrets.filter((s) => s.length >= 2);
}

/** The kit's resolved options for this exporter. */
export type ResolvedElasticsearchOptions = ReturnType<typeof ELASTICSEARCH_OPTIONS.resolve>;

/**
 * Validates every option and reads the environment. Explicit options win over environment
 * variables; an invalid value throws InvalidConfigError naming the option (or variable).
 */
export function resolveConfig(
  options: ElasticsearchExporterOptions = {},
  signal: Signal = 'traces',
): ResolvedConfig {
  return elasticsearchConfig(ELASTICSEARCH_OPTIONS.resolve(options, signal));
}

/** Elasticsearch's own rules over the kit's resolution: url or cloud id, client, index, setup. */
export function elasticsearchConfig(resolved: ResolvedElasticsearchOptions): ResolvedConfig {
  const d = ELASTICSEARCH_DEFAULTS;
  const own = resolved.own;
  const name = resolved.name;
  const explicit = (option: string) => resolved.sourceOf(option) === option;

  // ---- connection
  const client = own.client;
  if (client !== undefined) {
    if (typeof (client as { transport?: unknown })?.transport !== 'object') {
      throw new InvalidConfigError('client', 'expected a Client from @elastic/elasticsearch');
    }
    const conflicting = CONNECTION_OPTIONS.filter(explicit);
    if (conflicting.length > 0) {
      throw new InvalidConfigError(
        conflicting[0],
        'cannot be combined with client: configure the client you pass instead',
      );
    }
  }
  if (explicit('url') && explicit('cloudId')) {
    throw new InvalidConfigError('cloudId', 'cannot be combined with url: give one of them');
  }
  // An option in code before the environment; a URL before a cloud id; the default URL last.
  const urlSource = resolved.sourceOf('url');
  const cloudSource = resolved.sourceOf('cloudId');
  if (own.cloudId !== undefined && !/^[^:]+:[A-Za-z0-9+/=_-]+$/.test(own.cloudId)) {
    throw new InvalidConfigError(
      cloudSource ?? 'cloudId',
      'expected an Elastic Cloud id of the form <name>:<base64>',
    );
  }
  const useCloud =
    own.cloudId !== undefined &&
    (explicit('cloudId') || (urlSource === undefined && cloudSource !== undefined));
  let nodes: string[] | undefined;
  let cloudId: string | undefined;
  if (useCloud) cloudId = own.cloudId;
  else if (client === undefined) nodes = resolved.urls.map(String);
  if (own.caFingerprint !== undefined && nodes?.some((node) => node.startsWith('http:'))) {
    // The client would throw its own ConfigurationError at construction; say it in ours.
    throw new InvalidConfigError(
      'caFingerprint',
      'needs https:// URLs (the fingerprint checks the TLS certificate)',
    );
  }
  const auth = client === undefined ? (resolved.auth as ElasticsearchAuth | undefined) : undefined;
  booleanOption('tls.rejectUnauthorized', resolved.tls?.rejectUnauthorized, true);
  const connection: ConnectionSettings = {
    nodes,
    cloudId,
    auth,
    tls: resolved.tls,
    caFingerprint: own.caFingerprint,
    headers: resolved.headers,
    headerProvider: resolved.headerProvider,
    compression: (resolved.compression ?? (cloudId !== undefined ? 'gzip' : 'none')) === 'gzip',
    timeoutMs: resolved.timeoutMs,
    // The kit's list has the credential headers too; the client's own auth is added here.
    secrets: [...new Set([...secretsOf(auth, nodes), ...resolved.secrets])],
  };

  // ---- mapping
  const index = validateIndexName('index', own.index);
  const mapping: MappingSettings = {
    mode: own.mappingMode,
    index,
    routeByAttributes: own.routeByAttributes,
    dataset: dataStreamPart('dataset', own.dataset, d.dataset),
    namespace: dataStreamPart('namespace', own.namespace, d.namespace),
    indexDateSuffix: own.indexDateSuffix,
    deterministicIds: own.deterministicIds,
    limits: { maxStringLength: own.maxStringLength },
  };

  // ---- setup
  let setup: SetupSettings | undefined;
  const setupOptions = own.setup;
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

  return {
    name,
    client,
    connection,
    mapping,
    setup,
    pipeline: resolved.pipeline,
    pipelineDefaults: resolved.pipelineDefaults,
  };
}

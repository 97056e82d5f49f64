import { inspect } from 'node:util';
import { enumOption } from '../config';
import { InvalidConfigError } from '../errors';
import type { HeaderMap, TlsOptions } from '../http/transport';
import { redact, redactUrl, secretsInHeaders, secretsInUrl } from '../http/redact';
import { assertKnownOptions } from '../pipeline-options';
import type { PipelineTuning } from '../pipeline-options';
import { setOwnField } from '../sdk/own-field';
import { createTransformStage } from '../transform';
import type { TransformStage } from '../transform';
import type { TemporalityOption } from '../sdk/temporality';
import type { Signal } from '../types';
import { DEFAULT_TIMEOUT_MS, sendDeadlineMs } from './deadlines';
import { environmentVariableName, fromText, readEnvironment } from './environment';
import type { TextParser } from './environment';
import type { OptionKind } from './kinds';
import { PIPELINE_OPTION_TEXT, exporterPipelineOptionNames } from './pipeline-environment';
import {
  AUTH_FORM_FIELDS,
  parseAuth,
  parseHeaders,
  parseName,
  parseTemporality,
  parseTimeoutMs,
  parseTls,
  parseUrls,
  secretsOfAuth,
  urlListFromText,
} from './vocabulary';
import type { AuthForm, ExporterAuth, HeaderProvider, TlsField } from './vocabulary';

/**
 * An option's environment variables, the first set wins: one list for every signal, or a list
 * per signal (OTLP's `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` before `OTEL_EXPORTER_OTLP_ENDPOINT`).
 */
export type EnvironmentVariables = readonly string[] | ((signal: Signal) => readonly string[]);

/** Environment variables of one option; unset: the rule's `OTELPACK_<BACKEND>_<OPTION>`. */
interface WithEnvironment {
  env?: EnvironmentVariables;
}

/**
 * A request body's compression. gzip and none every HTTP exporter takes; an exporter whose
 * backend decodes more lists them in its spec (`compression.codecs`).
 */
export type CompressionCodec = 'gzip' | 'br' | 'none';
/** The codecs of an exporter that lists none. */
export type DefaultCompressionCodec = 'gzip' | 'none';
const DEFAULT_CODECS: readonly CompressionCodec[] = ['gzip', 'none'];

/**
 * Which of the shared options (DESIGN.md's vocabulary) an exporter takes, with its defaults and
 * the backend's own variables. `name` and `timeoutMs` every exporter takes.
 */
export interface VocabularySpec<Codec extends CompressionCodec = DefaultCompressionCodec> {
  name?: WithEnvironment & { default?: string };
  url?: WithEnvironment & { default?: string | readonly string[] };
  headers?: WithEnvironment & {
    /**
     * Every variable that is set contributes its headers, an earlier variable's value winning
     * for a header both name (OTLP merges `OTEL_EXPORTER_OTLP_TRACES_HEADERS` over
     * `OTEL_EXPORTER_OTLP_HEADERS`). Default: the first variable set is read alone.
     */
    mergeVariables?: boolean;
  };
  auth?: {
    forms: readonly AuthForm[];
    /** The backend's variables per field (`username`, `password`, `apiKey`, `bearerToken`, `token`). */
    env?: Partial<Record<string, readonly string[]>>;
    /** A username without a password is a user without one (ClickHouse's `default`). */
    emptyPasswordAllowed?: boolean;
    /** A password without a username is this user's (ClickHouse: `default`). */
    defaultUsername?: string;
    /**
     * Headers besides `authorization` that carry this backend's credential (lower case): one
     * given in code is the credential, and the environment's is then not read. New Relic's is
     * `api-key`.
     */
    credentialHeaders?: readonly string[];
  };
  tls?: { fields: readonly TlsField[] };
  compression?: WithEnvironment & {
    default?: NoInfer<Codec>;
    /** Default: gzip and none. */
    codecs?: readonly Codec[];
  };
  timeoutMs?: WithEnvironment & { default?: number };
  connectTimeoutMs?: WithEnvironment & { default: number };
  /** Metric exporters only. */
  temporality?: WithEnvironment & { default: TemporalityOption };
}

export interface ExporterOptionsSpec<
  Own extends Record<string, OptionKind<unknown>>,
  Codec extends CompressionCodec = DefaultCompressionCodec,
> extends VocabularySpec<Codec> {
  /** Names the variables (`OTELPACK_<BACKEND>_…`) and, unless `name.default` says otherwise, the exporter. */
  backend: string;
  /** The exporter's own options. */
  own: Own;
  /**
   * The exporter's defaults for pipeline options, layered under the user's by the core (which
   * reconciles the limits); a function when a default depends on what the user chose, or on the
   * signal (one package whose signals go to different intakes, each with its own limits).
   */
  pipelineDefaults?:
    | PipelineTuning<unknown>
    | ((user: PipelineTuning<unknown>, signal: Signal) => PipelineTuning<unknown>);
}

export type ResolvedOwn<Own> = {
  [K in keyof Own]: Own[K] extends OptionKind<infer T> ? T : never;
};

/** One option's environment variables, for the README's table and the kit's test suite. */
export interface EnvironmentEntry {
  option: string;
  variables: readonly string[];
  /** Only the metric exporter reads it. */
  metricsOnly?: boolean;
  /** Only the exporter of this signal reads it (variables declared per signal). */
  signal?: Signal;
}

interface ResolvedValues<Own, Codec extends CompressionCodec> {
  name: string;
  signal: Signal;
  urls: URL[];
  headers: HeaderMap;
  headerProvider: HeaderProvider | undefined;
  auth: ExporterAuth | undefined;
  tls: TlsOptions | undefined;
  compression: Codec | undefined;
  timeoutMs: number;
  connectTimeoutMs: number | undefined;
  temporality: TemporalityOption;
  transform: TransformStage | undefined;
  own: ResolvedOwn<Own>;
  pipeline: PipelineTuning<unknown>;
  pipelineDefaults: PipelineTuning<unknown>;
  sources: Map<string, string>;
  secrets: string[];
}

/**
 * An exporter's options, resolved: every value checked, from the code, the environment or the
 * default. It holds credentials, so its values sit in a private field behind getters, where
 * `JSON.stringify`, `util.inspect` and `console.log` do not look.
 */
export class ResolvedOptions<
  Own = Record<string, unknown>,
  Codec extends CompressionCodec = DefaultCompressionCodec,
> {
  readonly #values: ResolvedValues<Own, Codec>;

  constructor(values: ResolvedValues<Own, Codec>) {
    this.#values = values;
  }

  get name(): string {
    return this.#values.name;
  }
  get signal(): Signal {
    return this.#values.signal;
  }
  /** With any credentials written in them (never log these: see `displayUrls`). */
  get urls(): URL[] {
    return this.#values.urls.map((url) => new URL(url.href));
  }
  /** The URLs with credentials and token parameters redacted, for logs and stats. */
  get displayUrls(): string[] {
    return this.#values.urls.map(redactUrl);
  }
  get headers(): HeaderMap {
    return { ...this.#values.headers };
  }
  get headerProvider(): HeaderProvider | undefined {
    return this.#values.headerProvider;
  }
  get auth(): ExporterAuth | undefined {
    return this.#values.auth;
  }
  get tls(): TlsOptions | undefined {
    return this.#values.tls;
  }
  get compression(): Codec | undefined {
    return this.#values.compression;
  }
  /** One request's deadline, for the client or transport. */
  get timeoutMs(): number {
    return this.#values.timeoutMs;
  }
  get connectTimeoutMs(): number | undefined {
    return this.#values.connectTimeoutMs;
  }
  get temporality(): TemporalityOption {
    return this.#values.temporality;
  }
  /** The `transform` option, compiled: runs on the SDK's items before mapping. */
  get transform(): TransformStage | undefined {
    return this.#values.transform;
  }
  get own(): ResolvedOwn<Own> {
    return this.#values.own;
  }
  /** The user's pipeline options, from the code and the environment (the core checks them). */
  get pipeline(): PipelineTuning<unknown> {
    return { ...this.#values.pipeline, requestTimeoutMs: sendDeadlineMs(this.timeoutMs) };
  }
  /** The exporter's pipeline defaults, for the core's `defaults` layer. */
  get pipelineDefaults(): PipelineTuning<unknown> {
    return { ...this.#values.pipelineDefaults };
  }
  /** Every credential known (auth, URL user info, credential headers): scrubbed from any text. */
  get secrets(): string[] {
    return [...this.#values.secrets];
  }

  redact(text: string): string {
    return redact(text, this.#values.secrets);
  }

  /** Where an option's value came from: its name, an environment variable, or undefined (default). */
  sourceOf(option: string): string | undefined {
    return this.#values.sources.get(option);
  }

  /**
   * The same error, naming the environment variable when the value came from one: the core
   * names its options, and a user who set OTELPACK_X_MAX_QUEUE_BYTES should read that name.
   */
  withSource(error: unknown): unknown {
    if (!(error instanceof InvalidConfigError)) return error;
    const root = error.option.split(/[.[]/)[0];
    const source = this.#values.sources.get(root);
    if (source === undefined || source === root) return error;
    const message = error.message.slice(error.option.length + 2);
    return new InvalidConfigError(source + error.option.slice(root.length), message);
  }

  toJSON(): object {
    return { name: this.name, signal: this.signal, urls: this.displayUrls };
  }

  [inspect.custom](): string {
    return `ResolvedOptions ${inspect(this.toJSON())}`;
  }
}

/** What `defineExporterOptions` gives: the names, the variables and the resolution. */
export interface ExporterOptionsDefinition<
  Own,
  Codec extends CompressionCodec = DefaultCompressionCodec,
> {
  readonly backend: string;
  /** Every option name the exporter of this signal takes (own, shared and the core's). */
  optionNames(signal: Signal): string[];
  /** Every environment variable read, by option. */
  readonly environment: readonly EnvironmentEntry[];
  /** Options, then the environment, then the defaults; throws InvalidConfigError naming the source. */
  resolve(options: object | undefined, signal: Signal): ResolvedOptions<Own, Codec>;
}

/**
 * Declares an exporter's options once: its own, which of the shared vocabulary it takes, the
 * backend's variables and its pipeline defaults. The kit adds every pipeline option of the core,
 * the environment rule, "did you mean" for unknown names and the one timeout rule.
 */
export function defineExporterOptions<
  Own extends Record<string, OptionKind<unknown>>,
  Codec extends CompressionCodec = DefaultCompressionCodec,
>(spec: ExporterOptionsSpec<Own, Codec>): ExporterOptionsDefinition<Own, Codec> {
  const variable = (option: string) => environmentVariableName(spec.backend, option);
  const variablesOf = (option: string, declared: readonly string[] | undefined) =>
    declared ?? [variable(option)];
  const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];
  /** One entry, or one per signal when the variables are declared per signal. */
  const entriesOf = (
    option: string,
    declared: EnvironmentVariables | undefined,
    extra: Partial<EnvironmentEntry> = {},
  ): EnvironmentEntry[] =>
    typeof declared === 'function'
      ? SIGNALS.map((signal) => ({ option, variables: declared(signal), signal, ...extra }))
      : [{ option, variables: variablesOf(option, declared), ...extra }];
  const authFields = [...new Set((spec.auth?.forms ?? []).flatMap((f) => AUTH_FORM_FIELDS[f]))];
  const authVariables = (field: string) => variablesOf(field, spec.auth?.env?.[field]);

  const vocabulary = [
    'name',
    'timeoutMs',
    'transform',
    ...(['url', 'headers', 'auth', 'tls', 'compression', 'connectTimeoutMs'] as const).filter(
      (name) => spec[name] !== undefined,
    ),
  ];
  const pipelineNames = exporterPipelineOptionNames();
  const ownNames = Object.keys(spec.own);
  const names = (signal: Signal) => [
    ...vocabulary,
    ...(spec.temporality && signal === 'metrics' ? ['temporality'] : []),
    ...ownNames,
    ...pipelineNames,
  ];

  const environment: EnvironmentEntry[] = [
    ...entriesOf('name', spec.name?.env),
    ...(spec.url ? entriesOf('url', spec.url.env) : []),
    ...(spec.headers ? entriesOf('headers', spec.headers.env) : []),
    ...authFields.map((field) => ({ option: `auth.${field}`, variables: authVariables(field) })),
    ...(spec.compression ? entriesOf('compression', spec.compression.env) : []),
    ...entriesOf('timeoutMs', spec.timeoutMs?.env),
    ...(spec.connectTimeoutMs ? entriesOf('connectTimeoutMs', spec.connectTimeoutMs.env) : []),
    ...(spec.temporality
      ? entriesOf('temporality', spec.temporality.env, { metricsOnly: true })
      : []),
    ...ownNames
      .filter((name) => {
        const declared = spec.own[name].env;
        return spec.own[name].fromText && !(Array.isArray(declared) && declared.length === 0);
      })
      .flatMap((name) => entriesOf(name, spec.own[name].env)),
    ...pipelineNames
      .filter((name) => PIPELINE_OPTION_TEXT[name])
      .map((name) => ({ option: name, variables: [variable(name)] })),
  ];

  function resolve(options: object | undefined, signal: Signal): ResolvedOptions<Own, Codec> {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new InvalidConfigError('options', 'expected an object');
    }
    const given = (options ?? {}) as Record<string, unknown>;
    if (given.pipeline !== undefined) {
      throw new InvalidConfigError(
        'pipeline',
        "unknown option: the core's options go at the top level ({ maxBatchItems: 500 }, not { pipeline: { maxBatchItems: 500 } })",
      );
    }
    if (spec.temporality && signal !== 'metrics' && given.temporality !== undefined) {
      throw new InvalidConfigError('temporality', 'is an option of the metric exporter only');
    }
    assertKnownOptions(given, names(signal));

    const sources = new Map<string, string>();
    /** The option's value from the code, else from its first variable that is set, with where from. */
    const pick = (
      option: string,
      variables: readonly string[],
      text: TextParser | undefined,
    ): { value: unknown; source: string } => {
      if (given[option] !== undefined) {
        sources.set(option, option);
        return { value: given[option], source: option };
      }
      const found = text ? readEnvironment(variables) : undefined;
      if (found) {
        sources.set(option, found.variable);
        return { value: (text as TextParser)(found.text, found.variable), source: found.variable };
      }
      return { value: undefined, source: option };
    };
    const envOf = (entry: string) =>
      environment.find((e) => e.option === entry && (e.signal === undefined || e.signal === signal))
        ?.variables ?? [];

    const nameValue = pick('name', envOf('name'), fromText.string);
    const name = parseName(nameValue.value, nameValue.source, spec.name?.default ?? spec.backend);

    let urls: URL[] = [];
    if (spec.url) {
      const picked = pick('url', envOf('url'), urlListFromText);
      const value = picked.value ?? spec.url.default;
      if (value !== undefined) urls = parseUrls(value, picked.source);
    }

    const headerValue = !spec.headers
      ? { value: undefined, source: 'headers' }
      : spec.headers.mergeVariables && given.headers === undefined
        ? mergedHeaders(envOf('headers'))
        : pick('headers', envOf('headers'), fromText.keyValues);
    const { headers, headerProvider } = parseHeaders(headerValue.value, headerValue.source);

    const auth = spec.auth ? resolveAuth() : undefined;

    const tls = spec.tls ? parseTls(given.tls, 'tls', spec.tls.fields) : undefined;

    let compression: Codec | undefined;
    if (spec.compression) {
      const picked = pick('compression', envOf('compression'), fromText.string);
      compression =
        picked.value === undefined && spec.compression.default === undefined
          ? undefined
          : enumOption<Codec>(
              picked.source,
              picked.value,
              (spec.compression.codecs ?? DEFAULT_CODECS) as readonly Codec[],
              spec.compression.default ?? ('none' as Codec),
            );
    }

    const timeout = pick('timeoutMs', envOf('timeoutMs'), fromText.integer);
    const timeoutMs = parseTimeoutMs(
      timeout.value,
      timeout.source,
      spec.timeoutMs?.default ?? DEFAULT_TIMEOUT_MS,
    );
    let connectTimeoutMs: number | undefined;
    if (spec.connectTimeoutMs) {
      const picked = pick('connectTimeoutMs', envOf('connectTimeoutMs'), fromText.integer);
      connectTimeoutMs = parseTimeoutMs(picked.value, picked.source, spec.connectTimeoutMs.default);
    }

    let temporality: TemporalityOption = 'cumulative';
    if (spec.temporality && signal === 'metrics') {
      // Read case-insensitively, as OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE is (`Delta`).
      const picked = pick('temporality', envOf('temporality'), (text) => text.toLowerCase());
      temporality = parseTemporality(picked.value, picked.source, spec.temporality.default);
    }

    // Statements are compiled once, here: an error in one is a construction error.
    const transform = createTransformStage(given.transform, name);

    const own = {} as Record<string, unknown>;
    for (const option of ownNames) {
      const kind = spec.own[option];
      const picked = pick(option, envOf(option), kind.fromText);
      own[option] = kind.parse(picked.value, picked.source);
    }

    const pipeline: Record<string, unknown> = {};
    for (const option of pipelineNames) {
      const picked = pick(option, [variable(option)], PIPELINE_OPTION_TEXT[option]);
      if (picked.value !== undefined) pipeline[option] = picked.value;
    }
    const pipelineDefaults =
      typeof spec.pipelineDefaults === 'function'
        ? spec.pipelineDefaults(pipeline, signal)
        : { ...spec.pipelineDefaults };

    const secrets = [
      ...secretsOfAuth(auth),
      ...urls.flatMap(secretsInUrl),
      ...secretsInHeaders(headers),
    ];
    return new ResolvedOptions<Own, Codec>({
      name,
      signal,
      urls,
      headers,
      headerProvider,
      auth,
      tls,
      compression,
      timeoutMs,
      connectTimeoutMs,
      temporality,
      transform,
      own: own as ResolvedOwn<Own>,
      pipeline,
      pipelineDefaults,
      sources,
      secrets: [...new Set(secrets)],
    });

    /** The headers of every variable set, an earlier variable winning per header name. */
    function mergedHeaders(variables: readonly string[]): { value: unknown; source: string } {
      const merged: Record<string, string> = {};
      let source: string | undefined;
      for (const name of [...variables].reverse()) {
        const found = readEnvironment([name]);
        if (!found) continue;
        // Not Object.assign: it would set the prototype for a header named `__proto__`.
        const pairs = fromText.keyValues(found.text, found.variable) as Record<string, string>;
        for (const [header, value] of Object.entries(pairs)) setOwnField(merged, header, value);
        source = found.variable;
      }
      if (source === undefined) return { value: undefined, source: 'headers' };
      sources.set('headers', source);
      return { value: merged, source };
    }

    /**
     * `auth` from the code as a whole; else from the environment, where exactly one form may be
     * set (two would leave a credential silently unused).
     */
    function resolveAuth(): ExporterAuth | undefined {
      const settings = spec.auth!;
      if (given.auth !== undefined) {
        sources.set('auth', 'auth');
        return parseAuth(
          given.auth,
          'auth',
          settings.forms,
          settings.emptyPasswordAllowed ?? false,
        );
      }
      // Credentials that came with an option given in code (user info in the URL, an
      // Authorization header) are explicit: the environment's must not replace them.
      const urlCarriesCredentials =
        given.url !== undefined && urls.some((u) => u.username !== '' || u.password !== '');
      const credentialHeaders = ['authorization', ...(settings.credentialHeaders ?? [])];
      const headersCarryCredential = Object.keys(headers).some((header) =>
        credentialHeaders.includes(header.toLowerCase()),
      );
      if (urlCarriesCredentials || (given.headers !== undefined && headersCarryCredential)) {
        return undefined;
      }
      const set = settings.forms
        .map((form) => ({
          form,
          found: AUTH_FORM_FIELDS[form].map((field) => ({
            field,
            read: readEnvironment(authVariables(field)),
          })),
        }))
        .filter((candidate) => candidate.found.some((f) => f.read !== undefined));
      if (set.length === 0) return undefined;
      const first = (candidate: (typeof set)[number]) =>
        candidate.found.find((f) => f.read)?.read?.variable as string;
      if (set.length > 1) {
        throw new InvalidConfigError(
          first(set[1]),
          `set either ${first(set[0])} or ${first(set[1])}, not both`,
        );
      }
      const [{ form, found }] = set;
      sources.set('auth', first(set[0]));
      if (form === 'basic') {
        const [user, password] = found;
        if (!user.read && settings.defaultUsername !== undefined) {
          return { username: settings.defaultUsername, password: password.read!.text };
        }
        if (!user.read) {
          throw new InvalidConfigError(
            authVariables('username')[0],
            `is required when ${password.read!.variable} is set`,
          );
        }
        if (!password.read && !settings.emptyPasswordAllowed) {
          throw new InvalidConfigError(
            authVariables('password')[0],
            `is required when ${user.read.variable} is set`,
          );
        }
        return { username: user.read.text, password: password.read?.text ?? '' };
      }
      return { [found[0].field]: found[0].read!.text } as ExporterAuth;
    }
  }

  return {
    backend: spec.backend,
    optionNames: names,
    environment,
    resolve,
  };
}

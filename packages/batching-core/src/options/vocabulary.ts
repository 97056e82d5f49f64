import { integerOption, stringOption, urlOption } from '../config';
import { InvalidConfigError } from '../errors';
import type { HeaderMap, TlsOptions } from '../http/transport';
import { setOwnField } from '../sdk/own-field';
import { temporalitySelector } from '../sdk/temporality';
import type { TemporalityOption } from '../sdk/temporality';

/*
 * The options every exporter spells the same way (DESIGN.md, "The exporter kit"): how each is
 * checked. Which of them an exporter takes, its defaults and its variables are declared with
 * `defineExporterOptions`.
 */

/** Called before every request (e.g. to refresh a token); its headers win over static ones. */
export type HeaderProvider = () => HeaderMap | Promise<HeaderMap>;

/** `url`: one URL or a list of them, each a string or URL object (copied: never held). */
export function parseUrls(value: unknown, source: string): URL[] {
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  if (entries.length === 0) throw new InvalidConfigError(source, 'expected at least one URL');
  return entries.map(
    (entry, i) =>
      new URL(
        urlOption(
          entries.length > 1 ? `${source}[${i}]` : source,
          typeof entry === 'string' ? entry.trim() : entry,
        ).href,
      ),
  );
}

/**
 * A URL list in an environment variable: comma-separated, and a later entry without a scheme
 * takes the first's scheme and credentials (`http://u:p@a:8123,b:8123`, as CLICKHOUSE_URL is
 * often written).
 */
export function urlListFromText(text: string): string[] {
  const entries = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const first = URL.canParse(entries[0] ?? '') ? new URL(entries[0]) : undefined;
  return entries.map((entry, i) => {
    if (i === 0 || !first || entry.includes('://')) return entry;
    const userInfo = first.username
      ? `${first.username}${first.password ? `:${first.password}` : ''}@`
      : '';
    return `${first.protocol}//${userInfo}${entry}`;
  });
}

/** `headers`: a static object of strings, or a provider function called before every request. */
export function parseHeaders(
  value: unknown,
  source: string,
): { headers: HeaderMap; headerProvider?: HeaderProvider } {
  if (value === undefined) return { headers: {} };
  if (typeof value === 'function') return { headers: {}, headerProvider: value as HeaderProvider };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigError(
      source,
      'expected an object of header names to string values, or a function returning one',
    );
  }
  const headers: HeaderMap = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string') {
      throw new InvalidConfigError(`${source}.${name}`, 'expected a string value');
    }
    setOwnField(headers, name.toLowerCase(), headerValue);
  }
  return { headers };
}

/** The forms of `auth` a backend may take. */
export type AuthForm = 'basic' | 'apiKey' | 'bearerToken' | 'token';

export type ExporterAuth =
  | { username: string; password: string }
  | { apiKey: string }
  | { bearerToken: string }
  | { token: string };

/** Each form's fields, in the order the environment is searched. */
export const AUTH_FORM_FIELDS: Readonly<Record<AuthForm, readonly string[]>> = {
  basic: ['username', 'password'],
  apiKey: ['apiKey'],
  bearerToken: ['bearerToken'],
  token: ['token'],
};

export function describeAuthForms(forms: readonly AuthForm[]): string {
  return forms.map((form) => `{ ${AUTH_FORM_FIELDS[form].join(', ')} }`).join(' or ');
}

/**
 * `auth`: exactly one of the forms the backend takes, each field a string (a password may be
 * empty where the backend allows it, e.g. ClickHouse's `default` user).
 */
export function parseAuth(
  value: unknown,
  source: string,
  forms: readonly AuthForm[],
  emptyPasswordAllowed: boolean,
): ExporterAuth {
  const shape = `expected ${describeAuthForms(forms)}, each a non-empty string`;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigError(source, shape);
  }
  const auth = value as Record<string, unknown>;
  const given = Object.keys(auth)
    .filter((key) => auth[key] !== undefined)
    .sort();
  for (const form of forms) {
    const fields = AUTH_FORM_FIELDS[form];
    if (given.length !== fields.length || !fields.every((f) => given.includes(f))) continue;
    const valid = fields.every(
      (f) =>
        typeof auth[f] === 'string' &&
        (auth[f] !== '' || (f === 'password' && emptyPasswordAllowed)),
    );
    if (!valid) break;
    return Object.fromEntries(fields.map((f) => [f, auth[f]])) as ExporterAuth;
  }
  throw new InvalidConfigError(source, shape);
}

/** The credentials in an auth value, for redaction. */
export function secretsOfAuth(auth: ExporterAuth | undefined): string[] {
  if (!auth) return [];
  const values: string[] = [];
  if ('password' in auth) {
    values.push(auth.password);
    values.push(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  }
  if ('apiKey' in auth) values.push(auth.apiKey);
  if ('bearerToken' in auth) values.push(auth.bearerToken);
  if ('token' in auth) values.push(auth.token);
  return values.filter((secret) => secret.length >= 2);
}

export type TlsField = keyof TlsOptions;

export const TLS_FIELDS: readonly TlsField[] = [
  'ca',
  'cert',
  'key',
  'rejectUnauthorized',
  'servername',
];

/** `tls`: the fields the backend's client can honour; `cert` and `key` go together. */
export function parseTls(
  value: unknown,
  source: string,
  fields: readonly TlsField[],
): TlsOptions | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigError(source, `expected { ${fields.join(', ')} } (each optional)`);
  }
  const tls = value as Record<string, unknown>;
  for (const [field, fieldValue] of Object.entries(tls)) {
    if (fieldValue === undefined) continue;
    const name = `${source}.${field}`;
    if (!(fields as readonly string[]).includes(field)) {
      throw new InvalidConfigError(
        name,
        `is not supported by this exporter's client; it takes ${fields.join(', ')}`,
      );
    }
    const pem = (v: unknown) => typeof v === 'string' || Buffer.isBuffer(v);
    const ok =
      field === 'rejectUnauthorized'
        ? typeof fieldValue === 'boolean'
        : field === 'servername'
          ? typeof fieldValue === 'string'
          : field === 'ca'
            ? pem(fieldValue) || (Array.isArray(fieldValue) && fieldValue.every(pem))
            : pem(fieldValue);
    if (!ok) {
      throw new InvalidConfigError(
        name,
        field === 'rejectUnauthorized'
          ? 'expected true or false'
          : field === 'servername'
            ? 'expected a string'
            : 'expected PEM text (a string or Buffer)',
      );
    }
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new InvalidConfigError(source, 'cert and key go together (mutual TLS needs both)');
  }
  return { ...(tls as TlsOptions) };
}

export function parseTimeoutMs(value: unknown, source: string, fallback: number): number {
  return integerOption(source, value, fallback, { min: 1 });
}

export function parseName(value: unknown, source: string, fallback: string): string {
  return stringOption(source, value, fallback) as string;
}

/** `temporality`: a preference or a selector function; checked now, not at the first export. */
export function parseTemporality(
  value: unknown,
  source: string,
  fallback: TemporalityOption,
): TemporalityOption {
  if (value === undefined) return fallback;
  try {
    temporalitySelector(value as TemporalityOption);
  } catch (error) {
    if (error instanceof InvalidConfigError && source !== 'temporality') {
      throw new InvalidConfigError(source, error.message.slice('temporality: '.length));
    }
    throw error;
  }
  return value as TemporalityOption;
}

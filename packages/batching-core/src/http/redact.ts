/**
 * Keeps secrets out of every error message and log line. A transport knows its secrets (header
 * values, URL credentials and token-like query parameters) and scrubs them from any text it
 * emits; the generic patterns below catch secrets it was never told about.
 */

export const REDACTED = '[REDACTED]';

/** Header names whose values are credentials, compared lowercase. */
export const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'dd-api-key',
  'dd-application-key',
  'x-license-key',
  'x-insert-key',
  'lightstep-access-token',
  'x-splunk-token',
  'cookie',
  'set-cookie',
]);

const SECRET_QUERY_PARAMETER =
  /([?&](?:api[_-]?key|apikey|access[_-]?token|token|auth|password|passwd|secret|license[_-]?key|signature|sig)=)[^&#\s"']*/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s:"']+(?::[^/@\s"']*)?@/gi;
const AUTH_SCHEME_VALUE =
  /\b(Bearer|Basic|ApiKey|Api-Token|Splunk|GenieKey)\s+[A-Za-z0-9._~+/=-]{4,}/g;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER_NAMES.has(name.toLowerCase());
}

/** The secret strings in a header set (values of credential headers, and their auth tokens). */
export function secretsInHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !isSecretHeader(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      secrets.push(v);
      // "Bearer abc": the bare token may surface alone in a backend's error text.
      const space = v.indexOf(' ');
      if (space > 0) secrets.push(v.slice(space + 1));
    }
  }
  return secrets.filter((s) => s.length >= 4);
}

/** The secret parts of a URL: user, password and token-like query parameter values. */
export function secretsInUrl(url: URL): string[] {
  const secrets: string[] = [];
  if (url.username) secrets.push(decodeURIComponent(url.username), url.username);
  if (url.password) secrets.push(decodeURIComponent(url.password), url.password);
  for (const [name, value] of url.searchParams) {
    if (
      /^(api[_-]?key|apikey|access[_-]?token|token|auth|password|passwd|secret|license[_-]?key|signature|sig)$/i.test(
        name,
      ) &&
      value.length >= 4
    ) {
      secrets.push(value);
    }
  }
  return secrets.filter((s) => s.length >= 2);
}

/** Scrubs known secrets, then anything shaped like a credential, from a text. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a token is not half-replaced by a shorter secret it contains.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`)
    .replace(AUTH_SCHEME_VALUE, `$1 ${REDACTED}`);
}

/** A URL fit for a log line: credentials and token-like parameters replaced. */
export function redactUrl(url: URL | string): string {
  return redact(String(url));
}

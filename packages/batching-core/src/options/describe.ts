import { REDACTED, redact } from '../http/redact';

/**
 * A value as an error message may echo it: strings quoted and cut, anything that may carry
 * credentials (`user:password@host`, `?token=…`) redacted, objects named by kind, so that a bad
 * value is shown without showing a secret.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = withoutUserInfo(redact(value));
    return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 60)}…` : shown);
  }
  if (value instanceof URL) return describeValue(value.href);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * Credentials the URL patterns of `redact` miss (`user:pw@host`, `http//user:pw@host`): in a
 * value that failed validation, whatever precedes the last `@` (after a scheme) is withheld.
 */
function withoutUserInfo(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  if (text.slice(scheme.length, at) === REDACTED) return text;
  return `${scheme}${REDACTED}${text.slice(at)}`;
}

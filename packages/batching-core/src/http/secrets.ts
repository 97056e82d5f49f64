import { redact, secretsInHeaders } from './redact';

/** Header values are remembered at most this many at a time (a token that rotates hourly needs few). */
const MAX_REMEMBERED_SECRETS = 64;

/**
 * The secrets one sender knows, for scrubbing every text it emits: those given at construction,
 * and the credential headers an async header provider returned lately (remembered, newest last,
 * so that a text made after the request, such as a backend's error echoing a token, is scrubbed
 * too). Held in private fields, out of reach of JSON.stringify and util.inspect.
 */
export class KnownSecrets {
  readonly #fixed: readonly string[];
  readonly #remembered = new Set<string>();

  constructor(fixed: readonly string[]) {
    this.#fixed = fixed.filter((secret) => secret.length > 0);
  }

  /** Remembers these secrets, the newest last; the oldest go past the limit. */
  remember(secrets: readonly string[]): void {
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      this.#remembered.delete(secret);
      this.#remembered.add(secret);
    }
    for (const oldest of this.#remembered) {
      if (this.#remembered.size <= MAX_REMEMBERED_SECRETS) break;
      this.#remembered.delete(oldest);
    }
  }

  /** Remembers the credential values among headers (see `isSecretHeader`). */
  rememberHeaders(headers: Record<string, string | string[] | undefined> | undefined): void {
    if (headers) this.remember(secretsInHeaders(headers));
  }

  /** The text with every known secret (and anything credential-shaped) replaced. */
  redact(text: string): string {
    return redact(
      text,
      this.#remembered.size > 0 ? [...this.#fixed, ...this.#remembered] : this.#fixed,
    );
  }
}

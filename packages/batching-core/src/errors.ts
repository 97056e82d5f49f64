/**
 * Errors raised by otelpack carry a stable `code`, so callers branch on the code and never on
 * the message text (the message is for people and may change).
 */
export type OtelpackErrorCode =
  | 'OTELPACK_ERR_INVALID_CONFIG'
  | 'OTELPACK_ERR_SHUTDOWN'
  | 'OTELPACK_ERR_DROPPED'
  | 'OTELPACK_ERR_NETWORK'
  | 'OTELPACK_ERR_TIMEOUT'
  | 'OTELPACK_ERR_ABORTED'
  | 'OTELPACK_ERR_HTTP_STATUS'
  | 'OTELPACK_ERR_RESPONSE_TOO_LARGE';

export class OtelpackError extends Error {
  readonly code: OtelpackErrorCode;

  constructor(code: OtelpackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtelpackError';
    this.code = code;
  }
}

/** Thrown at construction when an option is invalid; the message names the option and what it accepts. */
export class InvalidConfigError extends OtelpackError {
  readonly option: string;

  constructor(option: string, message: string) {
    super('OTELPACK_ERR_INVALID_CONFIG', `${option}: ${message}`);
    this.name = 'InvalidConfigError';
    this.option = option;
  }
}

/**
 * An error for a message: its text code in front when the message does not already hold it (Node's
 * system errors begin with theirs, `ENOSPC: no space left on device, write`; undici's do not,
 * `UND_ERR_CONNECT_TIMEOUT` and "Connect Timeout Error"), and what was thrown as text when it is
 * not an error. For a failed send's reason and for the spool's messages alike.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Only a text code: a number is a DOMException's legacy code (20 for an abort), not a name.
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || code === '') return error.message;
  return error.message.includes(code) ? error.message : `${code}: ${error.message}`;
}

/**
 * A low-cardinality name for what went wrong, for a metric's `error.type`: the error's text code
 * (`EIO`, `ENOSPC`), else its class name, else `_OTHER` (the semantic conventions' fallback).
 */
export function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error && error.name !== '' ? error.name : '_OTHER';
}

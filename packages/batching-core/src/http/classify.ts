import { parseRetryAfterMs } from '../retry-after';
import type { SendResult } from '../types';

/**
 * The pack's one reading of an HTTP status:
 * 2xx delivered; 408, 429 and 5xx except 501 retryable (429 and 503 also signal back-pressure);
 * 413 too large (the core splits the batch); any other status permanent. 501 Not Implemented
 * will not change by asking again.
 */
export function classifyStatus(
  status: number,
  retryAfter?: string | string[] | null,
  detail?: string,
  nowMs: number = Date.now(),
): SendResult {
  if (status >= 200 && status < 300) return { kind: 'delivered', httpStatus: status };
  const reason = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 413) return { kind: 'too_large', reason, httpStatus: status };
  if (isRetryableStatus(status)) {
    const retryAfterMs = parseRetryAfterMs(retryAfter, nowMs);
    return {
      kind: 'retryable',
      reason,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      backpressure: status === 429 || status === 503,
      httpStatus: status,
    };
  }
  return { kind: 'permanent', reason, httpStatus: status };
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status < 600);
}

/** Network error codes after which the same request may well succeed. */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CONSTANT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_ABORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** Configuration failures will fail again identically, and so will TLS ones (below). */
const PERMANENT_NETWORK_CODES = new Set(['ERR_INVALID_URL', 'UND_ERR_INVALID_ARG']);

/** Certificate and TLS failures: OpenSSL's and Node's codes for them. */
const TLS_CODE =
  /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_(GET|VERIFY)|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT)/;

/** A network error code after which the same request may well succeed. */
export function isRetryableNetworkCode(code: string): boolean {
  return RETRYABLE_NETWORK_CODES.has(code);
}

/** A network error code that will recur on every attempt (TLS, invalid configuration). */
export function isPermanentNetworkCode(code: string): boolean {
  return PERMANENT_NETWORK_CODES.has(code) || TLS_CODE.test(code);
}

/** The network error code of an error or of its causes (undici wraps the socket's error). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (RETRYABLE_NETWORK_CODES.has(code) || isPermanentNetworkCode(code))
    ) {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Unknown codes count as retryable: a lost request is worse than a bounded retry. */
export function isRetryableNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  return code === undefined || !isPermanentNetworkCode(code);
}

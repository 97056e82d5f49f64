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
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const reason = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 413) return { kind: 'too_large', reason };
  if (isRetryableStatus(status)) {
    const retryAfterMs = parseRetryAfterMs(retryAfter, nowMs);
    return {
      kind: 'retryable',
      reason,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      backpressure: status === 429 || status === 503,
    };
  }
  return { kind: 'permanent', reason };
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

/** TLS and configuration failures will fail again identically; everything else network is retried. */
const PERMANENT_NETWORK_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_INVALID_URL',
  'UND_ERR_INVALID_ARG',
]);

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (RETRYABLE_NETWORK_CODES.has(code) || PERMANENT_NETWORK_CODES.has(code))
    ) {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryableNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  return code === undefined || !PERMANENT_NETWORK_CODES.has(code);
}

import { classifyStatus } from '@otelpack/batching-core';
import type { SendResult } from '@otelpack/batching-core';
import { describeElasticsearchError } from './response';

/*
 * What an error thrown by @elastic/elasticsearch means for the batch: the HTTP statuses follow
 * the pack's one classification (the core's classifyStatus); the client's own errors are read by
 * name. Pure: the sender passes the error in.
 */

const TLS_FAILURE = /certificate|self[- ]signed|CERT_|altname|unable to verify/i;

/**
 * Connection failures that happen before a byte of the request leaves: nothing was applied.
 * Anchored: `read EHOSTUNREACH` or `write ENETUNREACH` on an open connection may follow an
 * indexed request whose answer was lost.
 */
const NOT_CONNECTED = /^(?:connect |getaddrinfo )|^Connect Timeout Error/i;

/** The transport's own check of an already aborted signal, before it takes a connection. */
const ABORTED_BEFORE_SENDING = /^Request has been aborted by the user/;

interface ClientErrorShape {
  name?: unknown;
  message?: unknown;
  meta?: { statusCode?: unknown; headers?: Record<string, unknown>; body?: unknown };
}

function fromElasticsearch(headers: Record<string, unknown> | undefined): boolean {
  return headerValue(headers?.['x-elastic-product']) === 'Elasticsearch';
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

export function classifyClientError(
  error: unknown,
  redact: (text: string) => string = (text) => text,
  nowMs: number = Date.now(),
): SendResult {
  const shape = (error ?? {}) as ClientErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const message = redact(typeof shape.message === 'string' ? shape.message : String(error)) || name;
  switch (name) {
    case 'ResponseError': {
      const status = typeof shape.meta?.statusCode === 'number' ? shape.meta.statusCode : 0;
      const body = shape.meta?.body as { error?: unknown } | string | undefined;
      let detail =
        (typeof body === 'object' && body !== null
          ? describeElasticsearchError(body.error)
          : undefined) ?? (typeof body === 'string' && body !== '' ? body.slice(0, 512) : message);
      if (status === 413) {
        detail += ' (the request exceeds http.max_content_length: lower maxBatchBytes)';
      }
      return classifyStatus(
        status,
        headerValue(shape.meta?.headers?.['retry-after']),
        redact(detail),
        nowMs,
      );
    }
    case 'TimeoutError':
      // A backend that stops answering in time is overloaded: as the core treats its own timeouts.
      return { kind: 'retryable', reason: `timeout: ${message}`, backpressure: true };
    case 'ConnectionError':
      if (TLS_FAILURE.test(message)) {
        // A certificate that fails verification fails the same way every time.
        return { kind: 'permanent', reason: `TLS: ${message}` };
      }
      return { kind: 'retryable', reason: `connection: ${message}` };
    case 'NoLivingConnectionsError':
      return { kind: 'retryable', reason: `no living connections: ${message}` };
    case 'RequestAbortedError':
      return { kind: 'retryable', reason: `aborted: ${message}` };
    case 'DeserializationError':
      // The request may have been applied; deterministic ids make the resend safe.
      return { kind: 'retryable', reason: `unreadable answer: ${message}` };
    case 'ProductNotSupportedError':
      return {
        kind: 'permanent',
        reason: `the server did not identify itself as Elasticsearch (x-elastic-product header): ${message}`,
      };
    case 'ConfigurationError':
    case 'SerializationError':
      return { kind: 'permanent', reason: `${name}: ${message}` };
    default:
      // Most often the network; maxElapsedMs bounds the retries of anything else.
      return { kind: 'retryable', reason: `${name}: ${message}` };
  }
}

/**
 * Whether Elasticsearch may have applied a `_bulk` request that failed with `error`: its answer
 * timed out, was cut off or could not be read, or a 5xx stood between (a gateway's, or a 429 or
 * 503 that does not say it is Elasticsearch's). A time series document whose attempt may have
 * been stored is the one whose later 409 means "already stored by this exporter". No: the
 * request never connected or was aborted before it was sent, Elasticsearch refused it whole
 * before indexing (its own 429 or 503, a 4xx), or the error is not a request's. Pure.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  const shape = (error ?? {}) as ClientErrorShape;
  const message = typeof shape.message === 'string' ? shape.message : '';
  switch (shape.name) {
    case 'ResponseError': {
      const status = typeof shape.meta?.statusCode === 'number' ? shape.meta.statusCode : 0;
      if (status >= 400 && status < 500 && status !== 429) return false;
      // Elasticsearch's own 429 and 503 refuse the request whole before indexing. The same
      // statuses from a proxy (Envoy's 503 "upstream reset before headers") may come after it
      // forwarded the request: only an answer that says it is Elasticsearch's is believed.
      if (status === 429 || status === 503) return !fromElasticsearch(shape.meta?.headers);
      return true;
    }
    case 'ConnectionError':
      return !NOT_CONNECTED.test(message) && !TLS_FAILURE.test(message);
    case 'RequestAbortedError':
      return !ABORTED_BEFORE_SENDING.test(message);
    case 'TimeoutError':
    case 'DeserializationError':
      return true;
    default:
      return false;
  }
}

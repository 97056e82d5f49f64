/**
 * The one timeout rule of every exporter. `timeoutMs` is one request's deadline, given to the
 * backend's client or the HTTP transport, whose own timeout error is the clearer one. The
 * pipeline's deadline for a send (`requestTimeoutMs` of the core) is derived from it, a little
 * later: it is the backstop for a request the client does not end, and covers what a send does
 * around the request (compression, a header provider, a schema check).
 */
export const SEND_DEADLINE_GRACE_MS = 1_000;

export const DEFAULT_TIMEOUT_MS = 30_000;

export function sendDeadlineMs(timeoutMs: number): number {
  return timeoutMs + SEND_DEADLINE_GRACE_MS;
}

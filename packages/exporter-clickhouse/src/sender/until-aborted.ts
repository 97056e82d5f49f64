import type { InsertFailure } from './classify';

/**
 * A preparation shared by all sends (creating the schema, reading column types) is awaited by
 * each only until its own deadline: a stalled request fails the send that waits for it,
 * retryably, instead of holding it past `timeoutMs`.
 */
export function untilAborted(
  preparing: Promise<InsertFailure | undefined>,
  signal: AbortSignal,
): Promise<InsertFailure | undefined> {
  const stalled = (): InsertFailure => ({
    retryable: true,
    backpressure: true,
    hostFault: false,
    reason: 'the schema request did not answer within the request deadline',
  });
  if (signal.aborted) return Promise.resolve(stalled());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(stalled());
    signal.addEventListener('abort', onAbort, { once: true });
    preparing.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` every 5 ms until it holds; rejects naming `what` after `timeoutMs`. For a
 * test that waits on something it cannot be told of (a request reaching a sink, a background
 * fsync), without asserting how long it took.
 */
export async function eventually(
  condition: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(5);
  }
}

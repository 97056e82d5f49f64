import type { Signal } from '../snippets';

/**
 * How many records of a signal a running integration backend holds, read through its own query
 * API: the smoke test counts before and after a README snippet runs, so the snippet passes only
 * when data of each signal it sets up arrived.
 */
export interface BackendCounter {
  /** The signals the backend stores. */
  signals: Signal[];
  count(url: string, signal: Signal): Promise<number>;
}

const QUERY_TIMEOUT_MS = 10_000;

/** The body of a GET that must answer 200; throws with the status and body otherwise. */
export async function getText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`GET ${url}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  return text;
}

import type { TestContext } from 'node:test';
import { backendUrl } from '../../src/env';
import { FAKE_NAME } from '../../src/fakes/dynatrace-fake';
import type { MetricRequest, StoredLine, StoredOtlp } from '../../src/fakes/dynatrace-fake';

/*
 * The Dynatrace tests reach otelpack's Dynatrace ingest fake (FAKE: no Dynatrace environment or
 * OneAgent can run here), launched by the harness natively or as the dynatrace-fake compose
 * service. Each test reads back what the fake took, by metric key or request headers of its own.
 */

export const ID = 'dynatrace';
export const FAST = { flushIntervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200 };

export async function fakeUrl(t: TestContext): Promise<string | undefined> {
  const url = backendUrl(t, ID);
  if (!url) return undefined;
  const answer = await fetch(url).then(
    (r) => r.text(),
    () => '',
  );
  if (!answer.includes(FAKE_NAME)) throw new Error(`${url} is not the Dynatrace ingest fake`);
  return url;
}

async function get<T>(url: string): Promise<T> {
  const response = await fetch(url);
  return (await response.json()) as T;
}

export function storedLines(url: string): Promise<StoredLine[]> {
  return get(`${url}/_otelpack_fake/lines`);
}

export function metricRequests(url: string): Promise<MetricRequest[]> {
  return get(`${url}/_otelpack_fake/requests`);
}

export function storedOtlp(url: string, signal: 'traces' | 'logs'): Promise<StoredOtlp[]> {
  return get(`${url}/_otelpack_fake/otlp?signal=${signal}`);
}

/** Lines with keys under `prefix` are refused by the fake with `error`, until cleared. */
export async function refuse(url: string, keyPrefix: string, error: string): Promise<void> {
  await fetch(`${url}/_otelpack_fake/refuse`, {
    method: 'POST',
    body: JSON.stringify({ keyPrefix, error }),
  });
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isOtelpackFake } from '../../src/fake-probe';

/*
 * Reading back what the exporter wrote, through Elasticsearch's own HTTP API (`_refresh`,
 * `_search`), so the same helpers serve the fake and a real Elasticsearch.
 */

export interface Hit {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
}

async function call<T>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(path, url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Every document of `target` (a data stream, index or pattern), refreshed first. */
export async function searchAll(
  url: string,
  target: string,
  query: object = { match_all: {} },
): Promise<Hit[]> {
  const refreshed = await call(
    url,
    'POST',
    `/${target}/_refresh?ignore_unavailable=true&allow_no_indices=true`,
  );
  assert.ok(
    refreshed.status === 200 || refreshed.status === 404,
    `refresh ${target}: ${refreshed.status}`,
  );
  const answer = await call<{ hits: { hits: Hit[] } }>(
    url,
    'POST',
    `/${target}/_search?ignore_unavailable=true&allow_no_indices=true`,
    { query, size: 10_000, track_total_hits: true },
  );
  assert.equal(answer.status, 200, `search ${target}: ${JSON.stringify(answer.body)}`);
  return answer.body.hits.hits;
}

export async function getJson<T>(url: string, path: string): Promise<{ status: number; body: T }> {
  return call<T>(url, 'GET', path);
}

/** The fake names itself in its root's tagline; Elasticsearch's says "You Know, for Search". */
export function isFake(url: string): Promise<boolean> {
  return isOtelpackFake(url, /"tagline"\s*:\s*"[^"]*otelpack/);
}

/** Scripts the fake's faults for the run's own indices only (`index` scope). */
export async function setFaults(url: string, scope: string, faults: object): Promise<void> {
  const answer = await call(url, 'POST', '/_otelpack_fake/faults', { index: scope, ...faults });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

export async function clearFaults(url: string): Promise<void> {
  await call(url, 'DELETE', '/_otelpack_fake/faults');
}

export interface FakeStats {
  bulk: {
    requests: number;
    items: number;
    created: number;
    conflicts: number;
    rejected: number;
    mappingErrors: number;
    stalls: number;
  };
}

export async function fakeStats(url: string): Promise<FakeStats> {
  return (await call<FakeStats>(url, 'GET', '/_otelpack_fake/stats')).body;
}

/** The fake's documented item selector: SHA-1 of the source line, first 4 bytes / 2^32. */
export function hashFraction(sourceLine: string): number {
  return createHash('sha1').update(sourceLine).digest().readUInt32BE(0) / 2 ** 32;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

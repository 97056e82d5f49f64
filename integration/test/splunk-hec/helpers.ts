import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { PipelineStats } from '@otelpack/batching-core';
import { backendUrl } from '../../src/env';
import { isOtelpackFake } from '../../src/fake-probe';
import { FAKE_NAME, HARNESS_TOKEN } from '../../src/fakes/hec-fake';
import type { HecFault, HecStoredEvent, HecTokenConfig } from '../../src/fakes/hec-fake';

/*
 * The HEC integration tests reach otelpack's HEC fake (native run) or a real Splunk
 * (OTELPACK_IT_DOCKER=1, token SPLUNK_HEC_TOKEN). Against both they check what the exporter says
 * it delivered; against the fake they also read back what it stored, with a token of their own,
 * and script faults.
 */

export const ID = 'splunk_hec';
export const FAST = { flushIntervalMs: 20, initialBackoffMs: 20, maxBackoffMs: 200 };

export interface Target {
  url: string;
  token: string;
  fake: boolean;
}

/**
 * The HEC URL and a token: on the fake a fresh one with `config`; on a real Splunk the compose
 * token (`fakeOnly` tests skip there).
 */
export async function hecTarget(
  t: TestContext,
  config: Omit<HecTokenConfig, 'token'> = {},
  fakeOnly = true,
): Promise<Target | undefined> {
  const url = backendUrl(t, ID);
  if (!url) return undefined;
  const fake = await isOtelpackFake(url, FAKE_NAME);
  if (!fake) {
    if (fakeOnly) {
      t.skip('needs the otelpack HEC fake (read-back, scripted faults); this is a real Splunk');
      return undefined;
    }
    return { url, token: process.env.SPLUNK_HEC_TOKEN ?? HARNESS_TOKEN, fake };
  }
  const token = randomUUID();
  await admin(url, '/_otelpack_fake/tokens', { token, ...config });
  return { url, token, fake };
}

async function admin(url: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201, await response.text());
}

export function addFaults(target: Target, faults: HecFault[]): Promise<void> {
  return admin(target.url, '/_otelpack_fake/faults', { token: target.token, faults });
}

export async function storedEvents(target: Target): Promise<HecStoredEvent[]> {
  const response = await fetch(new URL(`/_otelpack_fake/events?token=${target.token}`, target.url));
  assert.equal(response.status, 200);
  return (await response.json()) as HecStoredEvent[];
}

export async function fakeStats(target: Target): Promise<{
  requests: number;
  refused: number;
  refusedByCode: Record<string, number>;
  ackQueries: number;
}> {
  const response = await fetch(new URL(`/_otelpack_fake/stats?token=${target.token}`, target.url));
  return (await response.json()) as Awaited<ReturnType<typeof fakeStats>>;
}

export function assertAllDelivered(stats: PipelineStats, count: number): void {
  assert.equal(stats.accepted, count, JSON.stringify(stats));
  assert.equal(stats.delivered, count, JSON.stringify(stats));
  assert.equal(stats.pending, 0);
  assert.equal(stats.droppedTotal, 0, JSON.stringify(stats.dropped));
}

/** A log record as the SDK hands it to an exporter, with `body`. */
export const sdkLogItem = (body: string) => ({
  hrTime: [1_700_000_000, 0],
  hrTimeObserved: [1_700_000_000, 0],
  body,
  resource: { attributes: {} },
  instrumentationScope: { name: 'it-hec' },
  attributes: {},
  droppedAttributesCount: 0,
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadLetter } from '@otelpack/batching-core';
import { VictoriaMetricsExporter } from '@otelpack/exporter-victoriametrics';
import type { TimeSeries } from '@otelpack/exporter-victoriametrics';
import { deliveryLetter } from '@otelpack/batching-core/testing';
import { backendUrl } from '../../src/env';
import { instantQuery, pollInstantQuery } from '../../src/protocols/promql';
import { counterNow, exportFlushAndShutdown } from './helpers';

/*
 * REAL backend: Prometheus, sent remote write 2.0 (`remoteWriteVersion: '2.0'`). Which answer is
 * right depends on the receiver, read from its build info:
 * - Prometheus 2.54 and later take io.prometheus.write.v2.Request (3.x by default, as the compose
 *   service runs it): the counter is stored and read back as sent.
 * - Before 2.54 (the Debian package here, 2.42) Prometheus reads any body as a 1.0 WriteRequest:
 *   a 2.0 body reads as an empty request, answered 204 with nothing stored. The exporter must
 *   not count that as delivered (remote write 2.0 specification, "Required Written Response
 *   Headers": no X-Prometheus-Remote-Write-*-Written header on a 2xx is a 415): every series is
 *   dropped as `rejected`, with the way out in the reason, and the query shows why.
 */

async function prometheusVersion(url: string): Promise<[number, number, string]> {
  const response = await fetch(`${url}/api/v1/status/buildinfo`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { data?: { version?: string } };
  const version = body.data?.version ?? '';
  const match = /^(\d+)\.(\d+)\./.exec(version);
  assert.ok(match, `Prometheus build info without a version: ${JSON.stringify(body)}`);
  return [Number(match[1]), Number(match[2]), version];
}

describe('prometheus (real): remote write 2.0', () => {
  it('stored by a receiver that takes 2.0; refused, not counted delivered, by one that does not', async (t) => {
    const url = backendUrl(t, 'prometheus');
    if (!url) return;
    const [major, minor, version] = await prometheusVersion(url);
    const takes2 = major > 2 || (major === 2 && minor >= 54);

    const job = `otelpack_it_rw2_${Date.now()}`;
    const letters: DeadLetter<TimeSeries>[] = [];
    const exporter = new VictoriaMetricsExporter({
      url,
      remoteWriteVersion: '2.0',
      flushIntervalMs: 100,
      deadLetter: (letter) => void letters.push(deliveryLetter(letter)),
    });
    await exportFlushAndShutdown(
      exporter,
      counterNow({ job, scope: { name: 'it.rw2' }, name: 'it.orders', value: 17 }),
    );
    const stats = exporter.pipeline.stats();
    const expr = `it_orders_total{job="${job}"}`;

    if (takes2) {
      assert.equal(
        stats.delivered,
        stats.accepted,
        `Prometheus ${version}: ${JSON.stringify(letters)}`,
      );
      const result = await pollInstantQuery(url, expr);
      assert.equal(result.length, 1, `${expr} → ${JSON.stringify(result)}`);
      assert.equal(Number(result[0].value[1]), 17);
      return;
    }

    assert.ok(stats.accepted > 0);
    assert.equal(stats.delivered, 0, `Prometheus ${version} took a 2.0 request as delivered`);
    assert.equal(stats.dropped.rejected, stats.accepted);
    assert.equal(letters.length, 1);
    assert.equal(letters[0].reason, 'rejected');
    assert.match(
      letters[0].items[0].detail,
      /HTTP 204 without X-Prometheus-Remote-Write-Samples-Written .*nothing written: the receiver does not take remote write 2\.0/,
    );
    // What the check is for: the receiver's 204 stored nothing.
    assert.deepEqual(await instantQuery(url, expr), []);
  });
});

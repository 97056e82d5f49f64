import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import { ClickHouseSpanExporter } from '@otelpack/exporter-clickhouse';
import { clickhouse } from '../../src/backends/clickhouse';
import { startBackend, stopBackend } from '../../src/launcher';
import type { RunningBackend } from '../../src/launcher';
import { makeSpans } from './spans';
import { select, uniqueDatabase } from './support';

/*
 * REAL engine behind the harness's HTTP front, started here with a password (the shared one has
 * none): credentials from the URL work, a wrong password is refused by ClickHouse with its own
 * code and never shows up in what the exporter reports. Also async inserts, waited for.
 */

const PASSWORD = 's3cr3t!p@ss';
let backend: RunningBackend | undefined;

before(async () => {
  if (process.env.CI !== 'true' && !process.env.OTELPACK_IT_CLICKHOUSE_URL) return;
  backend = await startBackend({
    ...clickhouse,
    id: 'clickhouse-auth',
    command: (context) => {
      const launch = clickhouse.command(context);
      return { ...launch, args: [...launch.args, '--password', PASSWORD] };
    },
  });
});

after(async () => {
  if (backend) await stopBackend(backend);
});

test('credentials in the URL, a refused password, and async inserts', async (t) => {
  if (!backend) {
    t.skip('runs with the other ClickHouse integration tests (OTELPACK_IT_CLICKHOUSE_URL)');
    return;
  }
  const url = new URL(backend.url);
  url.username = 'default';
  url.password = PASSWORD;
  const database = uniqueDatabase('it_auth');

  const good = new ClickHouseSpanExporter({
    url: url.href,
    database,
    asyncInsert: true,
    flushIntervalMs: 50,
  });
  await new Promise((resolve) => good.export(makeSpans(100, 'auth'), resolve));
  await good.forceFlush();
  assert.equal(good.stats().delivered, 100);

  const details: string[] = [];
  const bad = new ClickHouseSpanExporter({
    url: backend.url,
    auth: { username: 'default', password: 'hunter2-wrong' },
    database,
    createSchema: false,
    flushIntervalMs: 50,
    deadLetter: (letter) => void details.push(...letter.items.map((item) => item.detail)),
  });
  await new Promise((resolve) => bad.export(makeSpans(3, 'auth-bad'), resolve));
  await bad.forceFlush();
  assert.equal(bad.stats().dropped.rejected, 3);
  assert.equal(bad.stats().retries, 0, 'a refused password is not retried');
  assert.match(details[0], /^ClickHouse error 516 AUTHENTICATION_FAILED \(HTTP 403\): /);
  assert.ok(!details.some((detail) => detail.includes('hunter2-wrong')));

  const client = createClient({ url: backend.url, password: PASSWORD });
  try {
    const [row] = await select<{ n: string }>(
      client,
      `SELECT count() AS n FROM \`${database}\`.otel_traces`,
    );
    assert.equal(row.n, '100');
  } finally {
    await client.close();
    await Promise.all([good.shutdown(), bad.shutdown()]);
  }
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { createNdjsonDeadLetterWriter } from '../src/pipeline/dead-letter';
import { InvalidConfigError } from '../src/errors';
import type { DeadLetter, DropReason } from '../src/types';

let dir: string;
const diagErrors: string[] = [];
const logger: DiagLogger = {
  error: (message: string) => void diagErrors.push(message),
  warn: () => {},
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otelpack-dead-letter-'));
  diag.setLogger(logger, DiagLogLevel.ERROR);
});
after(async () => {
  diag.disable();
  await rm(dir, { recursive: true, force: true });
});

async function lines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function letter<R>(
  records: R[],
  reason: DropReason = 'rejected',
  detail = 'HTTP 400: bad',
): DeadLetter<R> {
  return {
    stage: 'delivery',
    exporter: 'elasticsearch',
    signal: 'logs',
    reason,
    items: records.map((record) => ({ record, detail })),
  };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('createNdjsonDeadLetterWriter', () => {
  test('a mapping letter is written as one line per SDK item, under "item"', async () => {
    const path = join(dir, 'mapping.ndjson');
    const write = createNdjsonDeadLetterWriter<never>({ path });
    await write({
      stage: 'mapping',
      exporter: 'clickhouse',
      signal: 'metrics',
      reason: 'rejected',
      items: [{ item: { name: 'http.requests', value: 'NaN' }, detail: 'not a number' }],
    });
    await write.flush();
    const [line] = await lines(path);
    const { time: _time, ...rest } = line;
    assert.deepEqual(rest, {
      exporter: 'clickhouse',
      signal: 'metrics',
      reason: 'rejected',
      stage: 'mapping',
      detail: 'not a number',
      item: { name: 'http.requests', value: 'NaN' },
    });
  });

  test('one JSON line per record, with exporter, signal, reason, detail and record', async () => {
    const path = join(dir, 'basic.ndjson');
    const write = createNdjsonDeadLetterWriter<{ id: number; msg: string }>({ path });
    await write({
      stage: 'delivery',
      exporter: 'splunk-hec',
      signal: 'traces',
      reason: 'expired',
      items: [
        { record: { id: 1, msg: 'a' }, detail: 'gave up after 5 attempts' },
        { record: { id: 2, msg: 'b "quoted"\nnewline' }, detail: 'gave up after 5 attempts' },
      ],
    });
    await write.flush();
    const got = await lines(path);
    assert.equal(got.length, 2);
    for (const line of got) {
      assert.match(line.time as string, ISO);
      assert.deepEqual(Object.keys(line), [
        'time',
        'exporter',
        'signal',
        'reason',
        'stage',
        'detail',
        'record',
      ]);
    }
    assert.deepEqual(
      got.map(({ time: _time, ...rest }) => rest),
      [
        {
          exporter: 'splunk-hec',
          signal: 'traces',
          reason: 'expired',
          stage: 'delivery',
          detail: 'gave up after 5 attempts',
          record: { id: 1, msg: 'a' },
        },
        {
          exporter: 'splunk-hec',
          signal: 'traces',
          reason: 'expired',
          stage: 'delivery',
          detail: 'gave up after 5 attempts',
          record: { id: 2, msg: 'b "quoted"\nnewline' },
        },
      ],
    );
    assert.equal(write.written, 2);
    assert.equal(write.failed, 0);
  });

  test('creates missing folders', async () => {
    const path = join(dir, 'a', 'b', 'c', 'dead.ndjson');
    const write = createNdjsonDeadLetterWriter<string>({ path });
    await write(letter(['x']));
    await write.flush();
    assert.deepEqual(
      (await lines(path)).map((l) => l.record),
      ['x'],
    );
  });

  test('appends to an existing file', async () => {
    const path = join(dir, 'existing.ndjson');
    await writeFile(path, '{"old":true}\n');
    const write = createNdjsonDeadLetterWriter<number>({ path });
    await write(letter([1]));
    await write.flush();
    const got = await lines(path);
    assert.deepEqual(got[0], { old: true });
    assert.equal(got[1].record, 1);
  });

  test('keeps the order of drops across many writes not awaited', async () => {
    const path = join(dir, 'order.ndjson');
    const write = createNdjsonDeadLetterWriter<number>({ path });
    const expected: number[] = [];
    const pending: (void | Promise<void>)[] = [];
    let n = 0;
    for (let w = 0; w < 200; w++) {
      const size = (w % 5) + 1;
      const records = Array.from({ length: size }, () => n++);
      expected.push(...records);
      pending.push(write(letter(records, w % 2 === 0 ? 'rejected' : 'expired', `letter ${w}`)));
    }
    await write.flush();
    const got = await lines(path);
    assert.deepEqual(
      got.map((l) => l.record),
      expected,
    );
    // Each line kept its own letter's reason and detail.
    let index = 0;
    for (let w = 0; w < 200; w++) {
      for (let i = 0; i < (w % 5) + 1; i++, index++) {
        assert.equal(got[index].detail, `letter ${w}`);
        assert.equal(got[index].reason, w % 2 === 0 ? 'rejected' : 'expired');
      }
    }
    assert.equal(write.written, expected.length);
    assert.equal(write.failed, 0);
    await Promise.all(pending);
  });

  test('BigInts are written as strings, nested too', async () => {
    const path = join(dir, 'bigint.ndjson');
    const write = createNdjsonDeadLetterWriter<unknown>({ path });
    await write(letter([{ value: 12345678901234567890n, nested: { list: [1n, -2n] } }, 7n]));
    await write.flush();
    const got = await lines(path);
    assert.deepEqual(
      got.map((l) => l.record),
      [{ value: '12345678901234567890', nested: { list: ['1', '-2'] } }, '7'],
    );
  });

  test('a cyclic record still leaves a line, with record null and the error', async () => {
    const path = join(dir, 'cyclic.ndjson');
    const write = createNdjsonDeadLetterWriter<unknown>({ path });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    await write(letter(['before', cyclic, 'after']));
    await write.flush();
    const got = await lines(path);
    assert.equal(got.length, 3);
    assert.equal(got[0].record, 'before');
    assert.equal(got[1].record, null);
    assert.equal(got[1].reason, 'rejected');
    assert.equal(got[1].exporter, 'elasticsearch');
    assert.equal(got[1].detail, 'HTTP 400: bad');
    assert.match(got[1].serializeError as string, /circular/i);
    assert.equal(got[2].record, 'after');
    assert.equal(write.written, 3);
  });

  test('serialize turns records into what is written', async () => {
    const path = join(dir, 'serialize.ndjson');
    const write = createNdjsonDeadLetterWriter<{ id: number; secretPayload: string }>({
      path,
      serialize: (r) => ({ id: r.id }),
    });
    await write(
      letter([
        { id: 1, secretPayload: 'x' },
        { id: 2, secretPayload: 'y' },
      ]),
    );
    await write.flush();
    assert.deepEqual(
      (await lines(path)).map((l) => l.record),
      [{ id: 1 }, { id: 2 }],
    );
  });

  test('a serialize that throws still leaves a line per record, and does not throw', async () => {
    const path = join(dir, 'serialize-throws.ndjson');
    const write = createNdjsonDeadLetterWriter<number>({
      path,
      serialize: (r) => {
        if (r === 2) throw new Error('cannot serialise 2');
        return r;
      },
    });
    let result: void | Promise<void> = undefined;
    assert.doesNotThrow(() => {
      result = write(letter([1, 2, 3]));
    });
    await result;
    await write.flush();
    const got = await lines(path);
    assert.deepEqual(
      got.map((l) => l.record),
      [1, null, 3],
    );
    assert.match(got[1].serializeError as string, /cannot serialise 2/);
    assert.equal(write.written, 3);
  });

  test('an unwritable path (under a regular file) is counted in failed and never throws', async () => {
    const file = join(dir, 'regular-file');
    await writeFile(file, 'not a folder');
    const path = join(file, 'dead.ndjson');
    diagErrors.length = 0;
    const write = createNdjsonDeadLetterWriter<number>({ path });
    // Neither a synchronous throw nor a rejected promise.
    const first = write(letter([1, 2, 3]));
    const second = write(letter([4]));
    await assert.doesNotReject(Promise.resolve(first));
    await assert.doesNotReject(Promise.resolve(second));
    await assert.doesNotReject(write.flush());
    assert.equal(write.failed, 4);
    assert.equal(write.written, 0);
    // The failures were reported through diag, naming the file.
    assert.ok(
      diagErrors.some((m) => m.includes(path) && m.includes('3 lines')),
      diagErrors.join(' | '),
    );
    assert.ok(
      diagErrors.some((m) => m.includes(path) && m.includes('1 lines')),
      diagErrors.join(' | '),
    );
  });

  test('flush() resolves at once with nothing written, and after every letter otherwise', async () => {
    const path = join(dir, 'flush.ndjson');
    const write = createNdjsonDeadLetterWriter<number>({ path });
    await write.flush();
    assert.equal(write.written, 0);
    for (let i = 0; i < 20; i++) void write(letter([i]));
    assert.equal(write.written, 0, 'nothing is on disk synchronously');
    await write.flush();
    assert.equal(write.written, 20);
    assert.equal((await lines(path)).length, 20);
    // A second flush with nothing new is still fine.
    await write.flush();
    assert.equal(write.written, 20);
  });

  const invalid: { name: string; options: unknown }[] = [
    { name: 'no options', options: undefined },
    { name: 'empty path', options: { path: '' } },
    { name: 'numeric path', options: { path: 42 } },
  ];
  for (const c of invalid) {
    test(`invalid config: ${c.name}`, () => {
      assert.throws(
        () => createNdjsonDeadLetterWriter(c.options as { path: string }),
        (error: unknown) =>
          error instanceof InvalidConfigError &&
          error.option === 'path' &&
          error.code === 'OTELPACK_ERR_INVALID_CONFIG',
      );
    });
  }
});

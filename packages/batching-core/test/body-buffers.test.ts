import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BodyBuffers } from '../src';

/*
 * The buffers request bodies are written into, kept from one request to the next (OTLP,
 * ClickHouse and Elasticsearch senders; each sender's own test checks what it sends from them).
 */
const KIB = 1024;
const MIB = 1024 * KIB;
/** body-buffers.ts's window of recent demand, in takes. */
const WINDOW_TAKES = 16;

/** Takes and gives back `count` bodies of `bytes`, one at a time. */
function takeAndGive(buffers: BodyBuffers, bytes: number, count: number): void {
  for (let i = 0; i < count; i++) buffers.give(buffers.take(bytes));
}

describe('BodyBuffers', () => {
  it('hands back a kept buffer large enough, and allocates otherwise', () => {
    const buffers = new BodyBuffers({ keep: 2 });
    const first = buffers.take(100);
    assert.ok(first.length >= 100);
    buffers.give(first);
    assert.equal(buffers.take(50), first);
    assert.equal(buffers.kept, 0);
    buffers.give(first);
    const larger = buffers.take(first.length + 1);
    assert.notEqual(larger, first);
    assert.equal(buffers.kept, 1, 'the smaller one stays kept');
    buffers.give(larger);
    buffers.give(Buffer.alloc(10));
    assert.equal(buffers.kept, 2, 'no more than `keep`');
    buffers.close();
  });

  it('hands back the smallest kept buffer that fits, leaving the larger for a larger body', () => {
    // Given back in both orders: neither the first nor the last that fits is the answer.
    for (const order of [
      ['small', 'middle', 'large'],
      ['large', 'middle', 'small'],
    ] as const) {
      const buffers = new BodyBuffers();
      const taken = {
        small: buffers.take(100 * KIB),
        large: buffers.take(500 * KIB),
        middle: buffers.take(300 * KIB),
      };
      for (const name of order) buffers.give(taken[name]);
      assert.equal(buffers.take(200 * KIB), taken.middle, order.join());
      assert.equal(buffers.take(50 * KIB), taken.small, order.join());
      assert.equal(buffers.take(400 * KIB), taken.large, order.join());
      buffers.close();
    }
  });

  it('lets a larger buffer given back take the smallest one’s place when `keep` are kept', () => {
    const buffers = new BodyBuffers({ keep: 2 });
    const smalls = [buffers.take(10 * KIB), buffers.take(10 * KIB)];
    const large = buffers.take(5 * MIB);
    for (const small of smalls) buffers.give(small);
    buffers.give(large);
    assert.deepEqual(
      buffers.keptBytes.sort((a, b) => a - b),
      [64 * KIB, 80 * 64 * KIB],
    );
    assert.equal(buffers.take(5 * MIB), large, 'the next large body reuses it');
    buffers.give(large);
    const extra = Buffer.alloc(64 * KIB);
    buffers.give(extra);
    assert.equal(buffers.kept, 2);
    const reused = buffers.take(1);
    assert.ok(smalls.includes(reused), 'one no larger than every kept one does not take a place');
    buffers.close();
  });

  it('keeps a buffer of exactly twice the recent demand, and lets one larger go', () => {
    const buffers = new BodyBuffers();
    const twice = buffers.take(2 * MIB);
    const past = buffers.take(2 * MIB + 64 * KIB);
    takeAndGive(buffers, 1 * MIB, 2 * WINDOW_TAKES);
    buffers.give(twice);
    buffers.give(past);
    assert.deepEqual(
      buffers.keptBytes.sort((a, b) => a - b),
      [1 * MIB, 2 * MIB],
    );
    buffers.close();
  });

  it('counts a large body as demand at once, within its window', () => {
    const buffers = new BodyBuffers();
    takeAndGive(buffers, 100 * KIB, WINDOW_TAKES + 3);
    const large = buffers.take(5 * MIB);
    buffers.give(large);
    assert.ok(buffers.keptBytes.includes(large.length), 'kept in the window it was taken in');
    assert.equal(buffers.take(5 * MIB), large);
    buffers.close();
  });

  it('takes 64 KiB for an empty body, and keeps 4 buffers of at most 8 MiB by default', () => {
    const buffers = new BodyBuffers();
    assert.equal(buffers.take(0).length, 64 * KIB);
    const many = Array.from({ length: 6 }, () => buffers.take(8 * MIB));
    for (const buffer of many) buffers.give(buffer);
    assert.equal(buffers.kept, 4);
    buffers.give(buffers.take(8 * MIB + 1));
    assert.equal(buffers.kept, 4, 'nothing over 8 MiB');
    assert.deepEqual(buffers.keptBytes, [8 * MIB, 8 * MIB, 8 * MIB, 8 * MIB]);
    buffers.close();
  });

  it('keeps nothing given back after close(): a request answered late', () => {
    const buffers = new BodyBuffers();
    const inFlight = buffers.take(1 * MIB);
    buffers.give(buffers.take(1 * MIB));
    buffers.close();
    assert.equal(buffers.kept, 0);
    buffers.giveAfterAnswer(inFlight, 200);
    assert.equal(buffers.kept, 0);
  });

  it('keeps none larger than its bound, and sizes new buffers in 64 KiB steps', () => {
    const buffers = new BodyBuffers({ keep: 4, largestBytes: 128 * KIB });
    const small = buffers.take(1);
    assert.equal(small.length, 64 * KIB);
    assert.equal(buffers.take(64 * KIB + 1).length, 128 * KIB);
    const large = buffers.take(128 * KIB + 1);
    assert.equal(large.length, 192 * KIB);
    buffers.give(large);
    assert.equal(buffers.kept, 0, 'over largestBytes: not kept');
    buffers.give(small);
    assert.equal(buffers.kept, 1);
    buffers.close();
  });

  it('takes a body back after a 2xx answer only: any other outcome may leave it in the transport', () => {
    const rows: [number | undefined, number][] = [
      [200, 1],
      [204, 1],
      [299, 1],
      [199, 0],
      [300, 0],
      [413, 0],
      [503, 0],
      [undefined, 0],
    ];
    for (const [status, kept] of rows) {
      const buffers = new BodyBuffers();
      buffers.giveAfterAnswer(buffers.take(10), status);
      assert.equal(buffers.kept, kept, `status ${status}`);
      buffers.close();
    }
    const buffers = new BodyBuffers();
    buffers.giveAfterAnswer(undefined, 200);
    assert.equal(buffers.kept, 0, 'nothing taken, nothing kept');
  });

  it('lets a burst’s buffers go once the requests are small again, within two windows of takes', () => {
    const buffers = new BodyBuffers();
    const burst = [0, 1, 2, 3].map(() => buffers.take(5 * MIB));
    for (const buffer of burst) buffers.give(buffer);
    assert.deepEqual(
      buffers.keptBytes,
      [80, 80, 80, 80].map((steps) => steps * 64 * KIB),
    );
    // Small bodies reuse a large buffer while the burst is recent demand…
    takeAndGive(buffers, 100 * KIB, WINDOW_TAKES - 4);
    assert.equal(buffers.kept, 4, 'the burst is within this window');
    takeAndGive(buffers, 100 * KIB, WINDOW_TAKES - 1);
    assert.equal(buffers.kept, 4, 'and within the window before');
    // …and once a whole window of them has passed the burst's, none of its buffers is kept.
    takeAndGive(buffers, 100 * KIB, 1);
    assert.deepEqual(buffers.keptBytes, [128 * KIB], 'a buffer sized for the small bodies');
    buffers.close();
  });

  it('keeps a large buffer while large bodies are among the recent ones, whatever comes between', () => {
    const buffers = new BodyBuffers();
    for (let round = 0; round < 4 * WINDOW_TAKES; round++) {
      const large = buffers.take(5 * MIB);
      buffers.give(large);
      takeAndGive(buffers, 10 * KIB, 3);
      assert.ok(
        buffers.keptBytes.includes(large.length),
        `round ${round}: the large buffer stays kept`,
      );
      assert.equal(buffers.take(5 * MIB), large, `round ${round}: and is reused`);
      buffers.give(large);
    }
    buffers.close();
  });

  it('does not keep a buffer given back more than twice the size of every recent body', () => {
    const buffers = new BodyBuffers();
    const large = buffers.take(2 * MIB);
    takeAndGive(buffers, 100 * KIB, 2 * WINDOW_TAKES);
    buffers.give(large);
    assert.deepEqual(buffers.keptBytes, [128 * KIB], 'the large one, answered late, is not kept');
    buffers.close();
  });

  it('lets every kept buffer go after an idle spell, and keeps them while bodies are taken', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const idleReleaseMs = 30_000; // the default
    const buffers = new BodyBuffers();
    takeAndGive(buffers, 1 * MIB, 1);
    t.mock.timers.tick(idleReleaseMs - 1);
    takeAndGive(buffers, 1 * MIB, 1);
    t.mock.timers.tick(1);
    assert.equal(buffers.kept, 1, 'a body was taken during the spell: kept');
    t.mock.timers.tick(idleReleaseMs - 1);
    assert.equal(buffers.kept, 1, 'not yet a whole spell without a body');
    t.mock.timers.tick(1);
    assert.equal(buffers.kept, 0, 'a whole spell without a body: let go');
    takeAndGive(buffers, 1 * MIB, 1);
    assert.equal(buffers.kept, 1, 'kept again when bodies come back');
    t.mock.timers.tick(idleReleaseMs);
    assert.equal(buffers.kept, 0, 'and let go again after the next spell');
    buffers.close();
  });

  it('keeps no process alive by its idle timer', () => {
    const core = JSON.stringify(join(__dirname, '..', 'src', 'index.ts'));
    const script = `
      const { BodyBuffers } = require(${core});
      const buffers = new BodyBuffers({ idleReleaseMs: 60000 });
      buffers.give(buffers.take(1024));
      console.log('kept', buffers.kept);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /kept 1/);
  });
});

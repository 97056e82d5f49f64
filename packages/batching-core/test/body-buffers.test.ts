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
    buffers.clear();
  });

  it('hands back the smallest kept buffer that fits, leaving the larger for a larger body', () => {
    const buffers = new BodyBuffers();
    const small = buffers.take(100 * KIB);
    const large = buffers.take(500 * KIB);
    const middle = buffers.take(300 * KIB);
    buffers.give(small);
    buffers.give(middle);
    buffers.give(large);
    assert.equal(buffers.take(200 * KIB), middle);
    assert.equal(buffers.take(50 * KIB), small);
    assert.equal(buffers.take(400 * KIB), large);
    buffers.clear();
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
    buffers.clear();
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
      buffers.clear();
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
    buffers.clear();
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
    buffers.clear();
  });

  it('does not keep a buffer given back more than twice the size of every recent body', () => {
    const buffers = new BodyBuffers();
    const large = buffers.take(2 * MIB);
    takeAndGive(buffers, 100 * KIB, 2 * WINDOW_TAKES);
    buffers.give(large);
    assert.deepEqual(buffers.keptBytes, [128 * KIB], 'the large one, answered late, is not kept');
    buffers.clear();
  });

  it('lets every kept buffer go after an idle spell, and keeps them while bodies are taken', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const idleReleaseMs = 30_000;
    const buffers = new BodyBuffers({ idleReleaseMs });
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
    buffers.clear();
    assert.equal(buffers.kept, 0);
    t.mock.timers.tick(10 * idleReleaseMs);
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

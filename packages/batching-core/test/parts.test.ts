import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { DROP_REASONS, Pipeline } from '../src';
import type { DropReason } from '../src';
import { seededRandom } from '../src/testing';
import { Admission } from '../src/pipeline/admission';
import type { Entry } from '../src/pipeline/entry';
import { FailureWatch } from '../src/pipeline/failure-watch';
import { KeepAlive } from '../src/pipeline/keep-alive';
import { Ledger } from '../src/pipeline/ledger';
import { SelfTelemetry } from '../src/telemetry';
import { ScriptedSender, sleep } from './helpers/scripted-sender';

/*
 * The pipeline's parts, each alone. The assembled pipeline is proven by the black-box suites
 * (pipeline, fault suite, randomized ledger); these pin each part's own contract.
 */

const noTelemetry = () =>
  new SelfTelemetry(undefined, { type: 'test', name: 'test/0' }, 'logs', {
    queuedItems: () => 0,
    queuedBytes: () => 0,
    capacityItems: () => 0,
    capacityBytes: () => 0,
    inFlightRequests: () => 0,
    concurrencyLimit: () => 0,
  });

function entry(seq: number, ticket?: Entry<number>['ticket']): Entry<number> {
  return {
    record: seq,
    bytes: 1,
    seq,
    acceptedAtMs: 0,
    state: 'in_flight',
    shared: undefined,
    ticket,
    spoolId: undefined,
    sentBatch: undefined,
  };
}

describe('ledger', () => {
  test('a queued-mode record evicted by its own submit leaves direct-mode submits their answers', () => {
    // The pipeline ties an entry its own submit evicts to that submit's untracked ticket
    // (acceptingSubmit): settling it must not count as one of the tracked records held.
    const ledger = new Ledger(noTelemetry());
    const queued = ledger.openTicket(false, 0);
    ledger.accept(queued);
    const evicted = entry(ledger.hold(queued), queued);
    ledger.settleDropped([{ entry: evicted, detail: 'evicted by drop_oldest' }], 'queue_full');
    assert.deepEqual(ledger.closeTicket(queued, false)?.dropped, { queue_full: 1 });
    const direct = ledger.openTicket(true, 0);
    ledger.accept(direct);
    const held = entry(ledger.hold(direct), direct);
    assert.equal(ledger.closeTicket(direct, true), undefined, 'waits for its record');
    let answered = false;
    direct.resolve = () => (answered = true);
    ledger.settleDelivered([held]);
    assert.equal(answered, true);
  });

  test('accepted = delivered + dropped + pending after every step of a random sequence', () => {
    const random = seededRandom(7);
    const ledger = new Ledger(noTelemetry());
    const held: Entry<number>[] = [];
    const reasons: readonly DropReason[] = DROP_REASONS;
    let expectedDelivered = 0;
    let expectedDropped = 0;
    for (let step = 0; step < 2_000; step++) {
      const roll = random();
      if (roll < 0.4) {
        const ticket = ledger.openTicket(false, 0);
        const count = Math.floor(random() * 5);
        for (let i = 0; i < count; i++) {
          ledger.accept(ticket);
          if (random() < 0.2) {
            ledger.dropAtDoor(ticket, 'queue_full', 'full');
            expectedDropped++;
          } else {
            held.push(entry(ledger.hold(ticket)));
          }
        }
        ledger.closeTicket(ticket, false);
      } else if (roll < 0.7 && held.length > 0) {
        const settled = held.splice(0, Math.ceil(random() * held.length));
        ledger.settleDelivered(settled);
        expectedDelivered += settled.length;
      } else if (roll < 0.9 && held.length > 0) {
        const settled = held.splice(0, Math.ceil(random() * held.length));
        const reason = reasons[Math.floor(random() * reasons.length)];
        ledger.settleDropped(
          settled.map((e) => ({ entry: e, detail: 'x' })),
          reason,
        );
        expectedDropped += settled.length;
      } else {
        const count = Math.floor(random() * 3);
        ledger.rejectedUnmapped(count, 'unmappable');
        expectedDropped += count;
      }
      assert.equal(ledger.delivered, expectedDelivered);
      assert.equal(ledger.droppedTotal, expectedDropped);
      assert.equal(ledger.pending, held.length, `step ${step}`);
      assert.equal(ledger.accepted, ledger.delivered + ledger.droppedTotal + ledger.pending);
    }
  });

  test('a direct-mode ticket resolves when its last record settles, with its own counts', async () => {
    const ledger = new Ledger(noTelemetry());
    const ticket = ledger.openTicket(true, 0);
    const entries = [0, 1, 2].map(() => {
      ledger.accept(ticket);
      return entry(ledger.hold(ticket), ticket);
    });
    ledger.accept(ticket);
    ledger.dropAtDoor(ticket, 'too_large', 'record of 9 bytes exceeds maxBatchBytes (5)');
    assert.equal(ledger.closeTicket(ticket, true), undefined, 'waits while records are held');
    const settled = new Promise((resolve) => (ticket.resolve = resolve));
    ledger.settleDelivered(entries.slice(0, 2));
    ledger.settleDropped([{ entry: entries[2], detail: 'HTTP 400' }], 'rejected');
    assert.deepEqual(await settled, {
      accepted: 4,
      delivered: 2,
      dropped: { too_large: 1, rejected: 1 },
      pending: 0,
      firstDropDetail: 'too_large: record of 9 bytes exceeds maxBatchBytes (5)',
    });
  });

  test('a barrier opens when the records held at its making are settled, not later ones', () => {
    const ledger = new Ledger(noTelemetry());
    const ticket = ledger.openTicket(false, 0);
    const early = [entry(ledger.hold(ticket)), entry(ledger.hold(ticket))];
    let opened = 0;
    ledger.barrier(ledger.newestSeq, 2, () => opened++);
    const late = entry(ledger.hold(ticket));
    ledger.settleDelivered([late]);
    assert.equal(opened, 0, 'a record accepted after the barrier does not count');
    ledger.settleDelivered([early[0]]);
    assert.equal(opened, 0);
    ledger.settleDropped([{ entry: early[1], detail: 'x' }], 'expired');
    assert.equal(opened, 1);
    ledger.settleDelivered([entry(ledger.hold(ticket))]);
    assert.equal(opened, 1, 'opens once');
  });

  test('a withdrawn barrier never opens', () => {
    const ledger = new Ledger(noTelemetry());
    const ticket = ledger.openTicket(false, 0);
    const held = entry(ledger.hold(ticket));
    let opened = false;
    const withdraw = ledger.barrier(ledger.newestSeq, 1, () => (opened = true));
    withdraw();
    ledger.settleDelivered([held]);
    assert.equal(opened, false);
  });
});

describe('admission', () => {
  const keepAlive = new KeepAlive();

  test('room is counted by items and by held bytes', () => {
    const admission = new Admission(2, 100, 'drop_newest', keepAlive, Date.now);
    assert.equal(admission.hasRoom(100), true);
    assert.equal(admission.hasRoom(101), false);
    admission.admit(60);
    assert.equal(admission.hasRoom(40), true);
    assert.equal(admission.hasRoom(41), false);
    admission.admit(10);
    assert.equal(admission.hasRoom(1), false, 'maxItems reached');
    admission.release(60);
    assert.equal(admission.hasRoom(90), true);
    assert.equal(admission.describeFull(), 'queue full (1/2 records, 10/100 bytes)');
  });

  test('a shared part is counted with its first holder and taken off with its last, every time', () => {
    const admission = new Admission(10, 10_000, 'drop_newest', keepAlive, Date.now);
    const part = { wireBytes: 1, heldBytes: 500 };
    const other = { wireBytes: 1, heldBytes: 70 };
    assert.equal(admission.needed(10, part), 510);
    admission.admit(10, part);
    admission.admit(10, part);
    assert.equal(admission.needed(10, part), 10, 'held: only its own bytes');
    assert.equal(admission.hasRoom(10_000 - 520, part), true);
    assert.equal(admission.hasRoom(10_000 - 520, other), false, 'another part needs its bytes too');
    admission.admit(10, other);
    admission.release(10, part);
    assert.equal(admission.heldBytes, 10 + 500 + 10 + 70, 'one record still refers to it');
    admission.release(10, part);
    assert.equal(admission.heldBytes, 10 + 70);
    // Counted again when it comes back (not from a count that was taken off).
    admission.admit(10, part);
    assert.equal(admission.heldBytes, 10 + 70 + 510);
    admission.releaseMany(2, 20);
    admission.releasePart(part);
    admission.releasePart(other);
    assert.equal(admission.heldBytes, 0);
    assert.equal(admission.heldItems, 0);
  });

  test('a waiter for room wakes when woken, and at its deadline otherwise', async () => {
    const admission = new Admission(1, 100, 'block', keepAlive, Date.now);
    let woke = false;
    const waiting = admission.waitForRoom(Date.now() + 60_000).then(() => (woke = true));
    await sleep(5);
    assert.equal(woke, false);
    admission.wakeWaiters();
    await waiting;
    assert.equal(woke, true);
    const startedMs = Date.now();
    await admission.waitForRoom(startedMs + 30);
    assert.ok(Date.now() - startedMs >= 25, 'waited until the deadline');
  });
});

describe('failure watch', () => {
  test('warns once after warnAfterMs of failed sends, and once on recovery', () => {
    const events: string[] = [];
    const watch = new FailureWatch(
      1_000,
      (ms, reason) => events.push(`failing ${ms} ${reason}`),
      (ms) => events.push(`recovered ${ms}`),
    );
    const failed = { kind: 'retryable' as const, reason: 'ECONNREFUSED' };
    watch.observe(failed, 0);
    watch.observe(failed, 999);
    assert.deepEqual(events, []);
    watch.observe({ kind: 'retryable', reason: 'HTTP 503' }, 1_000);
    watch.observe(failed, 5_000);
    assert.deepEqual(events, ['failing 1000 HTTP 503']);
    watch.observe({ kind: 'delivered' }, 6_000);
    watch.observe({ kind: 'delivered' }, 7_000);
    assert.deepEqual(events, ['failing 1000 HTTP 503', 'recovered 6000']);
    // A refusal is an answer from a working backend, not an outage.
    watch.observe({ kind: 'permanent', reason: 'HTTP 400' }, 8_000);
    watch.observe(failed, 9_000);
    watch.observe({ kind: 'permanent', reason: 'HTTP 400' }, 9_500);
    watch.observe(failed, 10_000);
    assert.equal(events.length, 2);
  });
});

describe('deadlines and what is said at WARN', () => {
  function captureWarnings(): { lines: string[]; restore: () => void } {
    const lines: string[] = [];
    const log = (message: string) => lines.push(message);
    diag.setLogger(
      { error: () => {}, warn: log, info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    return { lines, restore: () => diag.disable() };
  }

  test("the SDK's forceFlush-then-shutdown ends within shutdownTimeoutMs, with one WARN of what was dropped", async () => {
    const warnings = captureWarnings();
    try {
      // A backend that accepts the request and never answers.
      const sender = new ScriptedSender<number>(() => new Promise(() => {}));
      const p = new Pipeline<number>({
        name: 'stalled',
        signal: 'traces',
        sender,
        shutdownTimeoutMs: 300,
        flushTimeoutMs: 300,
        requestTimeoutMs: 60_000,
      });
      await p.submit([1, 2, 3]);
      const startedMs = Date.now();
      await p.forceFlush();
      await p.shutdown();
      const elapsedMs = Date.now() - startedMs;
      // Flush and shutdown each with its own 300 ms would take 600 ms and more.
      assert.ok(elapsedMs < 300 + 250, `took ${elapsedMs} ms`);
      const stats = p.stats();
      assert.equal(stats.dropped.shutdown, 3);
      const summary = warnings.lines.filter((l) => l.includes('shut down:'));
      assert.equal(summary.length, 1, warnings.lines.join('\n'));
      assert.match(
        summary[0],
        /stalled traces: shut down: 3 records still held at the deadline were dropped; in all 3 accepted, 0 delivered, 3 dropped \(shutdown: 3\)/,
      );
    } finally {
      warnings.restore();
    }
  });

  test('forceFlush during shutdown ends by shutdown’s deadline', async () => {
    const sender = new ScriptedSender<number>(() => new Promise(() => {}));
    const p = new Pipeline<number>({ name: 't', signal: 'logs', sender, flushTimeoutMs: 60_000 });
    await p.submit([1]);
    const shutdown = p.shutdown(200);
    const startedMs = Date.now();
    await p.forceFlush();
    assert.ok(Date.now() - startedMs < 200 + 150, 'bounded by the shutdown deadline, not 60 s');
    await shutdown;
  });

  test('an explicit shutdown timeout is honoured as given, whatever flushed before', async () => {
    const sender = new ScriptedSender<number>((_batch, _ctx, index) =>
      index === 0 ? new Promise(() => {}) : { kind: 'delivered' },
    );
    const p = new Pipeline<number>({ name: 't', signal: 'logs', sender, requestTimeoutMs: 150 });
    await p.submit([1]);
    await p.forceFlush(50);
    // The first send times out at 150 ms and the retry delivers: the explicit 2 s leaves room.
    await p.shutdown(2_000);
    assert.equal(p.stats().delivered, 1);
  });

  test('a backend failing for longer than failureWarnAfterMs is reported once at WARN, with counts', async () => {
    const warnings = captureWarnings();
    try {
      const sender = new ScriptedSender<number>(() => ({
        kind: 'retryable',
        reason: 'ECONNREFUSED',
      }));
      const p = new Pipeline<number>({
        name: 'down',
        signal: 'metrics',
        sender,
        flushIntervalMs: 1,
        initialBackoffMs: 5,
        maxBackoffMs: 5,
        failureWarnAfterMs: 40,
      });
      await p.submit([1, 2]);
      await sleep(150);
      const lines = warnings.lines.filter((l) => l.includes('every send has failed'));
      assert.equal(lines.length, 1, warnings.lines.join('\n'));
      assert.match(
        lines[0],
        /down metrics: every send has failed for \d+ s \(last: ECONNREFUSED\); 2 records held, 0 dropped so far/,
      );
      await p.shutdown(0);
    } finally {
      warnings.restore();
    }
  });
});

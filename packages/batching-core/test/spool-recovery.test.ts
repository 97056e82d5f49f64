import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { seededRandom } from '../src/testing';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../src/spool/format';
import { SpoolLockedError } from '../src';
import { segmentFileName } from '../src/spool/recovery';
import {
  frameStarts,
  openDiskQueue,
  segmentFiles,
  take,
  tempSpoolDir,
  testRecord,
  writeExport,
} from './helpers/spool';
import type { TestRecord } from './helpers/spool';

/** Opens the spool again, as the next process would, and says what it found. */
function reopen(dir: string, segmentBytes = 1 << 20) {
  const queue = openDiskQueue(dir, { segmentBytes });
  const recovery = queue.takeRecovery();
  return {
    queue,
    records: recovery.records.map((r) => r.record),
    corrupt: recovery.corrupt.reduce((n, c) => n + c.count, 0),
    recovery,
  };
}

describe('disk spool: what a restart finds', () => {
  // Collector persistent_queue_test.go TestPersistentQueue_PutCloseReadClose: two items put,
  // the queue closed, both read back in order after reopening.
  test('records written and never taken come back, in order, with their fields', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = openDiskQueue(dir);
      writeExport(first, 1, 2);
      writeExport(first, 3, 1);
      await first.close();
      const { queue, recovery } = reopen(dir);
      assert.deepEqual(
        recovery.records.map((r) => [r.id, r.record, r.bytes, r.acceptedAtWallMs]),
        [
          [1, 'r1', 10, 1_700_000_000_001],
          [2, 'r2', 10, 1_700_000_000_002],
          [3, 'r3', 10, 1_700_000_000_003],
        ],
      );
      await queue.close();
    } finally {
      cleanup();
    }
  });

  // Collector TestPersistentQueueStartWithNonDispatched / TestPersistentQueue_CurrentlyProcessedItems:
  // items being dispatched when the process stopped (taken, not finished) are dispatched again;
  // finished ones are not.
  const cases: { name: string; acknowledged: number[]; expected: string[] }[] = [
    { name: 'taken and never acknowledged', acknowledged: [], expected: ['r1', 'r2', 'r3', 'r4'] },
    { name: 'some acknowledged', acknowledged: [1, 3], expected: ['r2', 'r4'] },
    { name: 'all acknowledged', acknowledged: [1, 2, 3, 4], expected: [] },
  ];
  for (const c of cases) {
    test(`records taken for sending, ${c.name}: only the unacknowledged come back`, async () => {
      const { dir, cleanup } = tempSpoolDir();
      try {
        const first = openDiskQueue(dir);
        writeExport(first, 1, 4);
        const taken = take(first, 4);
        first.acknowledge(taken.filter((r) => c.acknowledged.includes(r.seq)));
        await first.close();
        const { queue, records, corrupt } = reopen(dir);
        assert.deepEqual(records, c.expected);
        assert.equal(corrupt, 0);
        await queue.close();
      } finally {
        cleanup();
      }
    });
  }

  test('a segment whose records are all acknowledged is deleted; the one being written stays', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      for (let i = 0; i < 6; i++) writeExport(queue, i * 3 + 1, 3);
      const segmentsWritten = segmentFiles(dir).length;
      assert.ok(segmentsWritten >= 3, `several segments (${segmentsWritten})`);
      queue.acknowledge(take(queue, 18));
      assert.equal(segmentFiles(dir).length, 1, 'only the active segment is left');
      assert.equal(queue.state().segments, 1);
      await queue.close();
      assert.equal(
        segmentFiles(dir).length,
        0,
        'a clean close removes the acknowledged active one',
      );
      const { queue: again, records } = reopen(dir);
      assert.deepEqual(records, []);
      await again.close();
    } finally {
      cleanup();
    }
  });
});

describe('disk spool: acknowledgement files', () => {
  test('acknowledgements that go back to an earlier segment (a retry finishing late) are all read back', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      for (let i = 0; i < 6; i++) writeExport(queue, i * 3 + 1, 3);
      const records = take(queue, 18);
      // Segment by segment forward, back to the first, forward again: the acknowledgement file
      // kept open changes at every step, and each switch must append after what is there.
      const order = [0, 9, 1, 15, 2, 10, 3, 16, 4, 11];
      for (const i of order) queue.acknowledge([records[i]]);
      await queue.close();
      const { queue: again, records: replayed } = reopen(dir);
      assert.deepEqual(
        replayed,
        records.filter((_, i) => !order.includes(i)).map((r) => r.record),
      );
      await again.close();
    } finally {
      cleanup();
    }
  });

  test('acknowledgements across segments hold at most one file open, and all of them are read back', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const openDescriptors = () => readdirSync('/proc/self/fd').length;
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      for (let i = 0; i < 10; i++) writeExport(queue, i * 3 + 1, 3);
      assert.ok(segmentFiles(dir).length >= 5, `several segments (${segmentFiles(dir).length})`);
      const records = take(queue, 30);
      const before = openDescriptors();
      // Every other record, one acknowledgement each: the files of every segment in turn.
      for (let i = 0; i < records.length; i += 2) queue.acknowledge([records[i]]);
      assert.ok(
        openDescriptors() <= before + 1,
        `${openDescriptors() - before} more descriptors open after acknowledging in every segment`,
      );
      await queue.close();
      const { queue: again, records: replayed } = reopen(dir);
      assert.deepEqual(
        replayed,
        records.filter((_, i) => i % 2 === 1).map((r) => r.record),
      );
      await again.close();
    } finally {
      cleanup();
    }
  });
});

describe('disk spool: damage', () => {
  /** Writes 5 exports of 3 records into one segment and returns the frame offsets. */
  async function fiveExports(
    dir: string,
  ): Promise<{ path: string; starts: number[]; size: number }> {
    const queue = openDiskQueue(dir);
    for (let e = 0; e < 5; e++) writeExport(queue, e * 3 + 1, 3);
    await queue.close();
    const [segment] = segmentFiles(dir);
    const path = join(dir, segment);
    const file = readFileSync(path);
    return { path, starts: frameStarts(file), size: file.length };
  }

  // Collector TestPersistentQueue_CorruptedData: none, some or all items corrupted; the queue
  // starts with what is left. Here damage is counted (`corrupt`) rather than logged away.
  const corruptions: { name: string; frames: number[]; records: number; corrupt: number }[] = [
    { name: 'corrupted no frames', frames: [], records: 15, corrupt: 0 },
    { name: 'corrupted one frame in the middle', frames: [2], records: 12, corrupt: 3 },
    { name: 'corrupted the first and the last frame', frames: [0, 4], records: 9, corrupt: 6 },
    { name: 'corrupted every frame', frames: [0, 1, 2, 3, 4], records: 0, corrupt: 15 },
  ];
  for (const c of corruptions) {
    test(`${c.name}: the damaged records are counted corrupt, the rest replayed, once`, async () => {
      const { dir, cleanup } = tempSpoolDir();
      try {
        const { path, starts } = await fiveExports(dir);
        const file = readFileSync(path);
        // A byte of the payload (past the ids, times and sizes) flipped in each chosen frame.
        for (const f of c.frames) file[starts[f] + FRAME_HEADER_BYTES + 12 + 3 * 12 + 2] ^= 0xff;
        writeFileSync(path, file);
        const first = reopen(dir);
        assert.equal(first.records.length, c.records);
        assert.equal(first.corrupt, c.corrupt);
        await first.queue.close();
        const second = reopen(dir);
        assert.equal(second.corrupt, 0, 'damage is counted once, not at every start');
        assert.equal(second.records.length, c.records);
        await second.queue.close();
      } finally {
        cleanup();
      }
    });
  }

  // Vector known_errors.rs: a data file cut inside a record; on restart the tail is truncated to
  // the last valid record and the valid records are read.
  test('the last segment cut at random offsets: whole frames replayed, the cut one counted corrupt', async () => {
    const random = seededRandom(17);
    for (let round = 0; round < 12; round++) {
      const { dir, cleanup } = tempSpoolDir();
      try {
        const { path, starts, size } = await fiveExports(dir);
        const cut =
          SEGMENT_HEADER_BYTES + 1 + Math.floor(random() * (size - SEGMENT_HEADER_BYTES - 1));
        truncateSync(path, cut);
        const whole = starts.filter((s, i) => (starts[i + 1] ?? size) <= cut).length;
        const cutFrame = starts.findIndex((s, i) => s < cut && (starts[i + 1] ?? size) > cut);
        const headerReadable = cutFrame >= 0 && cut - starts[cutFrame] >= FRAME_HEADER_BYTES + 12;
        const first = reopen(dir);
        const context = `cut at ${cut} of ${size} (frames at ${starts.join(', ')})`;
        assert.equal(first.records.length, whole * 3, context);
        assert.equal(first.corrupt, headerReadable ? 3 : 0, context);
        assert.equal(first.recovery.tornUnknown, cutFrame >= 0 && !headerReadable ? 1 : 0, context);
        // New records go after, and nothing is counted twice.
        writeExport(first.queue, 100, 2);
        await first.queue.close();
        const second = reopen(dir);
        assert.equal(second.corrupt, 0, context);
        assert.equal(second.records.length, whole * 3 + 2, context);
        await second.queue.close();
      } finally {
        cleanup();
      }
    }
  });

  test('a segment cut in the middle of the log: the rest of it counted corrupt, the next segment read', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      for (let e = 0; e < 6; e++) writeExport(queue, e * 3 + 1, 3);
      await queue.close();
      const segments = segmentFiles(dir);
      assert.ok(segments.length >= 3);
      const firstIds = segments.map((s) => Number(s.slice(0, -4)));
      const middle = join(dir, segments[1]);
      truncateSync(middle, SEGMENT_HEADER_BYTES + 4);
      const { queue: again, records, corrupt } = reopen(dir, 200);
      const lostInMiddle = firstIds[2] - firstIds[1];
      assert.equal(corrupt, lostInMiddle);
      assert.equal(records.length, 18 - lostInMiddle);
      await again.close();
    } finally {
      cleanup();
    }
  });

  test('a payload the codec cannot read is counted corrupt', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = openDiskQueue(dir);
      writeExport(first, 1, 2);
      await first.close();
      const queue = openDiskQueue(dir, {
        codec: {
          encode: () => Buffer.alloc(0),
          decode: () => {
            throw new Error('not my format');
          },
        },
      });
      const recovery = queue.takeRecovery();
      assert.equal(recovery.records.length, 0);
      assert.deepEqual(
        recovery.corrupt.map((c) => c.count),
        [2],
      );
      assert.match(recovery.corrupt[0].detail, /not my format/);
      await queue.close();
    } finally {
      cleanup();
    }
  });
});

describe('disk spool: damage and leftovers an independent review found miscounted', () => {
  test('segments deleted after delivery leave an id gap that is not damage: nothing counted corrupt', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      const exports = Array.from({ length: 6 }, (_, e) => writeExport(queue, e * 5 + 1, 5));
      assert.ok(segmentFiles(dir).length >= 4);
      take(queue, 30);
      // Delivered: all but the first export (waiting for a retry) and the last (in flight at
      // shutdown). The segments between them go.
      queue.acknowledge(exports.slice(1, 5).flat());
      assert.equal(segmentFiles(dir).length, 2, 'the first and the active segment are left');
      await queue.close();
      const { queue: again, records, corrupt, recovery } = reopen(dir, 200);
      assert.deepEqual(records, ['r1', 'r2', 'r3', 'r4', 'r5', 'r26', 'r27', 'r28', 'r29', 'r30']);
      assert.equal(corrupt, 0, JSON.stringify(recovery.corrupt));
      await again.close();
    } finally {
      cleanup();
    }
  });

  test("an acknowledgement file whose segment is gone does not apply to the next process's records", async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = openDiskQueue(dir);
      const old = writeExport(first, 1, 3);
      take(first, 3);
      first.acknowledge(old);
      const ackPath = join(dir, '00000000000000000001.ack');
      const ack = readFileSync(ackPath);
      await first.close();
      // A crash between deleting the segment and its acknowledgements.
      writeFileSync(ackPath, ack);
      const second = reopen(dir);
      assert.equal(existsSync(ackPath), false, 'the orphan is removed before any write');
      writeExport(second.queue, 10, 3); // ids 1..3 again, never delivered
      await second.queue.close();
      const third = reopen(dir);
      assert.deepEqual(third.records, ['r10', 'r11', 'r12']);
      await third.queue.close();
    } finally {
      cleanup();
    }
  });

  test('a damaged length field in the last segment: the good frames after it are still replayed', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir);
      for (let e = 0; e < 5; e++) writeExport(queue, e * 3 + 1, 3);
      await queue.close();
      const [segment] = segmentFiles(dir);
      const path = join(dir, segment);
      const file = readFileSync(path);
      const starts = frameStarts(file);
      file.writeUInt32LE((file.readUInt32LE(starts[1]) ^ 0x8000_0000) >>> 0, starts[1]);
      writeFileSync(path, file);
      const { queue: again, records, corrupt } = reopen(dir);
      assert.deepEqual(records, [
        'r1',
        'r2',
        'r3',
        ...Array.from({ length: 9 }, (_, i) => `r${i + 7}`),
      ]);
      assert.equal(corrupt, 3, 'the damaged frame, from the gap in ids');
      writeExport(again, 100, 1);
      await again.close();
      const last = reopen(dir);
      assert.equal(last.records.length, 13, 'new ids follow the last good frame, none reused');
      assert.equal(last.corrupt, 0);
      await last.queue.close();
    } finally {
      cleanup();
    }
  });

  test("a damaged last frame's header is not believed: no count of 512 records that never were", async () => {
    for (const flip of [
      { at: 0, bit: 0x10 },
      { at: 8, bit: 0x02 },
    ]) {
      const { dir, cleanup } = tempSpoolDir();
      try {
        const queue = openDiskQueue(dir);
        for (let e = 0; e < 5; e++) writeExport(queue, e * 3 + 1, 3);
        await queue.close();
        const [segment] = segmentFiles(dir);
        const path = join(dir, segment);
        const file = readFileSync(path);
        const last = frameStarts(file)[4];
        file[last + FRAME_HEADER_BYTES + flip.at + 1] ^= flip.bit;
        writeFileSync(path, file);
        const { queue: again, records, corrupt, recovery } = reopen(dir);
        assert.equal(records.length, 12);
        assert.equal(corrupt, 0, 'no count to believe');
        assert.equal(recovery.tornUnknown, 1, 'counted as a frame of unknown size');
        await again.close();
      } finally {
        cleanup();
      }
    }
  });

  test('zeros after the last frame (a power cut): no phantom frames, a torn tail cut off', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir);
      for (let e = 0; e < 3; e++) writeExport(queue, e * 3 + 1, 3);
      await queue.close();
      const [segment] = segmentFiles(dir);
      const path = join(dir, segment);
      const size = readFileSync(path).length;
      writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(400)]));
      const { queue: again, records, recovery } = reopen(dir);
      assert.equal(records.length, 9);
      assert.equal(recovery.tornUnknown, 1);
      assert.equal(readFileSync(path).length, size, 'the zeros are cut off');
      await again.close();
    } finally {
      cleanup();
    }
  });

  test('files that are not named as the spool names them are left alone, not read', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir);
      writeExport(queue, 1, 2);
      await queue.close();
      for (const name of ['1e3.seg', '+7.seg', '1.seg', 'notes.ack'])
        writeFileSync(join(dir, name), 'x');
      const { queue: again, records } = reopen(dir);
      assert.deepEqual(records, ['r1', 'r2']);
      await again.close();
      assert.ok(existsSync(join(dir, '1e3.seg')) && existsSync(join(dir, 'notes.ack')));
    } finally {
      cleanup();
    }
  });
});

describe('disk spool: one owner', () => {
  test('a second open of the same directory in this process is refused, and allowed after close', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = openDiskQueue(dir);
      assert.throws(() => openDiskQueue(dir), SpoolLockedError);
      await first.close();
      const second = openDiskQueue(dir);
      await second.close();
    } finally {
      cleanup();
    }
  });

  test('a lock left by a process that is gone is taken over; one of a live process is not', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      writeFileSync(join(dir, 'lock'), '2147483646\n');
      const queue = openDiskQueue(dir);
      await queue.close();
      assert.equal(existsSync(join(dir, 'lock')), false, 'released at close');
      // The parent of this test process is alive and is not us.
      writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
      assert.throws(
        () => openDiskQueue(dir),
        (error: unknown) =>
          error instanceof SpoolLockedError && error.message.includes(`process ${process.ppid}`),
      );
      // The same pid with its own start time is still its lock; with another start time the
      // pid was reused (a restarted container): the lock is stale. (Linux: /proc.)
      if (process.platform !== 'linux') return;
      const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      writeFileSync(join(dir, 'lock'), `${process.ppid} ${start}\n`);
      assert.throws(() => openDiskQueue(dir), SpoolLockedError);
      writeFileSync(join(dir, 'lock'), `${process.ppid} ${Number(start) + 1}\n`);
      const reused = openDiskQueue(dir);
      await reused.close();
    } finally {
      cleanup();
    }
  });
});

describe('disk spool: batches sent before a restart', () => {
  test('records are labelled by the last request that carried them, and follow the first of it', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = openDiskQueue(dir);
      const records = [...writeExport(first, 1, 6), ...writeExport(first, 7, 4)];
      take(first, 10);
      // [1..6] sent; then [1, 3, 5] of it again (a partial failure's retry); [7..10] sent.
      first.willSend(records.slice(0, 6));
      first.willSend([records[0], records[2], records[4]]);
      first.willSend(records.slice(6));
      first.acknowledge([records[1], records[7]]);
      await first.close();
      const { queue, recovery } = reopen(dir);
      assert.deepEqual(
        recovery.records.map((r) => [r.record, r.sentBatch]),
        [
          ['r1', 2],
          ['r3', 2],
          ['r5', 2],
          ['r4', 1],
          ['r6', 1],
          ['r7', 3],
          ['r9', 3],
          ['r10', 3],
        ],
      );
      assert.equal(recovery.nextSentSequence, 4, 'the next process numbers its batches on');
      await queue.close();
    } finally {
      cleanup();
    }
  });

  test('a batch across a segment roll keeps its record when its first segment is deleted', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      // Segments of four one-record exports: [1..4] and [5..8].
      const first = openDiskQueue(dir, { segmentBytes: 200 });
      const records: TestRecord[] = [];
      for (let i = 1; i <= 8; i++) records.push(...writeExport(first, i, 1));
      assert.deepEqual(segmentFiles(dir), [segmentFileName(1), segmentFileName(5)]);
      take(first, 8);
      first.willSend(records.slice(0, 2));
      first.willSend(records.slice(2, 6));
      // [1, 2] delivered; of [3..6], 3 and 4 (a partial success): the first segment is done.
      first.acknowledge(records.slice(0, 4));
      await first.close();
      assert.deepEqual(segmentFiles(dir), [segmentFileName(5)]);
      const { queue, recovery } = reopen(dir, 200);
      assert.deepEqual(
        recovery.records.map((r) => [r.record, r.sentBatch]),
        [
          ['r5', 2],
          ['r6', 2],
          ['r7', undefined],
          ['r8', undefined],
        ],
      );
      await queue.close();
    } finally {
      cleanup();
    }
  });

  // Found by an independent review: the frame of a batch across a roll named the newer
  // segment's ids in the older one's file; a clean close deleted the newer (all delivered) and
  // the next process numbered its own records from there, which a third then replayed as part
  // of the first process's batch, under another dedup token.
  test("a batch's frame in one segment's file names only that segment's ids, whose ids are never reused", async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = openDiskQueue(dir, { segmentBytes: 200 });
      const records: TestRecord[] = [];
      for (let i = 1; i <= 8; i++) records.push(...writeExport(first, i, 1));
      take(first, 8);
      first.willSend(records.slice(0, 2));
      first.willSend(records.slice(2, 6));
      first.willSend(records.slice(6, 8));
      // [1, 2] and [7, 8] delivered, and 5 and 6 of [3..6]: the segment [5..8] is done.
      first.acknowledge([...records.slice(0, 2), ...records.slice(4, 8)]);
      await first.close();
      assert.deepEqual(segmentFiles(dir), [segmentFileName(1)]);
      const second = openDiskQueue(dir, { segmentBytes: 200 });
      const found = second.takeRecovery().records;
      assert.deepEqual(
        found.map((r) => r.record),
        ['r3', 'r4'],
      );
      for (const r of found)
        second.restore(testRecord(Number(r.record.slice(1))), r.id, r.sentBatch);
      const [fresh] = writeExport(second, 100, 1);
      assert.equal(
        (fresh as { spoolId?: number }).spoolId,
        5,
        "the deleted segment's first id, again",
      );
      await second.close();
      const { queue, recovery } = reopen(dir, 200);
      const [three, four, hundred] = recovery.records.map((r) => [r.record, r.sentBatch]);
      assert.deepEqual([three[0], four[0], hundred[0]], ['r3', 'r4', 'r100']);
      assert.equal(three[1], four[1]);
      assert.equal(hundred[1], undefined, "never sent: not in the first process's batch");
      await queue.close();
    } finally {
      cleanup();
    }
  });
});

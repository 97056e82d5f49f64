import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  decodeAckBody,
  decodeDataBody,
  decodeSentBatchBody,
  plausibleAckBody,
  plausibleDataBody,
  encodeAckFrame,
  encodeDataFrame,
  encodeSentBatchFrame,
  rangesOf,
  scanFrames,
  segmentHeader,
} from '../src/spool/format';

function frame(firstId: number, count: number, payload = Buffer.from('x'.repeat(count * 3))) {
  return encodeDataFrame(firstId, {
    acceptedAtWallMs: Array.from({ length: count }, (_, i) => 1_700_000_000_000 + i),
    bytes: Array.from({ length: count }, (_, i) => 100 + i),
    payload,
  });
}

function segmentOf(...frames: Buffer[]): Buffer {
  return Buffer.concat([segmentHeader(), ...frames]);
}

describe('spool format: frames', () => {
  test('a data frame comes back with every field', () => {
    const payload = Buffer.from('payload bytes');
    const encoded = frame(41, 3, payload);
    const decoded = decodeDataBody(encoded.subarray(FRAME_HEADER_BYTES));
    assert.deepEqual(decoded, {
      firstId: 41,
      count: 3,
      acceptedAtWallMs: [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002],
      bytes: [100, 101, 102],
      payload,
    });
  });

  test('acknowledgement ranges come back as written', () => {
    const ranges = [
      { first: 1, count: 3 },
      { first: 2 ** 40, count: 1 },
    ];
    const encoded = encodeAckFrame(ranges);
    assert.deepEqual(decodeAckBody(encoded.subarray(FRAME_HEADER_BYTES)), ranges);
    assert.equal(decodeAckBody(Buffer.alloc(5)), undefined, 'a body that is not whole ranges');
  });

  test('a sent batch comes back as written, and is never read as acknowledgements', () => {
    const ranges = [
      { first: 7, count: 500 },
      { first: 2 ** 40, count: 2 },
    ];
    const body = encodeSentBatchFrame(12, ranges).subarray(FRAME_HEADER_BYTES);
    assert.deepEqual(decodeSentBatchBody(body), { sequence: 12, ranges });
    assert.ok(plausibleAckBody(body), 'found again by a scan after damage in its file');
    // A reader that knows acknowledgements only must find none in it, whatever the number of
    // ranges: a range it made of the tag would acknowledge records never delivered.
    for (let n = 1; n <= 40; n++) {
      const many = Array.from({ length: n }, (_, i) => ({ first: 1 + i * 10, count: 3 }));
      const sent = encodeSentBatchFrame(n, many).subarray(FRAME_HEADER_BYTES);
      assert.equal(decodeAckBody(sent), undefined, `${n} ranges`);
      assert.equal(decodeSentBatchBody(sent)?.ranges.length, n);
    }
    const ack = encodeAckFrame(ranges).subarray(FRAME_HEADER_BYTES);
    assert.equal(decodeSentBatchBody(ack), undefined, 'an acknowledgement is not a sent batch');
    const wrongCount = Buffer.from(body);
    wrongCount.writeUInt32LE(3, 4);
    assert.equal(decodeSentBatchBody(wrongCount), undefined, 'a count its length does not hold');
  });

  const rangeCases: { ids: number[]; ranges: { first: number; count: number }[] }[] = [
    { ids: [], ranges: [] },
    { ids: [5], ranges: [{ first: 5, count: 1 }] },
    { ids: [3, 1, 2], ranges: [{ first: 1, count: 3 }] },
    { ids: [1, 1, 2, 3], ranges: [{ first: 1, count: 3 }] },
    // In order but for the last: the in-order pass must not skip the sort.
    {
      ids: [1, 2, 5, 4],
      ranges: [
        { first: 1, count: 2 },
        { first: 4, count: 2 },
      ],
    },
    {
      ids: [7, 1, 2, 2, 9, 8],
      ranges: [
        { first: 1, count: 2 },
        { first: 7, count: 3 },
      ],
    },
  ];
  for (const { ids, ranges } of rangeCases) {
    test(`ranges of [${ids.join(', ')}]`, () => assert.deepEqual(rangesOf([...ids]), ranges));
  }

  test('the segment header names its format; anything else is refused with why', () => {
    assert.equal(checkSegmentHeader(segmentHeader()), undefined);
    assert.match(checkSegmentHeader(Buffer.alloc(10)) ?? '', /cut short/);
    assert.match(checkSegmentHeader(Buffer.alloc(16)) ?? '', /bad magic/);
    const future = segmentHeader();
    future.writeUInt32LE(9, 8);
    assert.match(checkSegmentHeader(future) ?? '', /version 9/);
  });
});

describe('spool format: reading a segment back', () => {
  const frames = [frame(1, 2), frame(3, 4), frame(7, 1)];
  const file = segmentOf(...frames);
  const starts = [SEGMENT_HEADER_BYTES];
  for (const f of frames) starts.push(starts[starts.length - 1] + f.length);

  test('a whole segment reads back every frame, nothing damaged', () => {
    const scan = scanFrames(file, SEGMENT_HEADER_BYTES);
    assert.deepEqual(
      scan.frames.map((f) => decodeDataBody(f.body)?.firstId),
      [1, 3, 7],
    );
    assert.equal(scan.damaged.length, 0);
    assert.equal(scan.stop, undefined);
    assert.equal(scan.validEnd, file.length);
  });

  // Vector disk_v2 tests/known_errors.rs (reader_throws_error_when_finished_file_has_truncated_record_data):
  // a data file cut inside a record is read up to the last whole record.
  test('cut at every offset inside the last frame: a torn tail, the frames before it whole', () => {
    const lastStart = starts[2];
    for (let cut = lastStart + 1; cut < file.length; cut++) {
      const scan = scanFrames(file.subarray(0, cut), SEGMENT_HEADER_BYTES);
      assert.equal(scan.frames.length, 2, `cut at ${cut}`);
      assert.equal(scan.validEnd, lastStart, `cut at ${cut}`);
      assert.equal(scan.stop?.reason, 'torn', `cut at ${cut}`);
    }
  });

  // Vector disk_v2 tests/known_errors.rs (corrupt_record_checksum): a flipped bit fails the
  // checksum; the records around it still read.
  test('one flipped byte in a middle frame: that frame damaged, the next still read', () => {
    const damaged = Buffer.from(file);
    damaged[starts[1] + FRAME_HEADER_BYTES + 20] ^= 0x40;
    const scan = scanFrames(damaged, SEGMENT_HEADER_BYTES);
    assert.deepEqual(
      scan.frames.map((f) => decodeDataBody(f.body)?.firstId),
      [1, 7],
    );
    assert.deepEqual(
      scan.damaged.map((d) => d.offset),
      [starts[1]],
    );
    assert.equal(scan.stop, undefined);
  });

  test('a damaged length: reading goes on at the next frame that verifies, not stops', () => {
    for (const length of [5, 0, 0xffff_fff0]) {
      const damaged = Buffer.from(file);
      damaged.writeUInt32LE(length, starts[1]);
      const scan = scanFrames(damaged, SEGMENT_HEADER_BYTES, plausibleDataBody);
      assert.deepEqual(
        scan.frames.map((f) => decodeDataBody(f.body)?.firstId),
        [1, 7],
        `length ${length}`,
      );
      assert.deepEqual(
        scan.damaged.map((d) => d.offset),
        [starts[1]],
      );
      assert.equal(scan.stop, undefined);
      assert.equal(scan.validEnd, file.length);
    }
  });

  test('zeros where a power cut left the size but not the data: no frame, a torn tail', () => {
    const zeros = Buffer.concat([file, Buffer.alloc(300)]);
    const scan = scanFrames(zeros, SEGMENT_HEADER_BYTES, plausibleDataBody);
    assert.equal(scan.frames.length, 3, 'an empty body checksums as 0, and is still no frame');
    assert.equal(scan.validEnd, file.length);
    assert.ok(scan.stop);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeShortAscii } from '../src';

describe('writeShortAscii', () => {
  it('writes ASCII under 128 units as a one-byte length and the characters', () => {
    const cases: [string, number[]][] = [
      ['', [0]],
      ['a', [1, 0x61]],
      ['job', [3, 0x6a, 0x6f, 0x62]],
      ['\u0000\u007f', [2, 0x00, 0x7f]], // the ASCII range's ends
    ];
    for (const [text, bytes] of cases) {
      const buf = new Uint8Array(8).fill(0xee);
      assert.equal(writeShortAscii(buf, 2, text), 2 + bytes.length, JSON.stringify(text));
      assert.deepEqual([...buf.subarray(2, 2 + bytes.length)], bytes, JSON.stringify(text));
      assert.deepEqual([...buf.subarray(0, 2)], [0xee, 0xee], 'nothing before `at`');
    }
    const longest = 'x'.repeat(127);
    const buf = new Uint8Array(128);
    assert.equal(writeShortAscii(buf, 0, longest), 128);
    assert.equal(buf[0], 127);
    assert.equal(Buffer.from(buf.subarray(1)).toString('latin1'), longest);
  });

  it('refuses 128 units and more, and any non-ASCII unit wherever it is', () => {
    for (const text of [
      'x'.repeat(128),
      'é',
      'abcé',
      'é' + 'a'.repeat(10),
      '\u0080',
      '🚀',
      '\ud800',
    ]) {
      assert.equal(writeShortAscii(new Uint8Array(512), 0, text), -1, JSON.stringify(text));
    }
  });
});

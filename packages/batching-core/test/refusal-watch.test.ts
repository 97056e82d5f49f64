import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefusalWatch } from '../src/pipeline/refusal-watch';

type Step =
  { refused: string; records: number; atMs: number; reason?: string } | { writtenAtMs: number };

/** What a watch reminding every 60 s warns for these steps, in order. */
function warningsFor(steps: Step[]): string[] {
  const lines: string[] = [];
  const watch = new RefusalWatch((message) => lines.push(message), 60_000);
  for (const step of steps) {
    if ('refused' in step) {
      watch.refused(
        step.refused,
        step.records,
        step.reason ?? `${step.refused} (figures)`,
        step.atMs,
      );
    } else {
      watch.written(step.writtenAtMs);
    }
  }
  return lines;
}

const full = (atMs: number, records = 10): Step => ({ refused: 'spool full', records, atMs });

test('refused exports: warned when a cause begins, every reminder period, and when it ends', () => {
  const cases: [string, Step[], RegExp[]][] = [
    [
      'one refusal',
      [full(0)],
      [/^dropped 10 records \(queue_full\): spool full \(figures\)\. While this lasts/],
    ],
    [
      'many, inside one reminder period',
      [full(0), full(1_000), full(59_999)],
      [/^dropped 10 records/],
    ],
    [
      'a reminder once the period has passed, with what was refused since it began',
      [full(0), full(30_000, 7), full(60_000, 5), full(90_000)],
      [
        /^dropped 10 records/,
        /^exports still refused \(spool full\) after 60 s: 22 records of 3 exports dropped \(queue_full\) since it began; last: spool full \(figures\)$/,
      ],
    ],
    [
      'the reminder period runs from the last warning',
      [full(0), full(60_000), full(100_000), full(120_000)],
      [/^dropped/, /after 60 s: 20 records of 2 exports/, /after 120 s: 40 records of 4 exports/],
    ],
    [
      'written again: the end, with the totals',
      [full(0, 3), full(2_000, 4), { writtenAtMs: 5_400 }],
      [
        /^dropped 3 records/,
        /^exports are written again after 5 s of refusals \(spool full\): 7 records of 2 exports dropped \(queue_full\) in all; last: spool full \(figures\)$/,
      ],
    ],
    ['written with nothing refused: nothing to say', [{ writtenAtMs: 0 }, { writtenAtMs: 9 }], []],
    [
      'a refusal after the end begins anew',
      [full(0), { writtenAtMs: 1_000 }, full(2_000)],
      [/^dropped/, /^exports are written again after 1 s .*10 records of 1 export /, /^dropped/],
    ],
    [
      'another cause ends the first and begins its own',
      [
        full(0),
        {
          refused: 'spool write failed: EIO',
          records: 2,
          atMs: 3_000,
          reason: 'spool write failed: EIO: i/o error',
        },
        { refused: 'spool write failed: EIO', records: 2, atMs: 4_000 },
      ],
      [
        /^dropped 10 records/,
        /^refused for another cause now \(spool write failed: EIO\) after 3 s of refusals \(spool full\): 10 records of 1 export dropped/,
        /^dropped 2 records \(queue_full\): spool write failed: EIO: i\/o error\./,
      ],
    ],
  ];
  for (const [name, steps, expected] of cases) {
    const lines = warningsFor(steps);
    assert.equal(lines.length, expected.length, `${name}: ${JSON.stringify(lines)}`);
    expected.forEach((pattern, i) => assert.match(lines[i], pattern, name));
  }
});

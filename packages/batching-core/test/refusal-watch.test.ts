import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefusalWatch } from '../src/pipeline/refusal-watch';

type Step =
  | { refused: string; records: number; atMs: number; reason?: string }
  | { acceptedAtMs: number }
  | { closedAtMs: number };

/** What a watch reminding every 300 s and quiet after 60 s warns for these steps, in order. */
function warningsFor(steps: Step[]): string[] {
  const lines: string[] = [];
  const watch = new RefusalWatch((message) => lines.push(message), 300_000, 60_000);
  for (const step of steps) {
    if ('refused' in step) {
      watch.refused(
        step.refused,
        step.records,
        step.reason ?? `${step.refused} (figures)`,
        step.atMs,
      );
    } else if ('acceptedAtMs' in step) {
      watch.accepted(step.acceptedAtMs);
    } else {
      watch.close(step.closedAtMs);
    }
  }
  return lines;
}

const full = (atMs: number, records = 10): Step => ({ refused: 'spool full', records, atMs });
const eio = (atMs: number): Step => ({
  refused: 'spool write failed: EIO',
  records: 2,
  atMs,
  reason: 'spool write failed: EIO: i/o error',
});

test('refused exports: warned by period (its start, a new cause, reminders, its end), not one by one', () => {
  const cases: [string, Step[], RegExp[]][] = [
    [
      'one refusal',
      [full(0)],
      [/^dropped 10 records \(queue_full\): spool full \(figures\)\. While refusals go on/],
    ],
    ['many, before a reminder is due', [full(0), full(1_000), full(299_999)], [/^dropped 10/]],
    [
      'a reminder at the first refusal once the period has passed, with the totals so far',
      [full(0), full(200_000, 7), full(300_000, 5), full(400_000)],
      [
        /^dropped 10 records/,
        /^exports still refused after 300 s: 22 records of 3 exports dropped \(queue_full\) so far; last: spool full \(figures\)$/,
      ],
    ],
    [
      'the reminder period runs from the last warning',
      [full(0), full(300_000), full(500_000), full(600_000)],
      [/^dropped/, /after 300 s: 20 records of 2 exports/, /after 600 s: 40 records of 4 exports/],
    ],
    [
      'accepted once refusals have stopped for the quiet period: the end, with the totals',
      [full(0, 3), full(2_000, 4), { acceptedAtMs: 61_999 }, { acceptedAtMs: 62_000 }],
      [
        /^dropped 3 records/,
        /^exports accepted again, 60 s after the last refusal; refusals for 2 s \(spool full\): 7 records of 2 exports dropped \(queue_full\) in all; last: spool full \(figures\)$/,
      ],
    ],
    [
      'accepted and refused in turn (a spool at its bound): one period',
      [full(0), { acceptedAtMs: 1_000 }, full(2_000), { acceptedAtMs: 3_000 }, full(4_000)],
      [/^dropped 10/],
    ],
    [
      'accepted with nothing refused: nothing to say',
      [{ acceptedAtMs: 0 }, { acceptedAtMs: 90_000 }],
      [],
    ],
    [
      'a refusal after the end begins a new period',
      [full(0), { acceptedAtMs: 70_000 }, full(80_000)],
      [
        /^dropped/,
        /^exports accepted again, 70 s after the last refusal; refusals for 0 s .*10 records of 1 export dropped/,
        /^dropped/,
      ],
    ],
    [
      'another cause joins the period, warned once; the end names both',
      [full(0), eio(3_000), eio(4_000), full(5_000), { acceptedAtMs: 70_000 }],
      [
        /^dropped 10 records/,
        /^dropped 2 records \(queue_full\), another cause: spool write failed: EIO: i\/o error$/,
        /^exports accepted again, 65 s after the last refusal; refusals for 5 s \(spool full; spool write failed: EIO\): 24 records of 4 exports/,
      ],
    ],
    [
      'shutdown while refusing: summed up',
      [full(0), full(5_000), { closedAtMs: 9_000 }, { closedAtMs: 9_500 }],
      [
        /^dropped/,
        /^shutting down, 4 s after the last refusal; refusals for 5 s \(spool full\): 20 records of 2 exports/,
      ],
    ],
  ];
  for (const [name, steps, expected] of cases) {
    const lines = warningsFor(steps);
    assert.equal(lines.length, expected.length, `${name}: ${JSON.stringify(lines)}`);
    expected.forEach((pattern, i) => assert.match(lines[i], pattern, name));
  }
});

test('causes named apart in one period are bounded', () => {
  const lines: string[] = [];
  const watch = new RefusalWatch((message) => lines.push(message), 300_000, 60_000);
  for (let i = 0; i < 100; i++) watch.refused(`cause ${i}`, 1, `cause ${i} (figures)`, i);
  assert.equal(lines.length, 16);
});

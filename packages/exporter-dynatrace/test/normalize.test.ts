import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeDimensionKey, normalizeDimensionValue, normalizeMetricKey } from '../src';
import { fixture } from './helpers/fixtures';

/*
 * Dynatrace's metric utilities' own normalisation test cases (JavaScript, Go and Java), one row
 * each, naming the file it comes from (test/fixtures/conformance.json). `expected` is what that
 * repository's test expects; `ours` what @dynatrace/metric-utils answers, which this package
 * follows. The two differ only on rows of the newer Java utilities, listed below.
 */
interface Row {
  kind: 'metricKey' | 'dimensionKey' | 'dimensionValue';
  source: string;
  name: string;
  input: string;
  expected: string | null;
  ours: string | null;
}

const rows = fixture<{ rows: Row[] }>('conformance.json').rows;

const normalize = {
  metricKey: (input: string) => normalizeMetricKey(input) ?? null,
  dimensionKey: (input: string) => normalizeDimensionKey(input) ?? null,
  dimensionValue: (input: string) => normalizeDimensionValue(input),
};

/**
 * Where the Java utilities (rewritten after the JavaScript and Go ones) disagree: they replace only
 * the first invalid character of a key ("000" → "_00", where JS and Go make "_") and allow 255
 * characters instead of 250. Both forms are valid keys; this package keeps the JavaScript rules.
 */
const JAVA_DIFFERENCES = new Set([
  'metricKey: invalid only number',
  'metricKey: invalid leading characters',
  'metricKey: invalid truncate key too long',
  'dimensionKey: invalid leading multiple hyphens',
  'dimensionKey: invalid only numbers',
  'dimensionKey: invalid compound only number',
  'dimensionValue: invalid truncate value too long',
]);

function label(row: Row): string {
  const input = JSON.stringify(row.input);
  return `${row.name} ${input.length > 40 ? `${input.slice(0, 40)}…` : input} (${row.source})`;
}

describe('normalisation: the metric utilities’ test cases', () => {
  for (const kind of ['metricKey', 'dimensionKey', 'dimensionValue'] as const) {
    describe(kind, () => {
      for (const row of rows.filter((r) => r.kind === kind)) {
        it(label(row), () => {
          assert.equal(normalize[kind](row.input), row.ours);
          if (row.source.startsWith('dynatrace-metric-utils-java')) {
            const differs = JAVA_DIFFERENCES.has(`${kind}: ${row.name}`);
            assert.equal(
              row.expected !== row.ours,
              differs,
              'a Java row differs only where listed',
            );
          } else {
            // The JavaScript and Go utilities' expectations are this package's, row for row.
            assert.equal(normalize[kind](row.input), row.expected);
          }
        });
      }
    });
  }

  it('has the three repositories’ cases', () => {
    for (const repo of ['js', 'go', 'java']) {
      const count = rows.filter((r) =>
        r.source.startsWith(`dynatrace-metric-utils-${repo}@`),
      ).length;
      assert.ok(count > 100, `${repo}: ${count} rows`);
    }
  });
});

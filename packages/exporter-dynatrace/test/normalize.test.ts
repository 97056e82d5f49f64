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
  /** null where the source passes null (the Java utilities' "pass null"). */
  input: string | null;
  expected: string | null;
  ours: string | null;
}

/** A test table of a source file, and how many cases it has at the commit the file names. */
interface Source {
  source: string;
  kind: Row['kind'];
  table: string;
  cases: number;
}

const { rows, sources } = fixture<{ rows: Row[]; sources: Source[] }>('conformance.json');

// The inputs are the sources' own, null included: the functions are typed for strings, and a
// JavaScript caller can pass null all the same.
const normalize = {
  metricKey: (input: string | null) => normalizeMetricKey(input as string) ?? null,
  dimensionKey: (input: string | null) => normalizeDimensionKey(input as string) ?? null,
  dimensionValue: (input: string | null) => normalizeDimensionValue(input as string),
};

/**
 * Where the Java utilities (rewritten after the JavaScript and Go ones) disagree: they replace only
 * the first invalid character of a key ("000" → "_00", where JS and Go make "_") and allow 255
 * characters instead of 250. Both forms are valid keys; this package keeps the JavaScript rules.
 * A null dimension value is "" there and the text "null" in the JavaScript utilities (which read
 * any value with String()); this package does as the JavaScript ones.
 */
const JAVA_DIFFERENCES = new Set([
  'metricKey: invalid only number',
  'metricKey: invalid leading characters',
  'metricKey: invalid truncate key too long',
  'dimensionKey: invalid leading multiple hyphens',
  'dimensionKey: invalid only numbers',
  'dimensionKey: invalid compound only number',
  'dimensionValue: invalid truncate value too long',
  'dimensionValue: pass null',
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

  it('has every case of each source table, as many as the file says that table has', () => {
    for (const repo of ['js', 'go', 'java']) {
      const tables = sources.filter((s) => s.source.startsWith(`dynatrace-metric-utils-${repo}@`));
      assert.equal(tables.length, 3, `${repo}: a table for each of the three kinds`);
    }
    for (const { source, kind, table, cases } of sources) {
      const taken = rows.filter((r) => r.source === source && r.kind === kind).length;
      assert.equal(taken, cases, `${source} ${table}: ${taken} rows for its ${cases} cases`);
    }
    for (const row of rows) {
      assert.ok(
        sources.some((s) => s.source === row.source && s.kind === row.kind),
        `${row.source} (${row.kind}) is a listed source`,
      );
      // The path inside the repository, whole: repository@commit:path/to/file.ext.
      assert.match(row.source, /^dynatrace-metric-utils-(js|go|java)@[0-9a-f]{7}:[\w./-]+\.\w+$/);
    }
  });
});

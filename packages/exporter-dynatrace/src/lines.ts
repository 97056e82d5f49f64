import { escapeValue } from './normalize';

/*
 * The metric ingest v2 line protocol's lines (Dynatrace's "Metric ingestion protocol" page, and
 * the limits of its metric utilities: line length, dimension count, metadata field lengths):
 *
 *   key[,dimension=value…] gauge,<v> | count,delta=<v> | gauge,min=,max=,sum=,count= [ms]
 *   #key gauge|count dt.meta.description=<v>,dt.meta.unit=<v>
 */

/** A longer line is refused by the ingest (the utilities drop it before sending). */
export const MAX_LINE_LENGTH = 50_000;
/** More dimensions on a line and the ingest refuses it. */
export const MAX_DIMENSIONS = 50;
export const MAX_DESCRIPTION_LENGTH = 65_535;
export const MAX_UNIT_LENGTH = 63;

/** Letters, digits and `%[]{}/_` (the Java utilities' unit check); anything else drops the unit. */
const VALID_UNIT = /^[A-Za-z0-9%[\]{}/_]+$/;

// Timestamps outside 2000..3000 are left off and the server's time is used (the Go utilities).
const OLDEST_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
const NEWEST_TIMESTAMP_MS = Date.UTC(3000, 0, 1);

/** A line's bad value; the mapping counts the data point as rejected with this message. */
export class InvalidPointError extends Error {
  readonly code = 'OTELPACK_DYNATRACE_INVALID_POINT';
}

/** JavaScript's shortest round-trip text, as `@dynatrace/metric-utils` writes numbers. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new InvalidPointError(`the value is ${value}`);
  return String(value);
}

export function gaugePayload(value: number): string {
  return `gauge,${formatNumber(value)}`;
}

export function countPayload(delta: number): string {
  return `count,delta=${formatNumber(delta)}`;
}

/**
 * A summary: the ingest refuses `min > max`, a negative count, and an average outside
 * [min, max] (beyond a 1e-6 tolerance), so the caller clamps min and max around the average
 * (as Dynatrace's archived exporter did for estimated bounds) before this checks.
 */
export function summaryPayload(min: number, max: number, sum: number, count: number): string {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidPointError(`the count is ${count}; it must be a whole number ≥ 0`);
  }
  if (count === 0 && (min !== 0 || max !== 0 || sum !== 0)) {
    throw new InvalidPointError('an empty summary must have min, max and sum 0');
  }
  if (min > max) throw new InvalidPointError(`min ${min} > max ${max}`);
  return `gauge,min=${formatNumber(min)},max=${formatNumber(max)},sum=${formatNumber(sum)},count=${count}`;
}

/** ms since the epoch, or undefined when the ingest would not take it as a timestamp. */
export function lineTimestamp(ms: number): number | undefined {
  if (!(ms >= OLDEST_TIMESTAMP_MS && ms <= NEWEST_TIMESTAMP_MS)) return undefined;
  return Math.floor(ms);
}

/**
 * One line. `dimensions` is the `,key=value…` text (already normalised, may be empty); a line
 * longer than the ingest takes is refused here, with its length.
 */
export function formatLine(
  key: string,
  dimensions: string,
  payload: string,
  timestampMs?: number,
): string {
  const line =
    timestampMs === undefined
      ? `${key}${dimensions} ${payload}`
      : `${key}${dimensions} ${payload} ${timestampMs}`;
  if (line.length > MAX_LINE_LENGTH) {
    throw new InvalidPointError(
      `the line would be ${line.length} characters; Dynatrace takes at most ${MAX_LINE_LENGTH}`,
    );
  }
  return line;
}

/**
 * The metadata line of a metric: description and unit, when there are any to say; a unit of
 * characters the ingest refuses, or too long a field, is left out (the Java utilities' rule).
 */
export function metadataLine(
  key: string,
  type: 'gauge' | 'count',
  description: string,
  unit: string,
): string | undefined {
  const fields: string[] = [];
  if (description !== '' && description.length <= MAX_DESCRIPTION_LENGTH) {
    fields.push(`dt.meta.description=${escapeValue(description, MAX_DESCRIPTION_LENGTH)}`);
  }
  if (unit !== '' && unit.length <= MAX_UNIT_LENGTH && VALID_UNIT.test(unit)) {
    fields.push(`dt.meta.unit=${unit}`);
  }
  if (fields.length === 0) return undefined;
  return `#${key} ${type} ${fields.join(',')}`;
}

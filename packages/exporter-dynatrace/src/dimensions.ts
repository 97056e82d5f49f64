import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { boundedValue } from '@otelpack/batching-core';
import { InvalidPointError, MAX_DIMENSIONS } from './lines';
import { normalizeDimensionKey, normalizeDimensionValue } from './normalize';

/** A dimension, normalised: its key and its escaped value. */
export type Dimension = readonly [key: string, value: string];

/**
 * An attribute's value as dimension text: strings as they are, others as JSON. An array that
 * contains itself (possible from code that bypasses the API's types) is written bounded, with the
 * core's "[circular]" marker, not thrown on.
 */
export function attributeText(value: AttributeValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(boundedValue(value));
}

// Attribute keys repeat across points and exports: normalising each once is most of the saving.
const KEY_CACHE_LIMIT = 10_000;

/** Normalised dimension keys, remembered (an attribute key normalises the same every time). */
export class DimensionKeys {
  private readonly cache = new Map<string, string | null>();

  key(raw: string): string | undefined {
    let key = this.cache.get(raw);
    if (key === undefined) {
      key = normalizeDimensionKey(raw) ?? null;
      if (this.cache.size >= KEY_CACHE_LIMIT) this.cache.clear();
      this.cache.set(raw, key);
    }
    return key ?? undefined;
  }
}

/** Key/value pairs (options, metadata files) normalised; keys that normalise to nothing are left out. */
export function normalizeDimensions(pairs: Record<string, string>): Dimension[] {
  const result: Dimension[] = [];
  for (const [raw, value] of Object.entries(pairs)) {
    const key = normalizeDimensionKey(raw);
    if (key !== undefined) result.push([key, normalizeDimensionValue(value)]);
  }
  return result;
}

/**
 * The dimensions of a line, in the utilities' precedence: default dimensions, then the
 * resource's and the point's attributes, then the OneAgent's metadata, a later one replacing an
 * earlier one of the same key where the earlier stood. More than 50 and the ingest refuses the
 * line: refused here, with the count, rather than dropping some and merging series.
 */
export class DimensionWriter {
  private readonly keys = new DimensionKeys();

  constructor(
    private readonly defaults: readonly Dimension[],
    private readonly statics: readonly Dimension[],
  ) {}

  /** `,key=value…` for one point (empty when there are none). */
  format(resource: readonly Dimension[], attributes: Attributes): string {
    const line = this.start(resource);
    for (const raw in attributes) {
      const text = attributeText(attributes[raw]);
      if (text !== undefined) this.putRaw(line, raw, text);
    }
    return this.finish(line);
  }

  /** The same for attributes as a list of pairs, in their order (as the utilities take them). */
  formatPairs(
    resource: readonly Dimension[],
    pairs: readonly (readonly [string, string])[],
  ): string {
    const line = this.start(resource);
    for (const [raw, text] of pairs) this.putRaw(line, raw, text);
    return this.finish(line);
  }

  private start(resource: readonly Dimension[]): Pending {
    const line: Pending = { keys: [], values: [] };
    for (const [key, value] of this.defaults) put(line, key, value);
    for (const [key, value] of resource) put(line, key, value);
    return line;
  }

  private putRaw(line: Pending, raw: string, text: string): void {
    const key = this.keys.key(raw);
    if (key !== undefined) put(line, key, normalizeDimensionValue(text));
  }

  private finish(line: Pending): string {
    for (const [key, value] of this.statics) put(line, key, value);
    const { keys, values } = line;
    if (keys.length > MAX_DIMENSIONS) {
      throw new InvalidPointError(
        `${keys.length} dimensions; Dynatrace takes at most ${MAX_DIMENSIONS} on a line`,
      );
    }
    let text = '';
    for (let i = 0; i < keys.length; i++) text += `,${keys[i]}=${values[i]}`;
    return text;
  }
}

interface Pending {
  keys: string[];
  values: string[];
}

/** A later dimension of a key replaces the earlier one's value where it stood. */
function put(line: Pending, key: string, value: string): void {
  const at = line.keys.indexOf(key);
  if (at === -1) {
    line.keys.push(key);
    line.values.push(value);
  } else {
    line.values[at] = value;
  }
}

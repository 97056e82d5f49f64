/*
 * THIS IS PART OF A FAKE, not Splunk: how otelpack's HEC fake reads a request body of the JSON
 * event protocol (`/services/collector/event`), as Splunk's documentation describes it: event
 * objects one after another ("batched" events need no separator, only optional white space),
 * each with an `event` and optional `time`, `host`, `source`, `sourcetype`, `index`, `fields`.
 * Splunk stops at the first event it cannot take and names it in `invalid-event-number`; the
 * events before it are indexed.
 */

/** One event as the fake stores it. */
export interface HecStoredEvent {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  /** The index it went to: its own, or the token's default. */
  index: string;
  event: unknown;
  fields?: Record<string, unknown>;
}

/** Why an event was refused: HEC's code and text. */
export interface EventRefusal {
  code: number;
  text: string;
}

export interface ParsedBody {
  events: Record<string, unknown>[];
  /** Each event's UTF-8 length as sent. */
  sizes: number[];
  /** The first event that could not be taken (its position), and why; events after it are unread. */
  refusal?: EventRefusal & { index: number };
}

const WHITE_SPACE = /\s/;

/** Splits concatenated JSON objects, stopping at the first that is not one. */
export function parseEvents(text: string): ParsedBody {
  const events: Record<string, unknown>[] = [];
  const sizes: number[] = [];
  let at = 0;
  for (;;) {
    while (at < text.length && WHITE_SPACE.test(text[at])) at++;
    if (at >= text.length) return { events, sizes };
    const end = objectEnd(text, at);
    const invalid = { index: events.length, code: 6, text: 'Invalid data format' };
    if (end < 0) return { events, sizes, refusal: invalid };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(at, end));
    } catch {
      return { events, sizes, refusal: invalid };
    }
    events.push(parsed as Record<string, unknown>);
    sizes.push(Buffer.byteLength(text.slice(at, end)));
    at = end;
  }
}

/** The end (exclusive) of the JSON object starting at `start`, or -1 if there is none. */
function objectEnd(text: string, start: number): number {
  if (text[start] !== '{') return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Splunk's checks of one event: an `event` key (code 12), not blank (code 13), flat `fields`
 * whose values are strings, numbers, booleans, null or arrays of those (code 15), an index the
 * token may write to (code 7), and at most `maxEventBytes` (code 6, as Splunk's parser fails).
 */
export function checkEvent(
  event: Record<string, unknown>,
  allowedIndexes: readonly string[] | undefined,
  maxEventBytes: number,
  eventBytes: number,
): EventRefusal | undefined {
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    return { code: 6, text: 'Invalid data format' };
  }
  if (!('event' in event)) return { code: 12, text: 'Event field is required' };
  if (event.event === '' || event.event === null) {
    return { code: 13, text: 'Event field cannot be blank' };
  }
  if (eventBytes > maxEventBytes) return { code: 6, text: 'Invalid data format' };
  const fields = event.fields;
  if (fields !== undefined) {
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
      return { code: 15, text: 'Error in handling indexed fields' };
    }
    for (const value of Object.values(fields)) {
      if (!isFlatValue(value, true)) return { code: 15, text: 'Error in handling indexed fields' };
    }
  }
  if (event.index !== undefined && typeof event.index !== 'string') {
    return { code: 6, text: 'Invalid data format' };
  }
  if (allowedIndexes && typeof event.index === 'string' && !allowedIndexes.includes(event.index)) {
    return { code: 7, text: 'Incorrect index' };
  }
  return undefined;
}

function isFlatValue(value: unknown, arrayAllowed: boolean): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value) && arrayAllowed) return value.every((v) => isFlatValue(v, false));
  return false;
}

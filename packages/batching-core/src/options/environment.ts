import { env } from '../config';
import { InvalidConfigError } from '../errors';
import { describeValue } from './describe';
import { setOwnField } from '../sdk/own-field';

/*
 * Environment variables: where an exporter's option may come from when the code does not give
 * it. The backend's own variables where they exist (`CLICKHOUSE_URL`), otherwise one rule:
 * `OTELPACK_<BACKEND>_<OPTION>`, the option's name in SCREAMING_SNAKE_CASE.
 */

/** `victoriametrics`, `maxQueueBytes` → `OTELPACK_VICTORIAMETRICS_MAX_QUEUE_BYTES`. */
export function environmentVariableName(backend: string, option: string): string {
  const snake = option
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
  return `OTELPACK_${backend.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_${snake}`;
}

/** The first of the variables that is set (an empty value counts as unset), with its name. */
export function readEnvironment(
  variables: readonly string[],
): { variable: string; text: string } | undefined {
  for (const variable of variables) {
    const text = env(variable);
    if (text !== undefined) return { variable, text };
  }
  return undefined;
}

/** How an environment variable's text becomes an option's value; errors name the variable. */
export type TextParser = (text: string, variable: string) => unknown;

export const fromText = {
  string: ((text) => text) as TextParser,

  integer: ((text, variable) => {
    if (!/^[+-]?\d+$/.test(text)) {
      throw new InvalidConfigError(variable, `expected an integer, got ${describeValue(text)}`);
    }
    return Number(text);
  }) as TextParser,

  number: ((text, variable) => {
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      throw new InvalidConfigError(variable, `expected a number, got ${describeValue(text)}`);
    }
    return value;
  }) as TextParser,

  boolean: ((text, variable) => {
    const lower = text.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new InvalidConfigError(variable, `expected true or false, got ${describeValue(text)}`);
    }
    return lower === 'true';
  }) as TextParser,

  /** `a, b,c` → `['a', 'b', 'c']`. */
  list: ((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')) as TextParser,

  /** `k=v,k2=v2`, keys and values percent-decoded (as in OTEL_EXPORTER_OTLP_HEADERS). */
  keyValues: ((text, variable) => parseKeyValueList(variable, text)) as TextParser,
};

/** `k=v,k2=v2` (keys and values may be percent-encoded, as in OTEL_EXPORTER_OTLP_HEADERS). */
export function parseKeyValueList(variable: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      // Not echoed: these pairs are headers and labels, and headers carry credentials.
      throw new InvalidConfigError(
        variable,
        `expected key=value pairs separated by commas; a pair of ${part.trim().length} characters has no '='`,
      );
    }
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(part.slice(0, eq).trim());
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw new InvalidConfigError(variable, 'a key or value is not valid percent-encoding');
    }
    // Assigned, a key `__proto__` was dropped without a word: kept, the option's own checks see it.
    setOwnField(out, key, value);
  }
  return out;
}

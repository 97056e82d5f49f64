import { InvalidConfigError } from './errors';
import { describeValue } from './options/describe';

/*
 * Small validators shared by the core and every exporter, so that every invalid option fails at
 * construction with a message that names the option and what it accepts.
 */

export function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(
      name,
      `expected an integer from ${min} to ${max}, got ${describeValue(value)}`,
    );
  }
  return value;
}

export function numberOption(
  name: string,
  value: unknown,
  fallback: number,
  range: { min?: number; max?: number; minExclusive?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_VALUE;
  const belowMin = range.minExclusive ? (value as number) <= min : (value as number) < min;
  if (typeof value !== 'number' || !Number.isFinite(value) || belowMin || value > max) {
    throw new InvalidConfigError(
      name,
      `expected a number ${range.minExclusive ? 'above' : 'from'} ${min}${max < Number.MAX_VALUE ? ` to ${max}` : ''}, got ${describeValue(value)}`,
    );
  }
  return value;
}

export function enumOption<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidConfigError(
      name,
      `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidConfigError(name, `expected true or false, got ${describeValue(value)}`);
  }
  return value;
}

export function stringOption(
  name: string,
  value: unknown,
  fallback: string | undefined,
): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidConfigError(name, `expected a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}

export function urlOption(name: string, value: unknown): URL {
  let url: URL | undefined;
  if (value instanceof URL) {
    url = value;
  } else if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      // reported below
    }
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
  // The value is echoed with any credentials in it redacted.
  throw new InvalidConfigError(
    name,
    `expected an http:// or https:// URL (as a string or URL object), got ${describeValue(value)}`,
  );
}

/** Reads an environment variable, treating an empty value as unset (as shells often export them). */
export function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

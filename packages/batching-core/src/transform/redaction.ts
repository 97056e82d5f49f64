import { createHash } from 'node:crypto';
import { InvalidConfigError } from '../errors';
import { compileRegex } from './regex';
import type { TransformSyntaxError } from './errors';
import { setOwnField } from '../sdk/own-field';
import type { MapView } from './views';

/**
 * The redaction preset, after the Collector's `redaction` processor (its option names in camel
 * case): keys not allowed are removed, values matching a blocked pattern are masked (`****`) or
 * hashed, and a summary of what was done is added as attributes.
 */
export interface RedactionOptions {
  /** Only these keys are kept (with `ignoredKeys`); without it every key is allowed (the Collector fails closed on an empty list: see the README). */
  allowedKeys?: readonly string[];
  /** Keys left as they are: neither removed nor masked. */
  ignoredKeys?: readonly string[];
  /** Keys whose whole value is masked (regular expressions). */
  blockedKeyPatterns?: readonly string[];
  /** Value patterns masked where they occur (regular expressions), besides the built-in ones. */
  blockedValues?: readonly string[];
  /** Values matching one of these are never masked (regular expressions). */
  allowedValues?: readonly string[];
  /** Built-in value patterns: default all three. `[]` turns them off. */
  builtIn?: readonly ('credit_card' | 'email' | 'bearer_token')[];
  /** Mask with the value's hash (hex) instead of `****`. */
  hashFunction?: 'sha256' | 'sha1' | 'md5';
  /** Mask numbers and booleans too (as text), not only strings. */
  redactAllTypes?: boolean;
  /** `info` (default): counts as attributes; `debug`: the keys too; `silent`: none. */
  summary?: 'debug' | 'info' | 'silent';
}

export const SUMMARY = {
  redactedKeys: 'redaction.redacted.keys',
  redactedCount: 'redaction.redacted.count',
  maskedKeys: 'redaction.masked.keys',
  maskedCount: 'redaction.masked.count',
  ignoredCount: 'redaction.ignored.count',
} as const;

const MASK = '****';

interface ValuePattern {
  pattern: RegExp;
  keep?: number;
  valid?: (match: string) => boolean;
  mayMatch?: (text: string) => boolean;
}

/**
 * A built-in pattern, with a check that keeps look-alikes (order numbers failing Luhn's check),
 * and a quick test of whether the text can hold a match at all.
 */
const BUILT_IN: Record<string, ValuePattern> = {
  credit_card: { pattern: /\b\d(?:[ -]?\d){12,18}\b/g, valid: luhn },
  /*
   * Without an `@` there is no address, and the pattern would find that out slowly: it tries
   * every start in a long run of name characters (a user agent, a path) and reads the run to
   * its end from each: 40 % of the preset's time in a profile.
   */
  email: {
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
    mayMatch: (text) => text.includes('@'),
  },
  // Keeps the scheme word, so that "Authorization: Bearer ****" still says what was there.
  bearer_token: { pattern: /\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, keep: 1 },
};

export interface RedactionCounts {
  redacted: number;
  masked: number;
}

export interface Redactor {
  /** Redacts one attribute map; returns what it did. `summary` adds the summary attributes. */
  attributes(view: MapView, summary: boolean): RedactionCounts;
  /** Masks a string (a log body); unchanged text comes back as the same string. */
  text(value: string): { text: string; masked: boolean };
}

export function compileRedaction(options: RedactionOptions, name: string): Redactor {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidConfigError(name, 'expected true or an object');
  }
  const regexes = (field: keyof RedactionOptions) =>
    ((options[field] as readonly string[] | undefined) ?? []).map((source, i) => {
      if (typeof source !== 'string')
        throw new InvalidConfigError(
          `${name}.${field}[${i}]`,
          'expected a regular expression in a string',
        );
      try {
        return compileRegex(source, 0, true);
      } catch (error) {
        throw new InvalidConfigError(
          `${name}.${field}[${i}]`,
          (error as TransformSyntaxError).message,
        );
      }
    });
  const builtIn = options.builtIn ?? ['credit_card', 'email', 'bearer_token'];
  for (const b of builtIn) {
    // Own keys only: `constructor` passed as a pattern and every item then threw in redaction.
    if (!Object.hasOwn(BUILT_IN, b))
      throw new InvalidConfigError(
        `${name}.builtIn`,
        `unknown pattern ${JSON.stringify(b)} (credit_card, email, bearer_token)`,
      );
  }
  const values: ValuePattern[] = [
    ...builtIn.map((b) => BUILT_IN[b]),
    ...regexes('blockedValues').map((pattern) => ({ pattern })),
  ];
  const allowedValues = regexes('allowedValues');
  const blockedKeys = regexes('blockedKeyPatterns');
  const allowed = options.allowedKeys ? new Set(options.allowedKeys) : undefined;
  const ignored = new Set(options.ignoredKeys ?? []);
  const summary = options.summary ?? 'info';
  if (!['debug', 'info', 'silent'].includes(summary)) {
    throw new InvalidConfigError(`${name}.summary`, 'expected debug, info or silent');
  }
  const hashFunction = options.hashFunction;
  if (hashFunction !== undefined && !['sha256', 'sha1', 'md5'].includes(hashFunction)) {
    throw new InvalidConfigError(`${name}.hashFunction`, 'expected sha256, sha1 or md5');
  }
  const mask = (text: string) =>
    hashFunction ? createHash(hashFunction).update(text).digest('hex') : MASK;

  const maskText = (text: string): { text: string; masked: boolean } => {
    if (allowedValues.length > 0 && allowedValues.some((p) => test(p, text))) {
      return { text, masked: false };
    }
    let out = text;
    for (const { pattern, keep, valid, mayMatch } of values) {
      if (mayMatch !== undefined && !mayMatch(out)) continue;
      // Most values hold no match: a test finds that out without the replace's allocations.
      if (!test(pattern, out)) continue;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (match: string, ...groups: unknown[]) => {
        if (valid && !valid(match)) return match;
        const kept = keep ? (groups[keep - 1] as string) : '';
        return kept + mask(match.slice(kept.length));
      });
    }
    return { text: out, masked: out !== text };
  };

  return {
    text: maskText,
    attributes(view, addSummary) {
      const source = view.read();
      const removed: string[] = [];
      const masked: string[] = [];
      // Keys and values in lists, not an object: a `__proto__` key assigned into one is lost.
      const replacedKeys: string[] = [];
      const replacedValues: string[] = [];
      let ignoredCount = 0;
      for (const key of Object.keys(source)) {
        if (ignored.has(key)) {
          ignoredCount++;
          continue;
        }
        if (allowed && !allowed.has(key)) {
          removed.push(key);
          continue;
        }
        const value = source[key];
        const text =
          typeof value === 'string'
            ? value
            : options.redactAllTypes && (typeof value === 'number' || typeof value === 'boolean')
              ? String(value)
              : undefined;
        if (text === undefined) continue;
        if (blockedKeys.length > 0 && blockedKeys.some((p) => test(p, key))) {
          masked.push(key);
          replacedKeys.push(key);
          replacedValues.push(mask(text));
          continue;
        }
        const result = maskText(text);
        if (result.masked) {
          masked.push(key);
          replacedKeys.push(key);
          replacedValues.push(result.text);
        }
      }
      const counts = { redacted: removed.length, masked: masked.length };
      const writeSummary =
        addSummary &&
        summary !== 'silent' &&
        (removed.length > 0 || masked.length > 0 || ignoredCount > 0);
      if (removed.length === 0 && masked.length === 0 && !writeSummary) return counts;
      if (removed.length > 0) {
        const gone = new Set(removed);
        view.removeKeys((key) => gone.has(key));
      }
      const map = view.write();
      for (let i = 0; i < replacedKeys.length; i++)
        setOwnField(map, replacedKeys[i], replacedValues[i]);
      if (writeSummary) {
        if (summary === 'debug') {
          if (removed.length > 0) map[SUMMARY.redactedKeys] = [...removed].sort().join(',');
          if (masked.length > 0) map[SUMMARY.maskedKeys] = [...masked].sort().join(',');
        }
        if (removed.length > 0) map[SUMMARY.redactedCount] = removed.length;
        if (masked.length > 0) map[SUMMARY.maskedCount] = masked.length;
        if (ignoredCount > 0) map[SUMMARY.ignoredCount] = ignoredCount;
      }
      return counts;
    },
  };
}

function test(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/** Luhn's check digit: card numbers pass, most other long digit runs do not. */
function luhn(match: string): boolean {
  const digits = match.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

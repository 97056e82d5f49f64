import { booleanOption, enumOption, integerOption, numberOption, stringOption } from '../config';
import { InvalidConfigError } from '../errors';
import type { Signal } from '../types';
import { fromText } from './environment';
import type { TextParser } from './environment';

/**
 * One of an exporter's own options: how a value is checked, how an environment variable's text
 * becomes one, and the default. Made with the `optionKinds` builders below.
 */
export interface OptionKind<T> {
  /** Checks a value (from code, or from `fromText`), naming `source` in any error. */
  parse(value: unknown, source: string): T;
  /**
   * How an environment variable's text becomes a value. Options without one (objects,
   * functions) have no variable.
   */
  readonly fromText?: TextParser;
  /**
   * The backend's own variables for this option (the first set wins), instead of the rule's
   * `OTELPACK_<BACKEND>_<OPTION>`; `[]`: no variable at all; a function: a list per signal.
   */
  readonly env?: readonly string[] | ((signal: Signal) => readonly string[]);
  /** Shown in the option tables; `undefined`: no default. */
  readonly defaultValue?: T;
}

interface Common {
  env?: readonly string[] | ((signal: Signal) => readonly string[]);
}

function kind<T>(
  parse: (value: unknown, source: string) => T,
  text: TextParser | undefined,
  settings: Common & { default?: unknown },
): OptionKind<T> {
  return {
    parse,
    ...(text ? { fromText: text } : {}),
    ...(settings.env ? { env: settings.env } : {}),
    ...(settings.default !== undefined ? { defaultValue: settings.default as T } : {}),
  };
}

function string(settings: Common & { default: string }): OptionKind<string>;
function string(settings?: Common): OptionKind<string | undefined>;
function string(settings: Common & { default?: string } = {}): OptionKind<string | undefined> {
  return kind((v, source) => stringOption(source, v, settings.default), fromText.string, settings);
}

interface IntegerSettings extends Common {
  min?: number;
  max?: number;
}
function integer(settings: IntegerSettings & { default: number }): OptionKind<number>;
function integer(settings?: IntegerSettings): OptionKind<number | undefined>;
function integer(
  settings: IntegerSettings & { default?: number } = {},
): OptionKind<number | undefined> {
  return kind(
    (v, source) =>
      v === undefined && settings.default === undefined
        ? undefined
        : integerOption(source, v, settings.default as number, settings),
    fromText.integer,
    settings,
  );
}

function number(
  settings: Common & { default: number; min?: number; max?: number },
): OptionKind<number> {
  return kind(
    (v, source) => numberOption(source, v, settings.default, settings),
    fromText.number,
    settings,
  );
}

function boolean(settings: Common & { default: boolean }): OptionKind<boolean>;
function boolean(settings?: Common): OptionKind<boolean | undefined>;
function boolean(settings: Common & { default?: boolean } = {}): OptionKind<boolean | undefined> {
  return kind(
    (v, source) =>
      v === undefined && settings.default === undefined
        ? undefined
        : booleanOption(source, v, settings.default as boolean),
    fromText.boolean,
    settings,
  );
}

function oneOf<const T extends string>(
  values: readonly T[],
  settings: Common & { default: T },
): OptionKind<T> {
  return kind(
    (v, source) => enumOption(source, v, values, settings.default),
    fromText.string,
    settings,
  );
}

/** A list of strings; from the environment, comma-separated. */
function list(settings: Common & { default?: string[] } = {}): OptionKind<string[]> {
  return kind(
    (v, source) => {
      if (v === undefined) return [...(settings.default ?? [])];
      if (!Array.isArray(v) || v.some((item) => typeof item !== 'string')) {
        throw new InvalidConfigError(source, 'expected an array of strings');
      }
      return [...v] as string[];
    },
    fromText.list,
    settings,
  );
}

/** Names to string values; from the environment, `k=v,k2=v2`. */
function keyValues(settings: Common = {}): OptionKind<Record<string, string>> {
  return kind(
    (v, source) => {
      if (v === undefined) return {};
      if (!v || typeof v !== 'object' || Array.isArray(v)) {
        throw new InvalidConfigError(source, 'expected an object of names to string values');
      }
      for (const [name, value] of Object.entries(v)) {
        if (typeof value !== 'string') {
          throw new InvalidConfigError(`${source}.${name}`, 'expected a string value');
        }
      }
      return { ...(v as Record<string, string>) };
    },
    fromText.keyValues,
    settings,
  );
}

/** Anything the exporter checks itself (objects, functions, clients): no environment variable. */
function custom<T>(parse: (value: unknown, source: string) => T): OptionKind<T> {
  return { parse, env: [] };
}

/** The builders of an exporter's own options. */
export const optionKinds = { string, integer, number, boolean, oneOf, list, keyValues, custom };

import { createHash } from 'node:crypto';
import { TransformRuntimeError, stringArg } from './compiler';
import type { FunctionSpec, Getter } from './compiler';
import { asText, isMap, isNil, typeName } from './values';

/*
 * The converters: functions that compute a value, named as in OTTL's ottlfuncs. The subset is
 * what redaction, conditions and renaming need; the README lists it against OTTL's list.
 */

const one = (kind: 'any' | 'string' = 'any') => [{ name: 'target', kind }] as const;

const hash = (algorithm: string): FunctionSpec<Getter> => ({
  params: one('string'),
  make: ({ target }) => {
    const get = target as Getter;
    return (f) =>
      createHash(algorithm)
        .update(stringArg(get, f, 'target'))
        .digest('hex');
  },
});

const is = (check: (value: unknown) => boolean): FunctionSpec<Getter> => ({
  params: one(),
  make: ({ target }) => {
    const get = target as Getter;
    return (f) => check(get(f));
  },
});

const text = (change: (value: string) => string): FunctionSpec<Getter> => ({
  params: one('string'),
  make: ({ target }) => {
    const get = target as Getter;
    return (f) => change(stringArg(get, f, 'target'));
  },
});

export const CONVERTERS: Record<string, FunctionSpec<Getter>> = {
  SHA256: hash('sha256'),
  SHA1: hash('sha1'),
  MD5: hash('md5'),
  SHA512: hash('sha512'),
  Concat: {
    params: [
      { name: 'vals', kind: 'list' },
      { name: 'delimiter', kind: 'literalString' },
    ],
    make: ({ vals, delimiter }) => {
      const items = vals as Getter[];
      const separator = delimiter as string;
      // One string built in a loop: no array and no closure per item.
      return (f) => {
        let out = '';
        for (let i = 0; i < items.length; i++) {
          const value = items[i](f);
          if (i > 0) out += separator;
          // Go prints a nil as <nil>, and OTTL's Concat keeps that.
          out += isNil(value) ? '<nil>' : (asText(value) as string);
        }
        return out;
      };
    },
  },
  IsMatch: {
    params: [
      { name: 'target', kind: 'any' },
      { name: 'pattern', kind: 'pattern' },
    ],
    make: ({ target, pattern }) => {
      const get = target as Getter;
      const regex = pattern as RegExp;
      return (f) => {
        const value = asText(get(f));
        return value === undefined ? false : regex.test(value);
      };
    },
  },
  Len: {
    params: one(),
    make: ({ target }) => {
      const get = target as Getter;
      return (f) => {
        const value = get(f);
        if (typeof value === 'string') return [...value].length;
        if (Array.isArray(value) || value instanceof Uint8Array) return value.length;
        if (isMap(value)) return Object.keys(value).length;
        throw new TransformRuntimeError(`Len: cannot take the length of ${typeName(value)}`);
      };
    },
  },
  ToLowerCase: text((s) => s.toLowerCase()),
  ToUpperCase: text((s) => s.toUpperCase()),
  Trim: text((s) => s.trim()),
  Int: {
    params: one(),
    make: ({ target }) => {
      const get = target as Getter;
      return (f) => {
        const value = get(f);
        if (typeof value === 'number')
          return Number.isFinite(value) ? Math.trunc(value) : undefined;
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string')
          return /^[-+]?\d+$/.test(value.trim()) ? Number.parseInt(value, 10) : undefined;
        if (isNil(value)) return undefined;
        throw new TransformRuntimeError(`Int: unsupported type ${typeName(value)}`);
      };
    },
  },
  Double: {
    params: one(),
    make: ({ target }) => {
      const get = target as Getter;
      return (f) => {
        const value = get(f);
        if (typeof value === 'number') return value;
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') {
          const parsed = Number(value.trim());
          return value.trim() === '' || Number.isNaN(parsed) ? undefined : parsed;
        }
        if (isNil(value)) return undefined;
        throw new TransformRuntimeError(`Double: unsupported type ${typeName(value)}`);
      };
    },
  },
  String: {
    params: one(),
    make: ({ target }) => {
      const get = target as Getter;
      return (f) => {
        const value = get(f);
        return isNil(value) ? '<nil>' : asText(value);
      };
    },
  },
  Substring: {
    params: [
      { name: 'target', kind: 'string' },
      { name: 'start', kind: 'int' },
      { name: 'length', kind: 'int' },
    ],
    make: ({ target, start, length }) => {
      const get = target as Getter;
      return (f) => {
        const value = stringArg(get, f, 'target');
        const from = (start as Getter)(f) as number;
        const count = (length as Getter)(f) as number;
        if (from < 0 || count <= 0 || from + count > value.length) {
          throw new TransformRuntimeError(
            `invalid range for substring function, ${from + count} cannot be greater than the length of target string(${value.length})`,
          );
        }
        return value.slice(from, from + count);
      };
    },
  },
  Split: {
    params: [
      { name: 'target', kind: 'string' },
      { name: 'delimiter', kind: 'literalString' },
    ],
    make: ({ target, delimiter }) => {
      const get = target as Getter;
      return (f) => {
        const value = get(f);
        return isNil(value) ? undefined : stringArg(get, f, 'target').split(delimiter as string);
      };
    },
  },
  IsString: is((v) => typeof v === 'string'),
  IsBool: is((v) => typeof v === 'boolean'),
  IsInt: is((v) => typeof v === 'number' && Number.isInteger(v)),
  IsDouble: is((v) => typeof v === 'number'),
  IsMap: is(isMap),
  IsList: is(Array.isArray),
  Hex: {
    params: one(),
    make: ({ target }) => {
      const get = target as Getter;
      return (f) => {
        const value = get(f);
        if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
        return Buffer.from(asText(value) ?? '').toString('hex');
      };
    },
  },
};

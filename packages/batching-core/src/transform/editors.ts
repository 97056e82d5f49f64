import { DROP, TransformRuntimeError, stringArg } from './compiler';
import type { Action, FunctionSpec, Getter } from './compiler';
import type { Frame, Ref } from './contexts';
import { TransformSyntaxError } from './errors';
import { compileGlob, compileRegex, expand } from './regex';
import { setOwnField } from '../sdk/own-field';
import { deepCopy, isMap, isNil } from './values';
import type { ValueMap } from './values';

/*
 * The editors: functions that change the item, named as in OTTL's ottlfuncs, with its parameter
 * names (named arguments work). `drop` is ours: the Collector drops with the filter processor.
 */

type Fn = (value: unknown) => unknown;

export const EDITORS: Record<string, FunctionSpec<Action>> = {
  set: {
    params: [
      { name: 'target', kind: 'target' },
      { name: 'value', kind: 'any' },
    ],
    make: ({ target, value }) => {
      const ref = target as Ref;
      const get = value as Getter;
      return (f) => {
        const v = get(f);
        // As in OTTL, setting nil leaves the target as it is. A map or list is copied: read from
        // an SDK item, it would otherwise be shared, and a later write into it would change the
        // SDK's own object.
        if (!isNil(v)) ref.set?.(f, typeof v === 'object' ? deepCopy(v) : v);
      };
    },
  },
  delete_key: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'key', kind: 'literalString' },
    ],
    make: ({ target, key }) => {
      const ref = target as Ref;
      const name = key as string;
      return (f) => {
        if (!Object.hasOwn((ref.get(f) as object) ?? {}, name)) return;
        removeKeys(ref, f, (k) => k === name);
      };
    },
  },
  delete_matching_keys: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'pattern', kind: 'pattern' },
    ],
    make: ({ target, pattern }) => editKeys(target as Ref, (key) => !(pattern as RegExp).test(key)),
  },
  keep_keys: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'keys', kind: 'strings' },
    ],
    make: ({ target, keys }) => {
      const keep = new Set(keys as string[]);
      return editKeys(target as Ref, (key) => keep.has(key));
    },
  },
  keep_matching_keys: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'pattern', kind: 'pattern' },
    ],
    make: ({ target, pattern }) => editKeys(target as Ref, (key) => (pattern as RegExp).test(key)),
  },
  limit: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'limit', kind: 'literalInt' },
      { name: 'priority_keys', kind: 'strings', optional: true },
    ],
    make: ({ target, limit, priority_keys }, call) => {
      const max = limit as number;
      const priority = [...new Set((priority_keys as string[] | undefined) ?? [])];
      if (max < 0) {
        throw new TransformSyntaxError(
          `invalid limit for limit function, ${max} cannot be negative`,
          call.offset,
        );
      }
      if (priority.length > max) {
        throw new TransformSyntaxError(
          `invalid limit for limit function, ${max} cannot be less than the number of priority keys (${priority.length})`,
          call.offset,
        );
      }
      const ref = target as Ref;
      return (f) => {
        const current = ref.get(f);
        if (!isMap(current) || Object.keys(current).length <= max) return;
        const kept = new Set(priority.filter((key) => Object.hasOwn(current, key)));
        for (const key of Object.keys(current)) {
          if (kept.size >= max) break;
          kept.add(key);
        }
        removeKeys(ref, f, (key) => !kept.has(key));
      };
    },
  },
  truncate_all: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'limit', kind: 'literalInt' },
    ],
    make: ({ target, limit }, call) => {
      const max = limit as number;
      if (max < 0) {
        throw new TransformSyntaxError(
          `invalid limit for truncate_all function, ${max} cannot be negative`,
          call.offset,
        );
      }
      const ref = target as Ref;
      return (f) => {
        const current = ref.get(f);
        if (!isMap(current)) return;
        if (!Object.values(current).some((v) => typeof v === 'string' && v.length > max)) return;
        const map = ref.writableMap?.(f) as ValueMap;
        for (const key of Object.keys(map)) {
          const value = map[key];
          if (typeof value === 'string' && value.length > max)
            setOwnField(map, key, value.slice(0, max));
        }
      };
    },
  },
  replace_pattern: {
    params: [
      { name: 'target', kind: 'target' },
      { name: 'regex', kind: 'pattern' },
      { name: 'replacement', kind: 'string' },
      { name: 'function', kind: 'function', optional: true },
      { name: 'replacementFormat', kind: 'string', optional: true },
    ],
    make: (args) => {
      const ref = args.target as Ref;
      const replace = replacer(args);
      return (f) => {
        const value = ref.get(f);
        if (typeof value !== 'string') return;
        const replaced = replace(f, value);
        if (replaced !== value) ref.set?.(f, replaced);
      };
    },
  },
  replace_all_patterns: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'mode', kind: 'literalString' },
      { name: 'regex', kind: 'pattern' },
      { name: 'replacement', kind: 'string' },
      { name: 'function', kind: 'function', optional: true },
      { name: 'replacementFormat', kind: 'string', optional: true },
    ],
    make: (args, call) => {
      const mode = args.mode as string;
      if (mode !== 'key' && mode !== 'value') {
        throw new TransformSyntaxError(
          `invalid mode ${mode}, must be either 'key' or 'value'`,
          call.offset,
        );
      }
      const ref = args.target as Ref;
      const replace = replacer(args);
      const pattern = args.regex as RegExp;
      return (f) => {
        const current = ref.get(f);
        if (!isMap(current)) return;
        const touched = Object.keys(current).some((key) =>
          mode === 'key'
            ? test(pattern, key)
            : typeof current[key] === 'string' && test(pattern, current[key]),
        );
        if (!touched) return;
        const map = ref.writableMap?.(f) as ValueMap;
        for (const key of Object.keys(map)) {
          if (mode === 'value') {
            const value = map[key];
            if (typeof value === 'string') setOwnField(map, key, replace(f, value));
          } else if (test(pattern, key)) {
            const renamed = replace(f, key);
            if (renamed !== key) {
              setOwnField(map, renamed, map[key]);
              delete map[key];
            }
          }
        }
      };
    },
  },
  replace_match: {
    params: [
      { name: 'target', kind: 'target' },
      { name: 'pattern', kind: 'literalString' },
      { name: 'replacement', kind: 'string' },
      { name: 'function', kind: 'function', optional: true },
      { name: 'replacementFormat', kind: 'string', optional: true },
    ],
    make: (args) => {
      const ref = args.target as Ref;
      const glob = compileGlob(args.pattern as string);
      const replacement = args.replacement as Getter;
      const fn = args.function as Fn | undefined;
      const format = args.replacementFormat as Getter | undefined;
      return (f) => {
        const value = ref.get(f);
        if (typeof value !== 'string' || !glob.test(value)) return;
        const text = stringArg(replacement, f, 'replacement');
        ref.set?.(f, fn ? applyFunction(fn, text, format, f) : text);
      };
    },
  },
  merge_maps: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'source', kind: 'any' },
      { name: 'strategy', kind: 'literalString' },
    ],
    make: ({ target, source, strategy }, call) => {
      const how = strategy as string;
      if (how !== 'insert' && how !== 'update' && how !== 'upsert') {
        throw new TransformSyntaxError(
          `invalid value for strategy, ${how}, must be 'insert', 'update' or 'upsert'`,
          call.offset,
        );
      }
      const ref = target as Ref;
      const get = source as Getter;
      return (f) => {
        const from = get(f);
        if (isNil(from)) return;
        if (!isMap(from)) throw new TransformRuntimeError(`merge_maps: source is not a map`);
        const map = ref.writableMap?.(f);
        if (!map) return;
        for (const key of Object.keys(from)) {
          const has = Object.hasOwn(map, key);
          if ((how === 'insert' && !has) || (how === 'update' && has) || how === 'upsert') {
            const value = from[key];
            setOwnField(
              map,
              key,
              typeof value === 'object' && value !== null ? deepCopy(value) : value,
            );
          }
        }
      };
    },
  },
  flatten: {
    params: [
      { name: 'target', kind: 'map' },
      { name: 'prefix', kind: 'literalString', optional: true },
      { name: 'depth', kind: 'literalInt', optional: true },
      { name: 'resolveConflicts', kind: 'literalBool', optional: true },
    ],
    make: ({ target, prefix, depth, resolveConflicts }, call) => {
      if (depth !== undefined && (depth as number) < 0) {
        throw new TransformSyntaxError(
          'invalid depth for flatten function, it cannot be negative',
          call.offset,
        );
      }
      const ref = target as Ref;
      const maxDepth = (depth as number | undefined) ?? 100;
      return (f) => {
        const current = ref.get(f);
        if (!isMap(current)) throw new TransformRuntimeError('flatten: the target is not a map');
        const map = ref.writableMap?.(f) as ValueMap;
        const flat: ValueMap = {};
        flattenInto(
          flat,
          map,
          (prefix as string | undefined) ?? '',
          0,
          maxDepth,
          resolveConflicts === true,
        );
        for (const key of Object.keys(map)) delete map[key];
        for (const key of Object.keys(flat)) setOwnField(map, key, flat[key]);
      };
    },
  },
  drop: {
    params: [],
    make: () => () => DROP,
  },
};

/** Keeps the keys `keep` says yes to; copies the map only if one goes. */
function editKeys(ref: Ref, keep: (key: string) => boolean): Action {
  return (f: Frame) => {
    const current = ref.get(f);
    if (!isMap(current) || Object.keys(current).every(keep)) return;
    removeKeys(ref, f, (key) => !keep(key));
  };
}

/** Removes keys from a map path, by MapView.removeKeys where the path has it (attributes). */
function removeKeys(ref: Ref, f: Frame, drop: (key: string) => boolean): void {
  if (ref.removeKeys) return ref.removeKeys(f, drop);
  const map = ref.writableMap?.(f);
  if (map) for (const key of Object.keys(map)) if (drop(key)) delete map[key];
}

function test(pattern: RegExp, text: unknown): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text as string);
}

/**
 * replace_pattern's replacement: each match is replaced by the expanded template, or, with a
 * function, by the function of the expanded template (formatted with replacementFormat's %s).
 */
function replacer(args: Record<string, unknown>): (f: Frame, text: string) => string {
  const pattern = compileRegex((args.regex as RegExp).source, 0, true);
  const flags = (args.regex as RegExp).flags;
  const global = new RegExp(pattern.source, flags.includes('g') ? flags : `${flags}g`);
  const replacement = args.replacement as Getter;
  const fn = args.function as Fn | undefined;
  const format = args.replacementFormat as Getter | undefined;
  return (f, text) => {
    global.lastIndex = 0;
    if (!global.test(text)) return text;
    const template = stringArg(replacement, f, 'replacement');
    global.lastIndex = 0;
    let out = '';
    let last = 0;
    for (let match = global.exec(text); match; match = global.exec(text)) {
      const expanded = expand(template, match);
      out +=
        text.slice(last, match.index) + (fn ? applyFunction(fn, expanded, format, f) : expanded);
      last = match.index + match[0].length;
      if (match[0].length === 0) global.lastIndex++;
    }
    return out + text.slice(last);
  };
}

function applyFunction(fn: Fn, text: string, format: Getter | undefined, f: Frame): string {
  const result = fn(text);
  if (typeof result !== 'string') {
    throw new TransformRuntimeError(
      `the replacement function returned ${typeof result}, expected string`,
    );
  }
  if (!format) return result;
  const template = stringArg(format, f, 'replacementFormat');
  if (!template.includes('%s')) {
    throw new TransformRuntimeError(
      `replacementFormat must contain %s, got ${JSON.stringify(template)}`,
    );
  }
  return template.replace('%s', result);
}

function flattenInto(
  out: ValueMap,
  source: unknown,
  prefix: string,
  depth: number,
  maxDepth: number,
  resolveConflicts: boolean,
): void {
  const entries: [string, unknown][] = Array.isArray(source)
    ? source.map((v, i) => [String(i), v])
    : Object.keys(source as ValueMap)
        .sort()
        .map((k) => [k, (source as ValueMap)[k]]);
  for (const [key, value] of entries) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if ((isMap(value) || Array.isArray(value)) && depth < maxDepth) {
      flattenInto(out, value, name, depth + 1, maxDepth, resolveConflicts);
      continue;
    }
    let target = name;
    if (resolveConflicts) {
      for (let n = 1; Object.hasOwn(out, target); n++) target = `${name}.${n}`;
    }
    setOwnField(out, target, value);
  }
}

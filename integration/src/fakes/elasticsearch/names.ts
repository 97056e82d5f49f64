/*
 * Names: which index and data stream names Elasticsearch accepts, its wildcard patterns, and
 * how a comma-separated name expression expands against what exists.
 */

/** The reason Elasticsearch would give for refusing an index or data stream name, if any. */
export function indexNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name !== name.toLowerCase()) return 'must be lowercase';
  if (/^[_\-+]/.test(name)) return "must not start with '_', '-', or '+'";
  if (name === '.' || name === '..') return "must not be '.' or '..'";
  if (name.includes(':')) return "must not contain ':'";
  if (/[\\/*?"<>| ,#]/.test(name)) {
    return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]';
  }
  const bytes = Buffer.byteLength(name);
  if (bytes > 255) return `index name is too long, (${bytes} > 255)`;
  return undefined;
}

/** An Elasticsearch wildcard pattern (`*` only) as an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/**
 * The names of `known` an expression such as `a,b*` picks, in order and without repeats; all of
 * them when there is no expression. A wildcard may match nothing, but a plain name that does not
 * exist is an error, and each API has its own: hence `missing`.
 */
export function expandNames(
  known: ReadonlyMap<string, unknown>,
  expression: string | undefined,
  missing: (name: string) => Error,
): string[] {
  if (expression === undefined) return [...known.keys()];
  const names: string[] = [];
  for (const part of expression.split(',')) {
    if (part.includes('*')) {
      const pattern = globToRegExp(part);
      names.push(...[...known.keys()].filter((n) => pattern.test(n)));
    } else if (known.has(part)) {
      names.push(part);
    } else {
      throw missing(part);
    }
  }
  return [...new Set(names)];
}

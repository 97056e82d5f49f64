import { TransformSyntaxError } from './errors';

/*
 * OTTL's patterns are Go (RE2) regular expressions. Most of RE2 reads the same in JavaScript; a
 * leading flag group such as `(?i)` is not JavaScript and becomes the regex's flags. What neither
 * reads (an invalid pattern) is a construction error at the argument's column.
 */
export function compileRegex(pattern: string, offset: number, global = false): RegExp {
  let source = pattern;
  let flags = global ? 'gu' : 'u';
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading) {
    source = source.slice(leading[0].length);
    for (const flag of leading[1]) if (flag !== 'U' && !flags.includes(flag)) flags += flag;
  }
  try {
    return new RegExp(source, flags);
  } catch {
    try {
      // Without the u flag JavaScript accepts more of RE2's escapes (`\-`, `\=`).
      return new RegExp(source, flags.replace('u', ''));
    } catch (error) {
      throw new TransformSyntaxError(`error parsing regexp: ${(error as Error).message}`, offset);
    }
  }
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}` for groups (an absent group is empty, not
 * the literal text JavaScript's replace would leave), `$$` for a dollar sign.
 */
export function expand(template: string, match: RegExpExecArray): string {
  if (!template.includes('$')) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char !== '$') {
      out += char;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i++;
      continue;
    }
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = braced ? undefined : /^[A-Za-z0-9_]+/.exec(rest);
    const name = braced ? braced[1] : bare?.[0];
    if (name === undefined) {
      out += '$';
      continue;
    }
    i += braced ? braced[0].length : name.length;
    out += groupValue(match, name) ?? '';
  }
  return out;
}

function groupValue(match: RegExpExecArray, name: string): string | undefined {
  if (/^\d+$/.test(name)) return match[Number(name)];
  return match.groups?.[name];
}

/** A glob as OTTL's replace_match reads it (gobwas/glob: `*`, `?`, `[…]`, `{a,b}`), matched whole. */
export function compileGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      const body = pattern.slice(i + 1, end).replace(/^!/, '^');
      source += `[${body}]`;
      i = end;
    } else if (char === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) {
        source += '\\{';
        continue;
      }
      source += `(?:${pattern
        .slice(i + 1, end)
        .split(',')
        .map(escapeRegex)
        .join('|')})`;
      i = end;
    } else if (char === '\\' && i + 1 < pattern.length) {
      source += escapeRegex(pattern[++i]);
    } else source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

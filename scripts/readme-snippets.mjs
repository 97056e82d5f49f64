// The TypeScript snippets of every README, as the checks that keep them working see them.
//
// Every ```ts block of every README (the root's, each package's, integration's) is a snippet. A
// snippet is checked against OpenTelemetry JS SDK 2.x unless an HTML comment on the line right
// before its fence says otherwise:
//
//   <!-- snippet: sdk3 -->            type-checked against SDK 3.x (Node 24, compat/sdk3)
//   <!-- snippet: sdk2 sdk3 -->       against both
//   <!-- snippet: sdk2 runnable -->   also run by the packed-install smoke test against the
//                                     package's integration backend
//
// The comment is invisible on GitHub and on npm. A tag this file does not know is an error, so a
// typo cannot turn a check off.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const SNIPPET_TAGS = ['sdk2', 'sdk3', 'runnable'];

const TAG_LINE = /^<!--\s*snippet:\s*([^>]*?)\s*-->\s*$/;
const FENCE_OPEN = /^(\s*)```(\w+)?\s*$/;

/** Every README.md the project ships or shows: the root's, integration's and each package's. */
export function readmeFiles(root = REPO_ROOT) {
  const files = [join(root, 'README.md'), join(root, 'integration', 'README.md')];
  for (const folder of readdirSync(join(root, 'packages')).sort()) {
    files.push(join(root, 'packages', folder, 'README.md'));
  }
  return files.filter((file) => existsSync(file));
}

/**
 * The ```ts blocks of one README: `{ file, line, tags, code, packageFolder }`, where `line` is
 * the fence's 1-based line and `packageFolder` the `packages/<folder>` the README belongs to
 * (undefined for the root and integration READMEs).
 */
export function readmeSnippets(file, root = REPO_ROOT) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const rel = relative(root, file);
  const packageFolder = rel.startsWith('packages/') ? rel.split('/')[1] : undefined;
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    if (!TAG_LINE.test(lines[i].trim())) continue;
    let next = i + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    if (next === lines.length || !FENCE_OPEN.test(lines[next])) {
      throw new Error(`${rel}:${i + 1}: a snippet comment must sit right above a \`\`\`ts block`);
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]);
    if (!open) continue;
    const indent = open[1];
    const language = open[2] ?? '';
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    if (end === lines.length) throw new Error(`${rel}:${i + 1}: a code fence is never closed`);
    // The tag is the line above the fence; blank lines between them are allowed, since a
    // formatter run on the README puts one there (and a silently lost tag would demote a
    // runnable or sdk3 snippet to a plain sdk2 one).
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const tagMatch = above >= 0 ? TAG_LINE.exec(lines[above].trim()) : null;
    if (tagMatch && !['ts', 'typescript'].includes(language)) {
      throw new Error(`${rel}:${i}: a snippet comment must sit right above a \`\`\`ts block`);
    }
    if (['ts', 'typescript'].includes(language)) {
      const tags = tagMatch ? tagMatch[1].split(/[\s,]+/).filter(Boolean) : ['sdk2'];
      for (const tag of tags) {
        if (!SNIPPET_TAGS.includes(tag)) {
          throw new Error(
            `${rel}:${i}: unknown snippet tag "${tag}" (known: ${SNIPPET_TAGS.join(', ')})`,
          );
        }
      }
      if (!tags.includes('sdk2') && !tags.includes('sdk3')) {
        throw new Error(`${rel}:${i}: a snippet must name the SDK it is checked against`);
      }
      const code = lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n');
      snippets.push({ file: rel, line: i + 1, tags, code, packageFolder });
    }
    i = end;
  }
  return snippets;
}

/** Every snippet of every README. */
export function allSnippets(root = REPO_ROOT) {
  return readmeFiles(root).flatMap((file) => readmeSnippets(file, root));
}

// `node scripts/readme-snippets.mjs` lists them: a quick look at what the checks will see.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const s of allSnippets()) {
    process.stdout.write(
      `${s.file}:${s.line} [${s.tags.join(' ')}] ${s.code.split('\n').length} lines\n`,
    );
  }
}

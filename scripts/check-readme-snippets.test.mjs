// The README snippet check must fail on a broken snippet and say where, in README lines: these
// cases run it over a throwaway repository whose README holds known snippets.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from './readme-snippets.mjs';
import { checkReadmeSnippets } from './check-readme-snippets.mjs';

const root = mkdtempSync(join(tmpdir(), 'readme-snippets-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A repository with this README at its root and the real one's strictness. */
function repositoryWith(readme) {
  mkdirSync(join(root, 'packages'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  writeFileSync(join(root, 'README.md'), readme);
}

// Resolved from the real repository's node_modules, as the sdk2 half does.
const check = (sdk = 'sdk2') => checkReadmeSnippets({ sdk, root, modulesDir: REPO_ROOT });

test('a snippet that type-checks passes', () => {
  repositoryWith(
    [
      '# x',
      '',
      '```ts',
      "import { join } from 'node:path';",
      "const where: string = join('a', 'b');",
      'console.log(where);',
      '```',
      '',
    ].join('\n'),
  );
  const { checked, errors } = check();
  assert.equal(checked.length, 1);
  assert.deepEqual(errors, []);
});

test('a type error is reported at its README line, with the code', () => {
  repositoryWith(
    [
      '# x', //                                     line 1
      '',
      '<!-- snippet: sdk2 sdk3 -->',
      '```ts', //                                   line 4: the fence
      "import { join } from 'node:path';",
      '',
      'const count: number = join("a", "b");', //  line 7
      '```',
      '',
    ].join('\n'),
  );
  const { errors } = check();
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^README\.md:7:7: error TS2322: /);
});

test('strict mode holds: an implicit any is an error', () => {
  repositoryWith(
    ['```ts', 'export function twice(n) {', '  return n * 2;', '}', '```', ''].join('\n'),
  );
  const { errors } = check();
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^README\.md:2:\d+: error TS7006: /);
});

test('each snippet is its own module: a name from another snippet is not there', () => {
  repositoryWith(
    ['```ts', 'const shared = 1;', '```', '', '```ts', 'console.log(shared);', '```', ''].join(
      '\n',
    ),
  );
  const { errors } = check();
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^README\.md:6:\d+: error TS2304: Cannot find name 'shared'/);
});

test('only the snippets tagged for the SDK are checked', () => {
  repositoryWith(
    ['<!-- snippet: sdk3 -->', '```ts', 'const n: number = "three";', '```', ''].join('\n'),
  );
  assert.deepEqual(check('sdk2'), { checked: [], errors: [] });
  assert.equal(check('sdk3').errors.length, 1);
});

test('a blank line between the tag and its block keeps the tag (a formatter puts one there)', () => {
  repositoryWith(
    ['<!-- snippet: sdk3 -->', '', '```ts', 'const n: number = "three";', '```', ''].join('\n'),
  );
  assert.deepEqual(check('sdk2'), { checked: [], errors: [] });
  assert.equal(check('sdk3').errors.length, 1);
});

test('a tag with no ts block under it is an error, not a silently untagged snippet', () => {
  repositoryWith(
    ['<!-- snippet: sdk3 -->', '', 'Some text.', '', '```ts', 'const n = 1;', '```', ''].join('\n'),
  );
  assert.throws(() => check('sdk2'), /README.md:1: a snippet comment must sit right above/);
});

test('a snippet naming its file is checked there, so its relative imports resolve', () => {
  mkdirSync(join(root, 'lib'), { recursive: true });
  writeFileSync(join(root, 'lib', 'answer.ts'), 'export const answer = 42;\n');
  repositoryWith(
    [
      '```ts',
      '// test/answer.test.ts',
      "import { answer } from '../lib/answer';",
      'const text: string = answer;',
      '```',
      '',
    ].join('\n'),
  );
  const { errors } = check();
  assert.equal(errors.length, 1, errors.join('\n'));
  // The import resolved (no TS2307); the one error is the snippet's own, at its README line.
  assert.match(errors[0], /^README\.md:4:7: error TS2322: Type 'number' is not assignable/);
});

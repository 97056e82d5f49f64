// The rewrite of scripts/cjs-data-exports.mjs, against what TypeScript (the version this
// repository builds with) emits today, and the built entry points of every workspace package.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { requireTargets, rewriteAccessors } from './cjs-data-exports.mjs';
import { workspacePackages } from './workspace-packages.mjs';

const require = createRequire(import.meta.url);

describe('rewriteAccessors', () => {
  const emitted = ts.transpileModule(
    "export { alpha, beta } from './a';\nexport { Gamma as Delta } from './b';\nexport type { T } from './c';\n",
    { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } },
  ).outputText;

  it('turns every accessor TypeScript emits for a re-export into an assignment, line for line', () => {
    const { source, count } = rewriteAccessors(emitted);
    assert.equal(count, 3, emitted);
    assert.equal(source.split('\n').length, emitted.split('\n').length);
    assert.doesNotMatch(source, /get: function/);
  });

  it('gives the same values, as data properties', () => {
    const modules = { './a': { alpha: 1, beta: () => 2 }, './b': { Gamma: class Gamma {} } };
    const load = (text) => {
      const exports = {};
      new Function('exports', 'require', text)(exports, (id) => modules[id]);
      return exports;
    };
    const before = load(emitted);
    const after = load(rewriteAccessors(emitted).source);
    for (const name of ['alpha', 'beta', 'Delta']) {
      assert.equal(after[name], before[name], name);
      const descriptor = Object.getOwnPropertyDescriptor(after, name);
      assert.equal(descriptor.get, undefined, name);
      assert.equal(descriptor.enumerable, true, name);
    }
    assert.equal(after.Delta, modules['./b'].Gamma);
  });

  it('leaves a file without such accessors as it is', () => {
    const plain = '"use strict";\nexports.x = 1;\n';
    assert.deepEqual(rewriteAccessors(plain), { source: plain, count: 0 });
  });
});

describe('built CommonJS entry points', () => {
  const entries = workspacePackages().flatMap(({ dir, manifest }) =>
    [...requireTargets(manifest)].map((target) => ({
      name: manifest.name,
      path: join(dir, target),
    })),
  );
  const built = entries.filter(({ path }) => existsSync(path));

  it('are found (run after `npm run build`)', () => {
    assert.ok(built.length >= entries.length / 2, `${built.length} of ${entries.length} built`);
  });

  for (const { name, path } of built) {
    it(`${name} ${path.slice(path.indexOf('/dist/') + 1)}: every export a data property`, () => {
      const exports = require(path);
      const accessors = Object.keys(exports).filter(
        (key) => Object.getOwnPropertyDescriptor(exports, key).get !== undefined,
      );
      assert.deepEqual(accessors, []);
    });
  }
});

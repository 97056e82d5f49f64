// The ES module app: import of every entry point of every packed package, and proof that import
// and require() give one single instance (the .mjs entry points re-export the CommonJS build):
// two copies would mean two queues, two ledgers, and `instanceof` failing across them.
// Usage (in the app's esm/ folder): node check-esm.mjs MANIFEST REPORT
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import checks from '../module-checks.cjs';

const require = createRequire(import.meta.url);
const [manifestPath, reportPath] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

// Not names of the package: Node's own views of a CommonJS module imported as ESM.
const INTEROP_NAMES = new Set(['default', 'module.exports']);

async function load(specifier) {
  const namespace = await import(specifier);
  const commonjs = require(specifier);
  const problems = [];
  if (namespace.default !== commonjs) {
    problems.push(
      `${specifier}: import's default export is not require()'s module: ESM loads its own copy`,
    );
  }
  const different = Object.keys(namespace).filter(
    (name) => !INTEROP_NAMES.has(name) && namespace[name] !== commonjs[name],
  );
  if (different.length > 0) {
    problems.push(
      `${specifier}: import and require() give different ${different.join(', ')}: two instances`,
    );
  }
  return { module: namespace, problems };
}

const report = await checks.checkPackages(manifest, load, 'import');
writeFileSync(reportPath, JSON.stringify(report, null, 2));

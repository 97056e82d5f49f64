// The CommonJS app: require() of every entry point of every packed package.
// Usage (in the app's cjs/ folder): node check-cjs.cjs MANIFEST REPORT
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { checkPackages } = require('../module-checks.cjs');

const [manifestPath, reportPath] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

async function load(specifier) {
  return { module: require(specifier), problems: [] };
}

checkPackages(manifest, load, 'require').then((report) => {
  writeFileSync(reportPath, JSON.stringify(report, null, 2));
});

// Checks what npm shows of each package besides its code: license and LICENSE file, where the
// source lives (repository, homepage, bugs, all derived from the root package.json's
// repository.url), that a scoped package publishes as public, and that the module type and side
// effects are declared (bundlers and Node read both).
//
// Usage: node scripts/check-package-manifests.mjs [--fix]
//   --fix writes the derived fields into each package.json and copies the root LICENSE; `type`
//   and `sideEffects` it leaves to a person, since only someone who read the code can say them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { repositoryLinks } from './repository.mjs';
import { publishablePackages, readManifest, REPO_ROOT } from './workspace-packages.mjs';

const fix = process.argv.includes('--fix');
const rootManifest = readManifest(REPO_ROOT);
const links = repositoryLinks(rootManifest);
const rootLicensePath = join(REPO_ROOT, 'LICENSE');
const problems = [];

/** The fields every package must carry as they follow from the root package.json. */
function derivedFields({ folder, manifest }) {
  const directory = `packages/${folder}`;
  return {
    license: rootManifest.license,
    repository: { type: 'git', url: links.gitUrl, directory },
    homepage: `${links.treeUrl(directory)}#readme`,
    bugs: { url: links.issuesUrl },
    ...(manifest.name.startsWith('@') ? { publishConfig: { access: 'public' } } : {}),
  };
}

function expectField(where, manifest, field, expected) {
  if (!isDeepStrictEqual(manifest[field], expected)) {
    problems.push(
      `${where}: "${field}" must be ${JSON.stringify(expected)} (is ${JSON.stringify(manifest[field])})`,
    );
  }
}

expectField('package.json', rootManifest, 'homepage', `${links.webUrl}#readme`);
expectField('package.json', rootManifest, 'bugs', { url: links.issuesUrl });
const rootLicense = existsSync(rootLicensePath) ? readFileSync(rootLicensePath, 'utf8') : '';
if (rootManifest.license === 'Apache-2.0' && !/Apache License\s+Version 2\.0/.test(rootLicense)) {
  problems.push('LICENSE: the root package.json says Apache-2.0; LICENSE must be its full text');
}

for (const pkg of publishablePackages()) {
  const where = `packages/${pkg.folder}/package.json`;
  const expected = derivedFields(pkg);
  if (fix) {
    Object.assign(pkg.manifest, expected);
    writeFileSync(join(pkg.dir, 'package.json'), `${JSON.stringify(pkg.manifest, null, 2)}\n`);
    writeFileSync(join(pkg.dir, 'LICENSE'), rootLicense);
  }
  for (const [field, value] of Object.entries(expected)) {
    expectField(where, pkg.manifest, field, value);
  }
  if (!['commonjs', 'module'].includes(pkg.manifest.type)) {
    problems.push(`${where}: declare "type" ("commonjs" for the tsc build with .mjs wrappers)`);
  }
  const sideEffects = pkg.manifest.sideEffects;
  if (sideEffects !== false && !Array.isArray(sideEffects)) {
    problems.push(
      `${where}: declare "sideEffects": false, or list the files that act when loaded, after reading them`,
    );
  }
  const licensePath = join(pkg.dir, 'LICENSE');
  if (!existsSync(licensePath) || readFileSync(licensePath, 'utf8') !== rootLicense) {
    problems.push(`packages/${pkg.folder}/LICENSE: must be a copy of the root LICENSE`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  process.stderr.write(
    `package manifests: ${problems.length} problem(s); ` +
      '`node scripts/check-package-manifests.mjs --fix` writes the derived fields\n',
  );
  process.exit(1);
}
process.stdout.write(
  `package manifests: ok (${publishablePackages().length} packages, repository ${links.webUrl})\n`,
);

// Checks the links of every package's README (packages/*/README.md, the private packages aside):
// npm shows that README on the package's page, where a relative link that leaves the package
// folder (../batching-core/README.md) leads nowhere. Such links must be absolute GitHub URLs,
// built from the root package.json's repository (this check prints the URL to use). Relative
// links inside the package, and absolute links into this repository's default branch, must name
// a file or folder that exists.
//
// Usage: node scripts/check-readme-links.mjs
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { markdownLinks } from './markdown-links.mjs';
import { DEFAULT_BRANCH, repositoryLinks } from './repository.mjs';
import { publishablePackages, REPO_ROOT } from './workspace-packages.mjs';

const links = repositoryLinks();
const OWN_PAGES = new RegExp(
  `^${links.webUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree)/${DEFAULT_BRANCH}/([^#?]*)`,
);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** `path#anchor` → `{ path, anchor }` (anchor with its #, or ''), the path URL-decoded. */
function splitAnchor(target) {
  const at = target.search(/[?#]/);
  const path = at === -1 ? target : target.slice(0, at);
  return { path: decodeURIComponent(path), anchor: at === -1 ? '' : target.slice(at) };
}

function linkProblem(packageDir, readmePath, target) {
  if (target.startsWith('#')) return undefined;
  if (HAS_SCHEME.test(target)) {
    const own = OWN_PAGES.exec(target);
    if (own && !existsSync(join(REPO_ROOT, decodeURIComponent(own[1])))) {
      return `${target} names ${own[1]}, which is not in the repository`;
    }
    return undefined;
  }
  const { path, anchor } = splitAnchor(target);
  // GitHub reads a link that starts with / from the repository's root.
  const resolved = path.startsWith('/')
    ? join(REPO_ROOT, path)
    : resolve(dirname(readmePath), path);
  const fromPackage = relative(packageDir, resolved);
  if (fromPackage === '..' || fromPackage.startsWith(`..${sep}`) || isAbsolute(fromPackage)) {
    const fromRoot = relative(REPO_ROOT, resolved).split(sep).join('/');
    return `${target} leaves the package folder, which npm does not show; link ${links.blobUrl(fromRoot)}${anchor}`;
  }
  if (!existsSync(resolved)) return `${target} names ${fromPackage}, which does not exist`;
  return undefined;
}

const problems = [];
let checked = 0;
for (const { dir } of publishablePackages()) {
  const readmePath = join(dir, 'README.md');
  if (!existsSync(readmePath)) continue; // the pack check requires it
  for (const { line, target } of markdownLinks(readFileSync(readmePath, 'utf8'))) {
    checked++;
    const problem = linkProblem(dir, readmePath, target);
    if (problem) problems.push(`${relative(REPO_ROOT, readmePath)}:${line}: ${problem}`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  process.stderr.write(`README links: ${problems.length} of ${checked} links would break on npm\n`);
  process.exit(1);
}
process.stdout.write(
  `README links: ok (${checked} links in ${publishablePackages().length} package READMEs)\n`,
);

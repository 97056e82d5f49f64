// The project's addresses on GitHub, all derived from one place: the root package.json's
// `repository.url`. Each package's repository/homepage/bugs and the absolute README links that
// leave a package folder are built from these.
import { readManifest, REPO_ROOT } from './workspace-packages.mjs';

// The branch that links on GitHub and on npm point at: READMEs link to files as they are there.
export const DEFAULT_BRANCH = 'main';

const GITHUB_GIT_URL = /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+?)\.git$/;

export function repositoryLinks(rootManifest = readManifest(REPO_ROOT)) {
  const gitUrl = rootManifest.repository?.url;
  const match = GITHUB_GIT_URL.exec(gitUrl ?? '');
  if (!match) {
    throw new Error(
      `root package.json: repository.url must read git+https://github.com/OWNER/NAME.git (is ${JSON.stringify(gitUrl)})`,
    );
  }
  const webUrl = match[1];
  return {
    gitUrl,
    webUrl,
    issuesUrl: `${webUrl}/issues`,
    /** The page GitHub shows for a file of the repository, `path` relative to its root. */
    blobUrl: (path) => `${webUrl}/blob/${DEFAULT_BRANCH}/${path}`,
    /** The page GitHub shows for a folder of the repository. */
    treeUrl: (path) => `${webUrl}/tree/${DEFAULT_BRANCH}/${path}`,
  };
}

import { resolve } from 'node:path';

/** The repository's root (this file is compat/packed/paths.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

// `npm run` hands its settings to the script as npm_* variables; a child npm would take
// npm_config_local_prefix and friends as its own and install into the repository. What a user's
// shell would give npm (cache, config file, registry) is kept.
const NPM_SETTINGS_KEPT = new Set([
  'npm_config_cache',
  'npm_config_userconfig',
  'npm_config_registry',
]);

/** The environment for npm and tsc: this one, without what `npm run` added. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const fromNpmRun = /^npm_/i.test(name) && !NPM_SETTINGS_KEPT.has(name.toLowerCase());
    if (!fromNpmRun && name !== 'INIT_CWD') env[name] = value;
  }
  return env;
}

// Only what any program needs to run. Not the rest: an exporter reads its options from the
// environment (ELASTICSEARCH_API_KEY, OTELPACK_*), and a developer's own settings or
// credentials must neither change what the apps and snippets do nor reach them.
const APP_ENV_KEPT = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_EXTRA_CA_CERTS'];

/** The environment for the apps and the README snippets: the basics and `extra`, nothing else. */
export function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of APP_ENV_KEPT) if (process.env[name]) env[name] = process.env[name];
  return { ...env, ...extra };
}

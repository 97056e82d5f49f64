import { BACKENDS } from '../../integration/src/backends';
import { isAlive, startBackend, stopBackend } from '../../integration/src/launcher';
import type { RunningBackend } from '../../integration/src/launcher';

/*
 * The integration backends the README snippets run against, started and stopped by the
 * integration harness's own launcher (each on a free port, in a temporary directory, as its own
 * process group), exactly as `npm run test:integration` does.
 */

const running: RunningBackend[] = [];
/** Starts not settled yet: a stop (SIGTERM in the middle of a start) waits for them. */
const starting = new Set<Promise<unknown>>();
/** Set by stopBackends: the run is ending, nothing new may start. */
let stopped = false;

/** Starts the backends with these ids (in parallel); the URL of each one that came up. */
export async function startBackends(
  ids: string[],
): Promise<{ urls: Map<string, string>; problems: string[] }> {
  const urls = new Map<string, string>();
  const problems: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      const definition = BACKENDS.find((b) => b.id === id);
      if (!definition) {
        problems.push(
          `no integration backend "${id}" in integration/src/backends: an exporter names it as its backend`,
        );
        return;
      }
      const availability = await definition.available();
      if (!availability.ok) {
        problems.push(
          `backend ${id} cannot run here: ${availability.reason}; install: ${availability.install}`,
        );
        return;
      }
      if (stopped) {
        problems.push(`backend ${id} not started: the run is stopping`);
        return;
      }
      const start = startBackend(definition);
      starting.add(start);
      try {
        const backend = await start;
        running.push(backend);
        urls.set(id, backend.url);
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      } finally {
        starting.delete(start);
      }
    }),
  );
  return { urls, problems };
}

/** Stops every backend started here; a problem for each one still running afterwards. */
export async function stopBackends(): Promise<string[]> {
  stopped = true;
  await Promise.allSettled(starting);
  const started = running.splice(0);
  await Promise.all(started.map((backend) => stopBackend(backend)));
  return started
    .filter((backend) => isAlive(backend.pid))
    .map((backend) => `backend ${backend.id} (pid ${backend.pid}) is still running after its stop`);
}

import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { findExecutable } from '../executables';
import { probe } from '../launcher';

// Debian's package installs `victoria-metrics`; the upstream release archive calls the same
// single-node binary `victoria-metrics-prod`.
const BINARY_NAMES = ['victoria-metrics', 'victoria-metrics-prod'];
const INSTALL = 'apt-get install -y victoria-metrics prometheus';

/**
 * Single-node VictoriaMetrics, the real thing, from Debian's package (1.79 on Debian 12).
 * Remote write goes to `/api/v1/write`, PromQL to `/api/v1/query`.
 *
 * Freshly written samples are not queryable at once: they wait in an in-memory buffer. A test
 * calls `GET /internal/force_flush` and then polls its query for about a second.
 */
export const victoriametrics: BackendDefinition = {
  id: 'victoriametrics',
  kind: 'real',
  description: 'VictoriaMetrics single-node (native binary, Debian package victoria-metrics)',
  composeService: 'victoriametrics',
  composeUrl: 'http://127.0.0.1:18428',

  async available() {
    if (findExecutable(BINARY_NAMES)) return { ok: true };
    return {
      ok: false,
      reason: `no ${BINARY_NAMES.join(' or ')} executable on PATH or in /usr/bin`,
      install: INSTALL,
    };
  },

  command({ port, dir }) {
    const binary = findExecutable(BINARY_NAMES) ?? BINARY_NAMES[0];
    return {
      command: binary,
      args: [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${join(dir, 'data')}`,
        // The default 30 s hides the newest samples from queries: tests read back at once.
        '-search.latencyOffset=0s',
        // Samples older than the retention are dropped without an error. The instance lives for
        // one run, so the widest retention costs nothing and lets tests write old timestamps.
        '-retentionPeriod=100y',
        // The response cache can serve a range query computed before a test's backfill.
        '-search.disableCache',
      ],
    };
  },

  async ready(url) {
    const answer = await probe(`${url}/health`);
    return answer?.status === 200 && answer.text.trim() === 'OK';
  },
};

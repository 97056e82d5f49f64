import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { findExecutable } from '../executables';
import { probe } from '../launcher';

const BINARY = 'prometheus';
const INSTALL = 'apt-get install -y victoria-metrics prometheus';

// No scrape targets: the instance only receives remote write, so that nothing but the tests
// writes into it. It must not scrape itself either, or `count({__name__=~".+"})` style checks
// would see its own series.
const CONFIG = `# written by the otelpack integration harness
global:
  evaluation_interval: 1m
scrape_configs: []
`;

/**
 * Prometheus, the real thing, from Debian's package (2.42 on Debian 12), with the remote-write
 * receiver on. Written samples are queryable at once.
 *
 * Its TSDB refuses a sample more than 1 h older than the newest sample already in its head block
 * (`out of bounds`, 400), and an older sample on a series that has a newer one (`out of order
 * sample`, 400). An empty head accepts any timestamp. So a test that writes a timestamp in the
 * future makes every later "now" sample in the same instance out of bounds: write near now.
 */
export const prometheus: BackendDefinition = {
  id: 'prometheus',
  kind: 'real',
  description:
    'Prometheus with the remote-write receiver (native binary, Debian package prometheus)',
  composeService: 'prometheus',
  composeUrl: 'http://127.0.0.1:19090',

  async available() {
    if (findExecutable([BINARY])) return { ok: true };
    return {
      ok: false,
      reason: `no ${BINARY} executable on PATH or in /usr/bin`,
      install: INSTALL,
    };
  },

  command({ port, dir }) {
    // Prometheus will not start without a config file, and the launcher has no separate
    // "prepare" hook: it calls command() synchronously right before spawning, in the backend's
    // own fresh directory, so writing the file here is safe and is removed with the directory.
    const configPath = join(dir, 'prometheus.yml');
    writeFileSync(configPath, CONFIG);
    const dataPath = join(dir, 'data');
    mkdirSync(dataPath, { recursive: true });
    return {
      command: findExecutable([BINARY]) ?? BINARY,
      args: [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${dataPath}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
      ],
    };
  },

  async ready(url) {
    // /-/healthy answers as soon as the process serves HTTP; /-/ready only once the TSDB is open.
    const answer = await probe(`${url}/-/ready`);
    return answer?.status === 200;
  },
};

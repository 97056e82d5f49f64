import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureDiagWarnings } from '@otelpack/batching-core/testing';
import { PACKAGE_VERSION, SplunkHecLogRecordExporter } from '../src';
import { HecFake, newToken } from './helpers/fake';
import { logRecord } from './helpers/items';

describe('the start-up check at the first export', () => {
  it('a wrong token is logged through diag at the first export, before any batch is sent', async () => {
    const fake = new HecFake();
    const url = await fake.listen();
    const captured = captureDiagWarnings();
    const errors = captured.lines;
    try {
      const token = newToken().token;
      const exporter = new SplunkHecLogRecordExporter({
        url,
        auth: { token },
        flushIntervalMs: 60_000,
      });
      exporter.export([logRecord({ body: 'x' })], () => undefined);
      for (let i = 0; i < 50 && errors.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(exporter.stats().requests, 0, 'no batch sent yet');
      assert.equal(errors.length, 1);
      assert.match(
        errors[0],
        /splunk-hec: HEC at http:\/\/127\.0\.0\.1:\d+\/services\/collector\/event: HEC refuses the token \(HTTP 403, HEC code 4: Invalid token\)/,
      );
      assert.ok(!errors[0].includes(token));
      await exporter.shutdown();
    } finally {
      captured.stop();
      await fake.close();
    }
  });

  it('no token: the exporter constructs, says so at ERROR once, and HEC refuses (code 2)', async () => {
    const fake = new HecFake();
    const url = await fake.listen();
    const captured = captureDiagWarnings();
    const errors = captured.lines;
    try {
      const exporter = new SplunkHecLogRecordExporter({
        url,
        healthCheck: false,
        flushIntervalMs: 10,
      });
      assert.deepEqual(errors.length, 1);
      assert.match(errors[0], /no HEC token \(auth: \{ token \} or SPLUNK_HEC_TOKEN\)/);
      exporter.export([logRecord({ body: 'x' })], () => undefined);
      await exporter.forceFlush();
      assert.equal(exporter.stats().dropped.rejected, 1);
      await exporter.shutdown();
    } finally {
      captured.stop();
      await fake.close();
    }
  });

  it('healthCheck: false sends nothing before the first batch', async () => {
    const fake = new HecFake();
    const url = await fake.listen();
    const token = newToken();
    fake.addToken(token);
    const exporter = new SplunkHecLogRecordExporter({
      url,
      auth: { token: token.token },
      healthCheck: false,
      flushIntervalMs: 60_000,
    });
    exporter.export([logRecord({ body: 'x' })], () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fake.stats(token.token).requests, 0);
    await exporter.shutdown();
    await fake.close();
  });

  it('__splunk_app_version is the package version', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(PACKAGE_VERSION, manifest.version);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { reportRefusedCredentialsOnce } from '../src';

const errors: string[] = [];

before(() => {
  diag.setLogger(
    {
      error: (message: string) => void errors.push(message),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.ERROR,
  );
});
after(() => diag.disable());

describe('reportRefusedCredentialsOnce', () => {
  it('says the first 401 or 403 once, at ERROR, and nothing for other statuses', () => {
    errors.length = 0;
    const report = reportRefusedCredentialsOnce((status, reason) => `refused ${status}: ${reason}`);
    report(400, 'bad request');
    report(500, 'oops');
    assert.deepEqual(errors, []);
    report(403, 'missing scope');
    report(401, 'bad token');
    assert.deepEqual(errors, ['refused 403: missing scope']);
  });

  it('each reporter says its own once', () => {
    errors.length = 0;
    reportRefusedCredentialsOnce(() => 'a')(401, '');
    reportRefusedCredentialsOnce(() => 'b')(401, '');
    assert.deepEqual(errors, ['a', 'b']);
  });
});

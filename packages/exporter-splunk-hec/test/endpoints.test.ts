import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hecEndpoints } from '../src';

/*
 * Which path a URL's events go to. HEC's endpoints ("HTTP Event Collector REST API endpoints",
 * Splunk docs): /services/collector and /services/collector/event[/1.0] take JSON events,
 * /services/collector/raw[/1.0] takes raw text, /services/collector/ack acknowledgement queries,
 * /services/collector/health[/1.0] the health check.
 */
const ROWS: [url: string, event: string, base: string][] = [
  ['https://splunk:8088', '/services/collector/event', 'https://splunk:8088/'],
  ['https://splunk:8088/services/collector', '/services/collector', 'https://splunk:8088/'],
  [
    'https://splunk:8088/services/collector/event',
    '/services/collector/event',
    'https://splunk:8088/',
  ],
  [
    'https://splunk:8088/services/collector/event/1.0/',
    '/services/collector/event/1.0',
    'https://splunk:8088/',
  ],
  [
    'https://splunk:8088/services/collector/health',
    '/services/collector/event',
    'https://splunk:8088/',
  ],
  [
    'https://splunk:8088/services/collector/health/1.0',
    '/services/collector/event',
    'https://splunk:8088/',
  ],
  ['https://proxy/splunk', '/services/collector/event', 'https://proxy/splunk'],
  [
    'https://proxy/splunk/services/collector/event',
    '/services/collector/event',
    'https://proxy/splunk',
  ],
];

it('events go to the event endpoint the URL names, or the one after a proxy prefix', () => {
  for (const [url, event, base] of ROWS) {
    const endpoints = hecEndpoints(new URL(url));
    assert.deepEqual([endpoints.event, endpoints.base.href], [event, base], url);
  }
});

it('refuses another HEC endpoint: the raw endpoint would store the JSON as text lines', () => {
  for (const path of [
    '/services/collector/raw',
    '/services/collector/raw/1.0',
    '/services/collector/ack',
    '/services/collector/events',
    '/proxy/services/collector/raw',
  ]) {
    assert.throws(
      () => hecEndpoints(new URL(`https://splunk:8088${path}`), 'SPLUNK_HEC_URL'),
      /SPLUNK_HEC_URL.*event endpoint/,
      path,
    );
  }
});

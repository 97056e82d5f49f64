/*
 * A backend module for the real Etsy statsd daemon (npm `statsd`): statsd `require`s it from its
 * config's `backends` and calls it on every flush; it writes the flushed counters and gauges as one
 * JSON line on stdout, prefixed `STATSD_FLUSH `, for the integration test to read back.
 */
'use strict';
/* global exports */

exports.init = function init(_startupTime, _config, events) {
  events.on('flush', (timestamp, metrics) => {
    const line = JSON.stringify({ timestamp, counters: metrics.counters, gauges: metrics.gauges });
    process.stdout.write(`STATSD_FLUSH ${line}\n`);
  });
  return true;
};

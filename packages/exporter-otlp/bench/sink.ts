/**
 * The loopback sink every variant sends to: reads each body to the end, counts its bytes on the
 * wire, answers 200 as the client's backend would: an empty OTLP Export response, or for an
 * Elasticsearch `_bulk` request what Elasticsearch answers a success under the exporter's
 * filter_path (`errors` and each item's status, `{"errors":false,"items":[{"create":{"status":
 * 201}},…]}`, one item per action line), with the product header the Elasticsearch client
 * checks. Runs in its own process (forked by
 * run.ts) so that serving never counts in a client's CPU. Leaves when its parent goes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let requests = 0;
let bodyBytes = 0;

const server = http.createServer((req, res) => {
  let size = 0;
  let lines = 0;
  const bulk = req.url?.includes('/_bulk') === true;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    // NDJSON: an action line and a document line per item.
    if (bulk)
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
  });
  req.on('end', () => {
    requests++;
    bodyBytes += size;
    if (bulk) {
      const items = Math.floor(lines / 2);
      const answer = `{"errors":false,"items":[${Array(items).fill('{"create":{"status":201}}').join(',')}]}`;
      res.writeHead(200, {
        'content-type': 'application/vnd.elasticsearch+json; compatible-with=8',
        'x-elastic-product': 'Elasticsearch',
        'content-length': answer.length,
      });
      res.end(answer);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;

type Command = { type: 'stats' } | { type: 'reset' } | { type: 'close' };

process.on('message', (command: Command) => {
  if (command.type === 'stats') process.send?.({ type: 'stats', requests, bodyBytes });
  if (command.type === 'reset') {
    requests = 0;
    bodyBytes = 0;
    process.send?.({ type: 'reset' });
  }
  if (command.type === 'close') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'listening', url: `http://127.0.0.1:${port}` });
});

/**
 * The local sink of the HTTP scenario: reads each request body to the end and answers 200. Runs
 * in its own process (forked by http-transport.ts) so that serving never competes with the
 * client for one event loop. Listens on 127.0.0.1 only; leaves when its parent goes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const ANSWER = Buffer.from('{"errors":false}');
let requests = 0;
let bodyBytes = 0;
let connections = 0;

const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  req.on('end', () => {
    requests++;
    bodyBytes += size;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length });
    res.end(ANSWER);
  });
});
server.on('connection', () => {
  connections++;
});
// Longer than any phase of the bench, so no client ever meets a socket closed under it.
server.keepAliveTimeout = 60_000;

type Command = { type: 'stats' } | { type: 'close' };

process.on('message', (command: Command) => {
  if (command.type === 'stats') process.send?.({ type: 'stats', requests, bodyBytes, connections });
  if (command.type === 'close') server.close(() => process.exit(0));
});
// An orphaned sink must not outlive the bench.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(2), 120_000).unref();

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});

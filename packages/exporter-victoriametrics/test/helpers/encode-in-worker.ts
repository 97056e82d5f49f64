/*
 * Encodes the series it is given and posts the bytes: a worker, so that a test can stop an
 * encoder that never returns (a loop blocks the test's own thread, and its timeout with it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeWriteRequest } from '../../src';
import type { TimeSeries } from '../../src';

parentPort?.postMessage(encodeWriteRequest(workerData as TimeSeries[]));

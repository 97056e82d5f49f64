import { after } from 'node:test';
import { MemoryRecordQueue } from '../src';
import { recordQueueConformance } from '../src/testing';
import { openDiskQueue, tempSpoolDir } from './helpers/spool';

recordQueueConformance('MemoryRecordQueue', () => new MemoryRecordQueue());

// Each test gets a fresh directory (a spool with records from another test would not be empty).
const dirs: (() => void)[] = [];
after(() => dirs.forEach((cleanup) => cleanup()));
recordQueueConformance('DiskRecordQueue', () => {
  const { dir, cleanup } = tempSpoolDir('conformance');
  dirs.push(cleanup);
  return openDiskQueue(dir);
});

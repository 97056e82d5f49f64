import { MemoryRecordQueue } from '../src';
import { recordQueueConformance } from '../src/testing';

recordQueueConformance('MemoryRecordQueue', () => new MemoryRecordQueue());

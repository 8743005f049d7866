// Runs in a worker thread with its own connection: a second writer, like the CLI beside the server.
import { workerData } from 'node:worker_threads';
import { AuditLog } from '../../src/audit/log.ts';
import { openEncryptedDatabase } from '../../src/core/database.ts';
import { sampleEvent } from './sample-events.ts';

const { dbPath, key, signingSeed, checkpointFile, scope, count, checkpointEvery } = workerData as {
  dbPath: string;
  key: Uint8Array;
  signingSeed: Uint8Array;
  checkpointFile: string;
  scope: string;
  count: number;
  checkpointEvery: number;
};
const db = openEncryptedDatabase(dbPath, { key: Buffer.from(key) });
const log = new AuditLog({ db, scope, signingSeed: Buffer.from(signingSeed), checkpointFile, checkpointEvery });
for (let n = 0; n < count; n++) await log.record(sampleEvent('usr_worker', n));
log.close();
db.close();

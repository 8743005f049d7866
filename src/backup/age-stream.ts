import { Decrypter, Encrypter } from 'age-encryption';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FILE_MODE } from '../core/database.ts';

export interface WrittenFile {
  bytes: number;
  sha256: string;
}

/** Counts and hashes what passes through, so a file's checksum costs no second read. */
function measuring(into: WrittenFile): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      into.bytes += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      into.sha256 = hash.digest('hex');
      done();
    },
  });
}

function webStream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
}

/** Encrypts a file to age recipients as a stream (typage encrypts ReadableStreams chunk by chunk), never holding it whole. */
export async function encryptFile(source: string, target: string, recipients: string[]): Promise<WrittenFile> {
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  const encrypted = await encrypter.encrypt(webStream(source));
  const written: WrittenFile = { bytes: 0, sha256: '' };
  await pipeline(
    Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>),
    measuring(written),
    createWriteStream(target, { mode: FILE_MODE, flags: 'wx' }),
  );
  return written;
}

/** Decrypts an age file with the identities given; a wrong identity or a damaged file rejects. */
export async function decryptFile(source: string, target: string, identities: string[]): Promise<WrittenFile> {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  const decrypted = await decrypter.decrypt(webStream(source));
  const written: WrittenFile = { bytes: 0, sha256: '' };
  await pipeline(
    Readable.fromWeb(decrypted as unknown as WebReadableStream<Uint8Array>),
    measuring(written),
    createWriteStream(target, { mode: FILE_MODE, flags: 'wx' }),
  );
  return written;
}

/** SHA-256 and size of a file on disk, streamed. */
export async function measureFile(path: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { once } from 'node:events';
import tar, { type Pack } from 'tar-stream';
import { FORMAT, FORMAT_VERSION, SECRETS_NOTE, type ArchiveKind, type ExportManifest, type ManifestFile } from './format.ts';

/** Lines read between yields to the event loop, so counting a large dataset does not stall other requests. */
const LINES_PER_YIELD = 1000;

/** One entry's writable side, as tar-stream (streamx) types it. */
type Sink = ReturnType<Pack['entry']>;

interface Entry {
  sink: Sink;
  done: Promise<void>;
}

export class ArchiveAbortedError extends Error {
  override name = 'ArchiveAbortedError';
}

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function lineCount(text: string): number {
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function jsonLine(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`);
}

/**
 * A tar archive written as it is read (DAT-01). A tar header carries the entry's size
 * before its bytes, so each JSON-lines file is produced twice: once to measure it (bytes,
 * lines, SHA-256) and once to write it. `lines` must therefore yield the same values on
 * both calls; the export reads workspace data inside one read transaction for that reason.
 * Measuring instead of spooling keeps plaintext customer data off the disk and out of memory.
 * The manifest comes last, because it lists every other file's checksum.
 */
export class ArchiveWriter {
  readonly pack = tar.pack();
  readonly #files: ManifestFile[] = [];
  readonly #mtime: Date;
  readonly #progress: (file: ManifestFile) => void;
  #manifestBytes = 0;
  #closed = false;

  constructor(createdAt: Date, progress: (file: ManifestFile) => void = () => {}) {
    this.#mtime = createdAt;
    this.#progress = progress;
    // The reader went away (for example the client closed the connection): stop producing.
    this.pack.on('close', () => (this.#closed = true));
    this.pack.on('error', () => (this.#closed = true));
  }

  get files(): readonly ManifestFile[] {
    return this.#files;
  }

  /** Bytes of every file written so far, manifest.json included once it is. */
  get bytes(): number {
    return this.#files.reduce((sum, file) => sum + file.bytes, this.#manifestBytes);
  }

  /** A JSON-lines file: one JSON value per line, UTF-8, each line ending in \n. */
  async addLines(path: string, lines: () => Iterable<unknown>): Promise<ManifestFile> {
    const hash = createHash('sha256');
    let bytes = 0;
    let count = 0;
    for (const value of lines()) {
      const line = jsonLine(value);
      hash.update(line);
      bytes += line.length;
      count += 1;
      if (count % LINES_PER_YIELD === 0) await yieldToLoop();
    }
    const file = { path, bytes, lines: count, sha256: hash.digest('hex') };
    const entry = this.#entry(path, bytes);
    const check = createHash('sha256');
    let written = 0;
    for (const value of lines()) {
      const line = jsonLine(value);
      written += line.length;
      // The header promised `bytes`: a longer second pass would corrupt the archive, so it ends here instead.
      if (written > bytes) throw new Error(`${path} changed while it was written`);
      check.update(line);
      await this.#write(entry, line);
    }
    // A manifest with a wrong checksum would be worse than a download that visibly failed.
    if (written !== bytes || check.digest('hex') !== file.sha256) throw new Error(`${path} changed while it was written`);
    await this.#end(entry);
    this.#add(file);
    return file;
  }

  /** A small file held whole, such as README.txt. */
  async addText(path: string, text: string): Promise<ManifestFile> {
    const body = Buffer.from(text);
    const entry = this.#entry(path, body.length);
    await this.#write(entry, body);
    await this.#end(entry);
    const file = { path, bytes: body.length, lines: lineCount(text), sha256: sha256(body) };
    this.#add(file);
    return file;
  }

  /** Writes manifest.json (not listed in itself) and ends the archive. */
  async finish(kind: ArchiveKind, subject: ExportManifest['subject'], createdAt: Date): Promise<ExportManifest> {
    const manifest: ExportManifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      kind,
      createdAt: createdAt.toISOString(),
      subject,
      secrets: SECRETS_NOTE,
      files: [...this.#files],
    };
    const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const entry = this.#entry('manifest.json', body.length);
    await this.#write(entry, body);
    await this.#end(entry);
    this.#manifestBytes = body.length;
    this.#progress({ path: 'manifest.json', bytes: body.length, lines: lineCount(body.toString()), sha256: sha256(body) });
    this.pack.finalize();
    return manifest;
  }

  #add(file: ManifestFile): void {
    this.#files.push(file);
    this.#progress(file);
  }

  #entry(path: string, size: number): Entry {
    if (this.#closed) throw new ArchiveAbortedError('the archive was closed by its reader');
    let settle: (error?: Error | null) => void = () => {};
    // tar-stream calls back once the entry is wholly in the archive, or with an error once either stream is destroyed.
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(new ArchiveAbortedError('the archive was closed by its reader')) : resolve());
    });
    done.catch(() => {});
    const sink = this.pack.entry({ name: path, size, mtime: this.#mtime, mode: 0o644 }, (error) => settle(error));
    return { sink, done };
  }

  /** One write with backpressure: waits for the reader, or gives up if it leaves. */
  async #write(entry: Entry, chunk: Buffer): Promise<void> {
    if (entry.sink.write(chunk)) return;
    await Promise.race([once(entry.sink, 'drain'), entry.done.then(() => {
      throw new ArchiveAbortedError('the archive entry ended early');
    })]);
  }

  async #end(entry: Entry): Promise<void> {
    entry.sink.end(undefined);
    await entry.done;
  }
}

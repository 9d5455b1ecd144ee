// The session log on disk: a header line, then one line per record, each written with a
// synchronous write on an open descriptor. A write returns only after the kernel has the bytes,
// so a crash of this process (or of the worker) loses nothing up to the last record.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeRecord } from '../../protocol/log-codec';
import type { BodyRecord, HeaderRecord } from '../../protocol/records';

/** A file-name-safe version of a run name: letters, digits, '-', '_' and '.', at most 60. */
export function safeRunName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 60);
  return cleaned || 'run';
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2025-11-27_19-48-05_mnist-mlp.jsonl` (local time: that is how users look for it). */
export function sessionLogFileName(runName: string, date: Date): string {
  const stamp =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_` +
    `${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`;
  return `${stamp}_${safeRunName(runName)}.jsonl`;
}

/** A log path in `dir` that does not exist yet (a suffix -2, -3, ... on collisions). */
export function uniqueLogPath(dir: string, runName: string, date: Date): string {
  const base = sessionLogFileName(runName, date).replace(/\.jsonl$/, '');
  for (let i = 1; ; i++) {
    const candidate = join(dir, i === 1 ? `${base}.jsonl` : `${base}-${i}.jsonl`);
    if (!existsSync(candidate)) return candidate;
  }
}

export class SessionLogWriter {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Creates the file (never overwriting one) and writes the header line. */
  static create(path: string, header: HeaderRecord): SessionLogWriter {
    mkdirSync(dirname(path), { recursive: true });
    const writer = new SessionLogWriter(path, openSync(path, 'wx'));
    writer.write(encodeRecord(header));
    return writer;
  }

  append(record: BodyRecord): void {
    this.write(encodeRecord(record));
  }

  /** Asks the OS to put the bytes on the disk (at the end of a run; not needed per record). */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  private write(line: string): void {
    if (this.fd === undefined) throw new Error(`the session log ${this.path} is closed`);
    const bytes = Buffer.from(line, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
  }
}

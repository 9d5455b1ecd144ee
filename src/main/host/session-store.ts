// The host's current session, live or replayed: its header and records in memory, the log file
// a live run writes as records arrive (the log is the source of truth), and copying or
// rebuilding that log for "save as" and the web host's download. No workers, no renderers: the
// host core (host-core.ts) drives it and relays what happens.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { encodeRecord } from '../../protocol/log-codec';
import type { BodyRecord, HeaderRecord } from '../../protocol/records';
import { SessionLogWriter } from './session-log';

export interface Session {
  header: HeaderRecord;
  records: BodyRecord[];
  source: 'live' | 'replay';
  /** The log file: written by us (live) or the file opened (replay); none for an upload. */
  logPath?: string;
  writer?: SessionLogWriter;
  /** Writing the live log failed; from then on the records are only in memory. */
  writeFailed?: boolean;
}

export interface SessionStoreHooks {
  /** A problem with the log file the user should hear about. */
  notice(level: 'warning' | 'error', message: string): void;
  /** A file the session wrote or opened: renderers may open it later. */
  trust(path: string): void;
}

export class SessionStore {
  private session: Session | undefined;

  constructor(private readonly hooks: SessionStoreHooks) {}

  get current(): Session | undefined {
    return this.session;
  }

  /** Forgets a replayed session (a live one stays until the next session replaces it). */
  dropReplay(): void {
    if (this.session?.source === 'replay') this.session = undefined;
  }

  /**
   * A live session whose log goes to `logPath`. When the log cannot be created the run goes
   * on in memory only; returns the log path when it was created.
   */
  beginLive(header: HeaderRecord, logPath: string): string | undefined {
    let writer: SessionLogWriter | undefined;
    try {
      writer = SessionLogWriter.create(logPath, header);
      this.hooks.trust(logPath);
    } catch (error) {
      this.hooks.notice(
        'error',
        `Cannot create the session log ${logPath}: ${(error as Error).message}. ` +
          'The run continues, but is not being saved.',
      );
    }
    this.session = { header, records: [], source: 'live', ...(writer && { logPath, writer }) };
    return writer && logPath;
  }

  /** A record of the live session: into the log, then memory. False without a live session. */
  append(record: BodyRecord): boolean {
    const session = this.session;
    if (session?.source !== 'live') return false; // no header yet: nothing to attach it to
    if (session.writer && !session.writeFailed) {
      try {
        session.writer.append(record);
      } catch (error) {
        session.writeFailed = true;
        this.hooks.notice(
          'error',
          `Writing the session log failed: ${(error as Error).message}. ` +
            `Records from step ${record.step} on are not saved.`,
        );
      }
    }
    session.records.push(record);
    return true;
  }

  /** The end of a run: the log's bytes to the disk, as far as the OS lets us. */
  sync(): void {
    try {
      this.session?.writer?.sync();
    } catch {
      // fsync is a best effort at the end of a run; the bytes are already with the OS.
    }
  }

  /** A replayed log becomes the session. */
  replay(header: HeaderRecord, records: BodyRecord[], logPath: string | undefined): void {
    this.session = { header, records, source: 'replay', ...(logPath !== undefined && { logPath }) };
  }

  /** Closes the live log (everything written so far stays). */
  close(): void {
    try {
      this.session?.writer?.close();
    } catch (error) {
      this.hooks.notice('warning', `Closing the session log failed: ${(error as Error).message}`);
    }
  }

  /**
   * Copies the current session's log to `target` (also while running: every record so far is
   * already written). An uploaded log is written out from memory. Throws with a clear message
   * when there is nothing to save or the copy fails.
   */
  saveAs(target: string): string {
    const session = this.session;
    if (!session)
      throw new Error('There is no session to save yet: start a run or open a log first.');
    const destination = resolve(target);
    if (session.logPath && resolve(session.logPath) === destination) return destination;
    mkdirSync(dirname(destination), { recursive: true });
    if (fileIsComplete(session)) copyFileSync(session.logPath, destination);
    else writeFileSync(destination, encodeSession(session));
    this.hooks.trust(destination);
    return destination;
  }

  /** The current session log's name and text, for the web host's download. */
  currentText(): { name: string; text: string } | undefined {
    const session = this.session;
    if (!session) return undefined;
    if (fileIsComplete(session)) {
      return { name: basename(session.logPath), text: readFileSync(session.logPath, 'utf8') };
    }
    return { name: `${session.header.name}.jsonl`, text: encodeSession(session) };
  }
}

/** The session's log text rebuilt from memory (an upload, or a live log that failed to write). */
function encodeSession(session: Session): string {
  return [encodeRecord(session.header), ...session.records.map((r) => encodeRecord(r))].join('');
}

/** True when the session's log file holds every record (so it can be copied as is). */
function fileIsComplete(session: Session): session is Session & { logPath: string } {
  return session.logPath !== undefined && !session.writeFailed;
}

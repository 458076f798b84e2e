/**
 * A data file written a piece at a time. A table's rows are encoded every
 * 16,384 rows or so (DeltaStore's flush: what a flush holds in memory scales
 * with it), but its files hold about 65,536 rows: each piece is encoded as a
 * Parquet file of its own (on a worker or here), and its row groups are copied
 * into the open file (parquet-concat.ts `ParquetAppender`) in the order the
 * pieces were added, whichever encoding finishes first. The footer is written
 * when the file is closed.
 *
 * A file of one piece is that piece's bytes as encoded: a small batch's file
 * does not depend on whether it went through here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParquetAppender } from './parquet-concat.js';
import { parquetFooterOf } from './parquet-footer.js';

/** A piece's Parquet bytes and its Delta stats. */
export interface EncodedPiece { bytes: Uint8Array; stats: string }

/** What a closed file holds: its size, and each piece's rows and stats, in order. */
export interface PieceFileResult { size: number; pieces: { rows: number; stats: string }[] }

export class PieceFile {
  /** The first piece, kept until a second one comes (a file of one piece is written as it was encoded). */
  private first: EncodedPiece | null = null;
  private fd: number | null = null;
  private appender: ParquetAppender | null = null;
  private readonly pieces: { rows: number; stats: string }[] = [];
  /** Settles once every piece added so far is written (or the first failure). */
  private chain: Promise<void> = Promise.resolve();
  /** Rows of the pieces added so far. */
  rows = 0;

  /** `file`: the file's (temporary) path; `fail` turns a file system error into the caller's error. */
  constructor(private readonly file: string, private readonly fail: (e: unknown) => Error) {}

  /** Adds a piece of `rows` rows whose encoding may still be running; resolves once it is in the file. */
  add(rows: number, encoded: Promise<EncodedPiece>): Promise<void> {
    this.rows += rows;
    encoded.catch(() => undefined); // awaited through the chain
    this.chain = this.chain.then(async () => this.put(rows, await encoded));
    return this.chain;
  }

  private put(rows: number, p: EncodedPiece): void {
    this.pieces.push({ rows, stats: p.stats });
    if (this.appender === null && this.first === null) { this.first = p; return; }
    if (this.appender === null) {
      try {
        this.fd = fs.openSync(this.file, 'w');
      } catch (e) {
        throw this.fail(e);
      }
      const fd = this.fd;
      this.appender = new ParquetAppender((chunk) => {
        try {
          fs.writeSync(fd, chunk);
        } catch (e) {
          throw this.fail(e);
        }
      });
      const first = this.first!;
      this.first = null;
      this.copy(first);
    }
    this.copy(p);
  }

  private copy(p: EncodedPiece): void {
    this.appender!.append(parquetFooterOf(p.bytes, path.basename(this.file)), (at, len) => p.bytes.subarray(at, at + len));
  }

  /** Writes the footer (or the single piece) once every piece is in; the file is then complete. */
  close(): Promise<PieceFileResult> {
    const done = this.chain.then((): PieceFileResult => {
      if (this.appender === null) {
        const only = this.first;
        if (only === null) throw new Error('internal: a piece file closed without pieces');
        this.first = null;
        try {
          fs.writeFileSync(this.file, only.bytes);
        } catch (e) {
          throw this.fail(e);
        }
        return { size: only.bytes.length, pieces: this.pieces };
      }
      try {
        const { size } = this.appender.finish();
        return { size, pieces: this.pieces };
      } finally {
        this.closeFd();
      }
    });
    this.chain = done.then(() => undefined, () => this.closeFd());
    return done;
  }

  /** Waits for the pieces still being written and closes the file (a batch given up: the caller removes it). */
  async abandon(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try { fs.closeSync(fd); } catch { /* already closed */ }
  }
}

import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/access.js';
import { callingCodeOf } from '../domain/duplicates.js';
import { AppError, fieldError } from '../domain/errors.js';
import { proposeMapping, type ImportMapping } from '../domain/import/mapping.js';
import { buildImportRow, type RowContext, type RowResult } from '../domain/import/row.js';
import type { Database } from '../db/client.js';
import { loadCapturePolicy } from '../db/queries/capture-policy.js';
import {
  createImport, deleteImportFile, findImport, foldName, IMPORT_CHUNK_BYTES, leadDefaultsOf, readFileChunks, rememberedMapping,
  setImportState, sourcesByName, writeBatch, writeFileChunk, type BatchContext, type ImportRecordRow, type Reject,
} from '../db/queries/imports.js';
import { enqueue } from './queue.js';
import { registerJob } from './registry.js';
import { detectLayout, layoutFingerprint, readDataRows, UnreadableFileError, type FileSource, type SourceRow } from '../formats/import-reader.js';
import type { Deps } from '../http/context.js';

/**
 * The import pipeline, shared by the API, the job and the CLI: keep the uploaded file, detect its
 * layout and propose a mapping, preview, dry run, and the run itself in batches. Each batch is one
 * transaction that also moves the checkpoint (`processed_rows`), so an import stopped at any point
 * leaves whole batches behind and resumes after the last one. The file is kept in PostgreSQL
 * (import_file_chunk), so whichever app instance picks up the job can read it.
 */
export const IMPORT_JOB = 'import';
export const DEFAULT_BATCH_SIZE = 2000;

/** An import's stored file as a source the reader can open as often as it needs. */
export const importFile = (database: Database, workspaceId: string, importId: string): FileSource =>
  () => readFileChunks(database, workspaceId, importId);

export type StoredUpload = {
  size: number;
  /** Line ends in the file (plus one for a last line without one): the row estimate of a CSV. */
  lines: number;
};

/**
 * Streams a body into the database as the file of import `importId`, in chunks, refusing it (and
 * removing what was written) past `maxBytes`. Line ends are counted on the way, for the row estimate.
 */
export async function storeUpload(database: Database, workspaceId: string, importId: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<StoredUpload> {
  let size = 0;
  let lines = 0;
  let last = 10;
  let seq = 0;
  // Chunks of exactly IMPORT_CHUNK_BYTES (the last one shorter) whatever pieces the body arrives in.
  const chunk = Buffer.allocUnsafe(IMPORT_CHUNK_BYTES);
  let filled = 0;
  const flush = async () => {
    if (!filled) return;
    await writeFileChunk(database, workspaceId, importId, seq++, chunk.subarray(0, filled));
    filled = 0;
  };
  try {
    for await (const piece of body) {
      size += piece.length;
      if (size > maxBytes) throw new AppError('payload_too_large', `The file is larger than ${maxBytes} bytes (IMPORT_MAX_BYTES).`);
      for (let i = piece.indexOf(10); i >= 0; i = piece.indexOf(10, i + 1)) lines++;
      if (piece.length) last = piece[piece.length - 1]!;
      for (let off = 0; off < piece.length;) {
        const n = Math.min(piece.length - off, chunk.length - filled);
        chunk.set(piece.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === chunk.length) await flush();
      }
    }
    await flush();
  } catch (e) {
    await deleteImportFile(database.db, workspaceId, importId);
    throw e;
  }
  return { size, lines: last !== 10 ? lines + 1 : lines };
}

export type NewImport = { fileName: string; id: string } & StoredUpload;

/**
 * Registers an uploaded file as an import: its layout, a row estimate and the proposed mapping
 * (the one remembered for this layout, else suggestions from the headers). An empty file or one
 * with a header and no rows is refused with the reason, and the file removed.
 */
export async function registerUpload(database: Database, actor: Actor, file: NewImport): Promise<ImportRecordRow & { mappingRemembered: boolean }> {
  const refuse = async (e: unknown): Promise<never> => { await deleteImportFile(database.db, actor.workspaceId, file.id); throw e; };
  const layout = await detectLayout(importFile(database, actor.workspaceId, file.id))
    .catch((e: unknown) => refuse(e instanceof UnreadableFileError
      ? fieldError('file', e.code, e.message)
      : fieldError('file', 'unreadable', 'The file is neither a CSV nor an XLSX workbook we can read.')));
  if (!layout) return refuse(fieldError('file', 'empty_file', 'The file is empty: there is no header row and no data.'));
  if (!layout.sample.length) return refuse(fieldError('file', 'no_rows', `The file has a header row (${layout.headers.join(', ')}) but no data rows.`));
  const fingerprint = layoutFingerprint(layout.headers);
  const proposed = proposeMapping(layout.headers, await rememberedMapping(database.db, actor.workspaceId, fingerprint));
  const totalRows = layout.format === 'csv' ? Math.max(0, file.lines - layout.headerRow) : null;
  const row = await database.transaction((tx) => createImport(tx, actor, {
    id: file.id, fileName: file.fileName.slice(0, 255), fileSize: file.size, format: layout.format, encoding: layout.encoding,
    delimiter: layout.delimiter, headerRow: layout.headerRow, headers: layout.headers, layoutFingerprint: fingerprint,
    mapping: proposed.mapping, totalRows,
  }));
  return { ...row, mappingRemembered: proposed.remembered };
}

/** Stores a body as a new import's file and registers it. */
export async function uploadImport(deps: Deps, actor: Actor, fileName: string, body: Readable | AsyncIterable<Uint8Array>): Promise<ImportRecordRow & { mappingRemembered: boolean }> {
  const id = randomUUID();
  const stored = await storeUpload(deps.database, actor.workspaceId, id, body, deps.config.importMaxBytes);
  return registerUpload(deps.database, actor, { id, fileName, ...stored });
}

async function rowContext(database: Database, imp: ImportRecordRow): Promise<RowContext & { policyCountry: string }> {
  const policy = await loadCapturePolicy(database.db, imp.workspaceId);
  const sources = await sourcesByName(database.db, imp.workspaceId);
  return {
    mapping: imp.mapping as ImportMapping, policy, createLeads: imp.createLeads, policyCountry: policy.defaultCountry,
    sourceIdByName: (name) => sources.get(foldName(name)),
  };
}

export type CheckedRow = { rowNumber: number; cells: string[]; result: RowResult };

function checkRow(row: SourceRow, ctx: RowContext): CheckedRow {
  if (row.error) return { rowNumber: row.rowNumber, cells: row.cells, result: { ok: false, rowNumber: row.rowNumber, errors: [{ field: '(row)', code: row.error.code, message: row.error.message }] } };
  return { rowNumber: row.rowNumber, cells: row.cells, result: buildImportRow(row.rowNumber, row.cells, ctx) };
}

function assertFile(imp: ImportRecordRow) {
  if (imp.status === 'done' || imp.status === 'rolled_back') throw new AppError('conflict', `The import is ${imp.status}; its file is no longer kept.`);
}

/** The first `limit` data rows with the capture policy's verdict on each, as the mapping stands. */
export async function previewImport(deps: Deps, imp: ImportRecordRow, limit = 20): Promise<CheckedRow[]> {
  assertFile(imp);
  const ctx = await rowContext(deps.database, imp);
  const out: CheckedRow[] = [];
  for await (const row of readDataRows(importFile(deps.database, imp.workspaceId, imp.id), imp)) {
    out.push(checkRow(row, ctx));
    if (out.length >= limit) break;
  }
  return out;
}

export type DryRunResult = { totalRows: number; validRows: number; rejectedRows: number; rejects: Reject[] };

/** A full pass over the file through the same checks as the import; nothing is written but the row count. */
export async function dryRunImport(deps: Deps, imp: ImportRecordRow, keepRejects = 100): Promise<DryRunResult> {
  assertFile(imp);
  const ctx = await rowContext(deps.database, imp);
  const result: DryRunResult = { totalRows: 0, validRows: 0, rejectedRows: 0, rejects: [] };
  for await (const row of readDataRows(importFile(deps.database, imp.workspaceId, imp.id), imp)) {
    result.totalRows++;
    const { result: r } = checkRow(row, ctx);
    if (r.ok) result.validRows++;
    else {
      result.rejectedRows++;
      if (result.rejects.length < keepRejects) result.rejects.push({ rowNumber: row.rowNumber, original: row.cells, reasons: r.errors });
    }
  }
  await setImportState(deps.database.db, imp.workspaceId, imp.id, { totalRows: result.totalRows });
  return result;
}

/** Queues the import to run in the background (the Postgres job queue); resuming a stopped one is the same call. */
export async function queueImport(deps: Deps, actor: Actor, imp: ImportRecordRow): Promise<void> {
  if (!['uploaded', 'failed', 'queued'].includes(imp.status)) throw new AppError('conflict', `The import is ${imp.status}.`);
  await deps.database.transaction(async (tx) => {
    await setImportState(tx, imp.workspaceId, imp.id, { status: 'queued', lastError: null });
    await enqueue(tx, { workspaceId: imp.workspaceId, id: `import:${imp.id}:${imp.processedRows}:${Date.now()}`, kind: IMPORT_JOB, payload: { importId: imp.id, userId: actor.userId }, runAt: deps.now(), maxAttempts: 3 });
  });
}

export type RunOptions = {
  batchSize?: number;
  /** Called inside each batch's transaction before it commits (tests make a batch fail here). */
  beforeCommit?: (batch: number) => void | Promise<void>;
  /** Called after each committed batch with the checkpoint (the CLI draws its progress bar). */
  onProgress?: (processedRows: number, totalRows: number | null) => void;
};

/**
 * Runs (or resumes) an import from its checkpoint to the end of the file. A failure leaves the
 * import `failed` with its error and every committed batch in place; running it again continues.
 */
export async function runImport(deps: Deps, workspaceId: string, importId: string, userId: string | null, opts: RunOptions = {}): Promise<ImportRecordRow> {
  const database = deps.database;
  const imp = await findImport(database.db, workspaceId, importId);
  assertFile(imp);
  await setImportState(database.db, workspaceId, importId, { status: 'running', lastError: null, ...(imp.startedAt ? {} : { startedAt: deps.now() }) });
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  try {
    const rowCtx = await rowContext(database, imp);
    const ctx: BatchContext = {
      workspaceId, importId, userId, upsertKey: imp.upsertKey, callingCode: callingCodeOf(rowCtx.policyCountry), now: deps.now(),
      leadDefaults: imp.createLeads ? await leadDefaultsOf(database.db, workspaceId) : null,
    };
    let index = 0;
    let from = imp.processedRows;
    let batchNo = 0;
    let good: Extract<RowResult, { ok: true }>['row'][] = [];
    let rejects: Reject[] = [];
    // One batch is written while the next one is read and checked: the database and the parsing
    // work at the same time, and writes stay strictly in order (each moves the checkpoint on).
    let inFlight: Promise<void> | null = null;
    const write = async (b: { no: number; good: typeof good; rejects: Reject[]; from: number; to: number }) => {
      await database.transaction(async (tx) => {
        await writeBatch(tx, ctx, b.good, b.rejects, b.from, b.to);
        await opts.beforeCommit?.(b.no);
      });
      opts.onProgress?.(b.to, imp.totalRows);
    };
    const flush = async () => {
      const batch = { no: ++batchNo, good, rejects, from, to: index };
      good = [];
      rejects = [];
      from = index;
      if (inFlight) await inFlight;
      inFlight = write(batch);
      inFlight.catch(() => undefined); // awaited (and rethrown) before the next batch or at the end
    };
    for await (const row of readDataRows(importFile(database, workspaceId, importId), imp)) {
      if (index < from) { index++; continue; }
      index++;
      const { result } = checkRow(row, rowCtx);
      if (result.ok) good.push(result.row);
      else rejects.push({ rowNumber: row.rowNumber, original: row.cells, reasons: result.errors });
      if (good.length + rejects.length >= batchSize) await flush();
    }
    if (good.length || rejects.length || from !== index) await flush();
    if (inFlight) await inFlight;
    await database.transaction(async (tx) => {
      await setImportState(tx, workspaceId, importId, { status: 'done', totalRows: index, finishedAt: deps.now() });
      await deleteImportFile(tx, workspaceId, importId);
    });
  } catch (e) {
    await setImportState(database.db, workspaceId, importId, { status: 'failed', lastError: (e instanceof Error ? e.message : String(e)).slice(0, 2000) });
    throw e;
  }
  return findImport(database.db, workspaceId, importId);
}

registerJob(IMPORT_JOB, async ({ deps, workspaceId, payload }) => {
  const { importId, userId } = payload as { importId: string; userId: string | null };
  await runImport(deps, workspaceId, importId, userId);
});

import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createRoute, z } from '@hono/zod-openapi';
import { AppError, invalid } from '../../domain/errors.js';
import { canSeeImport, canUndoImport, redactRow, sensitiveColumns } from '../../domain/import/access.js';
import { checkMapping, importTargets } from '../../domain/import/mapping.js';
import { rejectsReportHeader, reportReason, type ReportLang } from '../../domain/import/reasons.js';
import { upsertKeys } from '../../domain/import/row.js';
import { encodeCsvStream, type Cell } from '../../formats/csv.js';
import { deleteImportFile, findImport, listImports, rejectsPage, rollbackImportInTx, sensitiveCustomFields, updateImport, type ImportRecordRow } from '../../db/queries/imports.js';
import { write } from '../../db/repository.js';
import { profileAccess } from '../../db/queries/profile.js';
import { assertNoSensitiveMapping, omitSensitive, sensitiveFieldPaths } from '../../domain/profile.js';
import { drainJobs } from '../../jobs/worker.js';
import { dryRunImport, previewImport, queueImport, uploadImport } from '../../jobs/import.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, TimestampOut, Uuid } from '../schemas.js';

const Target = z.enum(importTargets);
const FieldProblem = z.object({ field: z.string(), code: z.string(), message: z.string() });

export const ImportOut = z.object({
  id: Uuid, fileName: z.string(), fileSize: z.number(), format: z.enum(['csv', 'xlsx']),
  encoding: z.string().nullable(), delimiter: z.string().nullable(), headerRow: z.number(), headers: z.array(z.string()),
  mapping: z.array(Target.nullable()), mappingRemembered: z.boolean().optional(),
  upsertKey: z.enum(['email', 'phone', 'externalId']), createLeads: z.boolean(),
  status: z.enum(['uploaded', 'queued', 'running', 'failed', 'done', 'rolled_back']),
  totalRows: z.number().nullable().openapi({ description: 'Data rows: an estimate from line ends until a dry run or the import counts them' }),
  processedRows: z.number().openapi({ description: 'Checkpoint: rows whose batch has committed' }),
  createdCount: z.number(), updatedCount: z.number(), unchangedCount: z.number(), duplicateCount: z.number(),
  rejectedCount: z.number(), leadsCreated: z.number(), lastError: z.string().nullable(), createdBy: Uuid.nullable(),
  startedAt: TimestampOut.nullable(), finishedAt: TimestampOut.nullable(), rolledBackAt: TimestampOut.nullable(),
  createdAt: TimestampOut, updatedAt: TimestampOut, version: z.number(),
}).openapi('Import');

const ImportPatch = z.strictObject({
  mapping: z.array(Target.nullable()).optional().openapi({ description: 'One import field (or null: ignore) per column, in column order' }),
  upsertKey: z.enum(['email', 'phone', 'externalId']).optional().openapi({ description: 'What identifies an existing contact, so a re-import updates instead of duplicating' }),
  createLeads: z.boolean().optional().openapi({ description: 'Also open a lead per row (with the mapped source and amount)' }),
  version: z.number().int().optional(),
}).openapi('ImportPatch');

const CheckedRowOut = z.object({
  rowNumber: z.number(), cells: z.array(z.string()), ok: z.boolean(), errors: z.array(FieldProblem),
  values: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The contact, company and lead the row becomes, after the capture policy' }),
}).openapi('ImportPreviewRow');

const RejectOut = z.object({ rowNumber: z.number(), original: z.array(z.string()), reasons: z.array(FieldProblem) }).openapi('ImportReject');
const DryRunOut = z.object({ totalRows: z.number(), validRows: z.number(), rejectedRows: z.number(), rejects: z.array(RejectOut) }).openapi('ImportDryRun');

const present = (row: ImportRecordRow & { mappingRemembered?: boolean }) => {
  const { workspaceId: _w, layoutFingerprint: _f, ...rest } = row;
  return rest;
};

export function importRoutes(deps: Deps) {
  const r = newRouter();
  const visible = async (workspaceId: string, id: string, actor: Parameters<typeof canSeeImport>[0]) => {
    const imp = await findImport(deps.database.db, workspaceId, id);
    canSeeImport(actor, imp.createdBy);
    return imp;
  };
  // What of the file this actor may not see (docs/profile.md): nothing for roles that see sensitive
  // fields; otherwise the sensitive columns' cells, the values they became and the quoted values of
  // their problems are left out of the preview, the dry run's rejects and the rejects report.
  const redaction = async (actor: Parameters<typeof profileAccess>[1], imp: ImportRecordRow) => {
    const access = await profileAccess(deps.database.db, actor);
    if (access.canSeeSensitive) return null;
    const hidden = sensitiveColumns(imp.headers, imp.mapping, await sensitiveCustomFields(deps.database.db, actor.workspaceId));
    const fields = sensitiveFieldPaths(access.sensitiveCustomKeys);
    return {
      row: <R extends { cells: readonly string[]; errors: readonly { field: string; code: string; message: string }[] }>(r: R) => redactRow(r, hidden, fields),
      values: <V extends Record<string, unknown>>(v: V) => omitSensitive(v, access.sensitiveCustomKeys),
    };
  };
  // Runs the queue now instead of at the next scheduler tick, so an import starts when asked.
  const kick = () => { void drainJobs(deps).catch((e: unknown) => console.error('import: draining jobs failed', e)); };

  r.openapi(createRoute({
    method: 'post', path: '/imports', tags: ['imports'],
    summary: 'Upload a CSV or XLSX file to import (the raw file is the body; streamed into the database in chunks, up to IMPORT_MAX_BYTES)',
    request: {
      query: z.object({ fileName: z.string().min(1).max(255).openapi({ description: 'Name of the file, shown in the history' }) }),
      body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } }, required: true },
    },
    responses: { 201: { description: 'Uploaded, with its detected layout and proposed mapping', content: { 'application/json': { schema: ImportOut } } }, 413: { description: 'Too large' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const body = c.req.raw.body;
    if (!body) throw invalid([{ field: 'file', code: 'empty_file', message: 'The request has no file in its body.' }]);
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > deps.config.importMaxBytes) throw new AppError('payload_too_large', `The file is larger than ${deps.config.importMaxBytes} bytes (IMPORT_MAX_BYTES).`);
    const row = await uploadImport(deps, actor, c.req.valid('query').fileName, Readable.fromWeb(body as NodeReadableStream<Uint8Array>));
    c.header('Location', `/api/v1/imports/${row.id}`);
    return c.json(present(row) as never, 201);
  });

  r.openapi(createRoute({
    method: 'get', path: '/imports', tags: ['imports'], summary: 'The latest imports (admins: everyone\'s; others: their own)',
    responses: { 200: { description: 'Newest first', content: { 'application/json': { schema: z.object({ data: z.array(ImportOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const rows = await listImports(deps.database.db, c.get('actor'));
    return c.json({ data: rows.map(present) } as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/imports/{id}', tags: ['imports'], summary: 'One import with its progress (processedRows of totalRows) and counts',
    request: { params: IdParam },
    responses: { 200: { description: 'The import', content: { 'application/json': { schema: ImportOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const imp = await visible(actor.workspaceId, c.req.valid('param').id, actor);
    c.header('ETag', `"${imp.version}"`);
    return c.json(present(imp) as never, 200);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/imports/{id}', tags: ['imports'], summary: 'Choose the column mapping, the upsert key and whether to open leads (before it runs)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ImportPatch } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: ImportOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { version, ...patch } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const row = await write(deps.database, async (tx) => {
      const before = await findImport(tx, actor.workspaceId, c.req.valid('param').id, true);
      canSeeImport(actor, before.createdBy);
      if (before.processedRows > 0 || !['uploaded', 'failed'].includes(before.status)) throw new AppError('conflict', 'The import has started; its mapping can no longer change.');
      if (patch.mapping) {
        const problems = checkMapping(patch.mapping, before.headers.length);
        if (problems.length) throw invalid(problems, 'The mapping is not valid.');
      }
      return updateImport(tx, actor, before, patch as Partial<ImportRecordRow>, expected);
    });
    return c.json(present(row) as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/imports/{id}/preview', tags: ['imports'], summary: 'The first rows with the capture policy\'s result on each, as currently mapped',
    request: { params: IdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }) },
    responses: { 200: { description: 'Rows in file order', content: { 'application/json': { schema: z.object({ data: z.array(CheckedRowOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const imp = await visible(actor.workspaceId, c.req.valid('param').id, actor);
    const rows = await previewImport(deps, imp, c.req.valid('query').limit ?? 20);
    const redact = await redaction(actor, imp);
    const data = rows.map((x) => {
      const values = x.result.ok ? { ...x.result.row.contact, companyName: x.result.row.companyName, lead: x.result.row.lead, externalId: x.result.row.externalId } : null;
      const row = { rowNumber: x.rowNumber, cells: x.cells, ok: x.result.ok, errors: x.result.ok ? [] : x.result.errors, values };
      return redact ? { ...redact.row(row), values: values && redact.values(values) } : row;
    });
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/imports/{id}/dry-run', tags: ['imports'], summary: 'Check every row as the import would, writing nothing: counts and the first rejects',
    request: { params: IdParam },
    responses: { 200: { description: 'Counts', content: { 'application/json': { schema: DryRunOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const imp = await visible(actor.workspaceId, c.req.valid('param').id, actor);
    const result = await dryRunImport(deps, imp);
    const redact = await redaction(actor, imp);
    if (redact) {
      result.rejects = result.rejects.map((r) => {
        const shown = redact.row({ cells: r.original, errors: r.reasons });
        return { ...r, original: shown.cells, reasons: shown.errors };
      });
    }
    return c.json(result as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/imports/{id}/run', tags: ['imports'], summary: 'Run the import in the background (or resume a stopped one from its checkpoint)',
    request: { params: IdParam },
    responses: { 202: { description: 'Queued; follow GET /imports/{id}', content: { 'application/json': { schema: ImportOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const imp = await visible(actor.workspaceId, c.req.valid('param').id, actor);
    const problems = checkMapping(imp.mapping, imp.headers.length);
    if (problems.length) throw invalid(problems, 'Choose a valid mapping before running the import.');
    // A role that may not see sensitive fields may not write them by file either (docs/profile.md).
    if (!(await profileAccess(deps.database.db, actor)).canSeeSensitive) assertNoSensitiveMapping(imp.mapping);
    await queueImport(deps, actor, imp);
    kick();
    return c.json(present(await findImport(deps.database.db, actor.workspaceId, imp.id)) as never, 202);
  });

  r.openapi(createRoute({
    method: 'post', path: '/imports/{id}/rollback', tags: ['imports'], summary: 'Undo an import: delete what it created, put back what it changed',
    request: { params: IdParam },
    responses: { 200: { description: 'Rolled back', content: { 'application/json': { schema: ImportOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    await write(deps.database, async (tx) => {
      const imp = await findImport(tx, actor.workspaceId, id, true);
      canUndoImport(actor, imp.createdBy, imp.status);
      await rollbackImportInTx(tx, actor, imp);
      await updateImport(tx, actor, imp, { status: 'rolled_back', rolledBackAt: deps.now() }, undefined);
      await deleteImportFile(tx, actor.workspaceId, id);
    });
    return c.json(present(await findImport(deps.database.db, actor.workspaceId, id)) as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/imports/{id}/rejects.csv', tags: ['imports'], summary: 'Every rejected row: its number, the reasons and the original values (CSV for Excel: UTF-8 BOM, ;)',
    request: { params: IdParam, query: z.strictObject({ lang: z.enum(['es', 'en']).optional().openapi({ description: 'Language of the header and the reasons (default es)' }) }) },
    responses: { 200: { description: 'The report', content: { 'text/csv': { schema: z.string() } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const imp = await visible(actor.workspaceId, c.req.valid('param').id, actor);
    const lang: ReportLang = c.req.valid('query').lang ?? 'es';
    const column = (field: string) => {
      const col = imp.mapping.findIndex((t) => t === field || (field === 'lastName' && t === 'surnames') || (field === 'phone' && t === 'mobile'));
      return col >= 0 ? imp.headers[col] ?? null : null;
    };
    const redact = await redaction(actor, imp);
    const rows = (async function* () {
      for (let after = 0; ;) {
        const page = await rejectsPage(deps.database.db, actor.workspaceId, imp.id, after, 500);
        for (const stored of page) {
          const shown = redact ? redact.row({ cells: stored.original, errors: stored.reasons }) : { cells: stored.original, errors: stored.reasons };
          yield [stored.rowNumber, shown.errors.map((x) => reportReason(lang, x, column(x.field))).join(' | '), ...shown.cells] as Cell[];
        }
        if (page.length < 500) return;
        after = page[page.length - 1]!.rowNumber;
      }
    })();
    const name = imp.fileName.replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}_-]+/gu, '_');
    return c.body(encodeCsvStream([...rejectsReportHeader(lang), ...imp.headers], rows, { dialect: 'excel-es' }), 200, {
      'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}-${lang === 'es' ? 'rechazadas' : 'rejected'}.csv"`, 'cache-control': 'no-store',
    });
  });

  return r;
}

import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDeps } from '../server.js';
import type { Actor } from '../domain/access.js';
import { AppError, invalid } from '../domain/errors.js';
import { checkMapping, parseMappingOption } from '../domain/import/mapping.js';
import { upsertKeys, type UpsertKey } from '../domain/import/row.js';
import { findImport, updateImport, type ImportRecordRow } from '../db/queries/imports.js';
import { dryRunImport, runImport, uploadImport } from '../jobs/import.js';
import type { Deps } from '../http/context.js';

/** A one-line progress bar on stderr, redrawn in place on a terminal and every 10 % otherwise. */
export function progressBar(out: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastTenth = -1;
  return (done: number, total: number | null, final = false) => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = Math.round(done / secs);
    const fraction = total ? Math.min(1, done / total) : 0;
    const width = 30;
    const bar = total ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '-')}] ${Math.floor(fraction * 100)}% ` : '';
    const line = `${bar}${done.toLocaleString('es-ES')}${total ? ` / ${total.toLocaleString('es-ES')}` : ''} rows · ${rate.toLocaleString('es-ES')} rows/s`;
    if (out.isTTY) out.write(`\r${line}${final ? '\n' : ''}`);
    else if (final || Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      out.write(`${line}\n`);
    }
  };
}

async function actorFor(deps: Deps, workspaceId: string | undefined, email: string | undefined): Promise<Actor> {
  const rows = await deps.database.query<{ workspaceId: string; userId: string; role: Actor['role']; teamId: string | null }>(
    `SELECT u.workspace_id AS "workspaceId", u.id AS "userId", u.role, u.team_id AS "teamId" FROM app_user u
      WHERE u.is_active AND ($1::uuid IS NULL OR u.workspace_id = $1::uuid) AND ($2::text IS NULL OR lower(u.email) = lower($2::text))
        AND ($2::text IS NOT NULL OR u.role = 'admin')
      ORDER BY u.created_at LIMIT 2`, [workspaceId ?? null, email ?? null]);
  if (rows.length === 0) throw new AppError('validation', email ? `No active user ${email}.` : 'No workspace yet: run `seguimiento setup` first.');
  if (rows.length > 1 && !workspaceId && !email) throw new AppError('validation', 'Several workspaces exist: give --workspace-id or --as.');
  return rows[0]!;
}

export const commands = {
  import: {
    summary: 'Import contacts from a CSV or XLSX file (<file> [--map "Nombre=firstName,…"] [--key email|phone|externalId] [--leads] [--dry-run] [--as email])',
    async run(argv: string[]) {
      const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
        map: { type: 'string' }, key: { type: 'string', default: 'email' }, leads: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false }, as: { type: 'string' }, 'workspace-id': { type: 'string' },
        'batch-size': { type: 'string' },
      } });
      const file = positionals[0];
      if (!file) throw invalid([{ field: 'file', code: 'required', message: 'Give the file to import: seguimiento import clientes.csv' }]);
      if (!upsertKeys.includes(values.key as UpsertKey)) throw invalid([{ field: 'key', code: 'invalid_choice', message: `--key must be one of ${upsertKeys.join(', ')}.` }]);
      const deps = await createDeps(loadConfig());
      try {
        const actor = await actorFor(deps, values['workspace-id'], values.as);
        let imp: ImportRecordRow = await uploadImport(deps, actor, basename(file), createReadStream(file));
        const mapping = values.map ? parseMappingOption(values.map, imp.headers) : imp.mapping;
        const problems = checkMapping(mapping, imp.headers.length);
        if (problems.length) throw invalid(problems, `The mapping is not valid (columns: ${imp.headers.join(', ')}).`);
        imp = await deps.database.transaction(async (tx) => updateImport(tx, actor, await findImport(tx, actor.workspaceId, imp.id, true),
          { mapping, upsertKey: values.key as UpsertKey, createLeads: values.leads ?? false }));
        console.error(`${imp.format.toUpperCase()}${imp.encoding ? ` ${imp.encoding}` : ''}${imp.delimiter ? ` separator "${imp.delimiter === '\t' ? 'tab' : imp.delimiter}"` : ''}, header on row ${imp.headerRow}`);
        console.error(imp.headers.map((h, i) => `  ${h} → ${mapping[i] ?? '(ignored)'}`).join('\n'));
        if (values['dry-run']) {
          const r = await dryRunImport(deps, imp);
          console.log(`Dry run: ${r.totalRows} rows, ${r.validRows} valid, ${r.rejectedRows} rejected. Nothing was written.`);
          for (const rej of r.rejects.slice(0, 20)) console.log(`  row ${rej.rowNumber}: ${rej.reasons.map((e) => `${e.field}: ${e.message}`).join(' | ')}`);
          return;
        }
        const draw = progressBar();
        const done = await runImport(deps, actor.workspaceId, imp.id, actor.userId, {
          ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
          onProgress: (n, total) => draw(n, total),
        });
        draw(done.processedRows, done.totalRows, true);
        console.log(`Import ${done.id}: ${done.createdCount} created, ${done.updatedCount} updated, ${done.unchangedCount} unchanged, ${done.duplicateCount} duplicates merged, ${done.rejectedCount} rejected${done.leadsCreated ? `, ${done.leadsCreated} leads opened` : ''}.`);
        if (done.rejectedCount) console.log(`Rejected rows: GET /api/v1/imports/${done.id}/rejects.csv (or the Imports page).`);
      } finally {
        await deps.database.close();
      }
    },
  },
};

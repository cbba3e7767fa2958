import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Actor } from '../../domain/access.js';
import type { CustomFieldDefinition } from '../../domain/custom-fields.js';
import type { ListSpec } from '../../db/list.js';
import { getContactView } from '../../db/queries/contacts.js';
import { profileAccess } from '../../db/queries/profile.js';
import { omitSensitive, sensitiveFieldPaths } from '../../domain/profile.js';
import { exportCustomFields, exportRows, listSpecOf, workspaceExportSettings, type ExportEntity } from '../../db/queries/exports.js';
import { encodeCsvStream, type Cell, type CsvDialect } from '../../formats/csv.js';
import { streamXlsx, type XlsxColumnType } from '../../formats/xlsx.js';
import { encodeVcard, type VcardContact } from '../../formats/vcard.js';
import { t } from '../../mail/templates/messages.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, listQuerySchema, problemResponses } from '../schemas.js';
import { companyList } from './companies.js';

type AnyRow = Record<string, unknown>;
type Lang = 'es' | 'en';
/** `labels`: a stored code ("won", "client") is written as the word the app shows for it, in the export's language. */
type Column = { key: string; es: string; en: string; type?: XlsxColumnType; get?: (row: AnyRow) => unknown; labels?: Labels };
type Labels = Record<Lang, Record<string, string>>;

// The same words as the web app (web/src/i18n/es.ts, en.ts). The import reads none of these columns,
// so no export needs the raw codes back; a code without a label here is written as it is.
const recordStatusLabels: Labels = { es: { active: 'Activo', cancelled: 'Cancelado' }, en: { active: 'Active', cancelled: 'Cancelled' } };
const leadStatusLabels: Labels = {
  es: { open: 'Abierto', won: 'Ganado', lost: 'Perdido', cancelled: 'Cancelado' },
  en: { open: 'Open', won: 'Won', lost: 'Lost', cancelled: 'Cancelled' },
};
const lifecycleLabels: Labels = {
  es: { prospect: 'Prospecto', client: 'Cliente', former: 'Antiguo cliente' },
  en: { prospect: 'Prospect', client: 'Client', former: 'Former client' },
};
const contactPreferenceLabels: Labels = {
  es: { email: 'Correo', phone: 'Teléfono', whatsapp: 'WhatsApp', visit: 'Visita' },
  en: { email: 'Email', phone: 'Phone', whatsapp: 'WhatsApp', visit: 'Visit' },
};
const activityTypes = ['call', 'email', 'meeting', 'visit', 'message', 'note', 'task'] as const;
const activityTypeLabels: Labels = {
  es: Object.fromEntries(activityTypes.map((k) => [k, t('es', `activity.${k}`)])),
  en: Object.fromEntries(activityTypes.map((k) => [k, t('en', `activity.${k}`)])),
};

// The columns of each export, in order. Headers follow the chosen language; custom fields follow
// as one column each, headed by their label.
const address: Column[] = [
  { key: 'address', es: 'Dirección', en: 'Address' }, { key: 'postalCode', es: 'Código postal', en: 'Postal code' },
  { key: 'neighbourhood', es: 'Barrio', en: 'Neighbourhood' }, { key: 'city', es: 'Ciudad', en: 'City' },
  { key: 'region', es: 'Provincia', en: 'Region' }, { key: 'country', es: 'País', en: 'Country' },
];
const meta: Column[] = [
  { key: 'ownerName', es: 'Responsable', en: 'Owner' }, { key: 'status', es: 'Estado del registro', en: 'Record status', labels: recordStatusLabels },
  { key: 'createdAt', es: 'Creado', en: 'Created', type: 'datetime' }, { key: 'updatedAt', es: 'Modificado', en: 'Updated', type: 'datetime' },
  { key: 'id', es: 'Id', en: 'Id' },
];
const columnsOf: Record<ExportEntity, Column[]> = {
  contact: [
    { key: 'firstName', es: 'Nombre', en: 'First name' }, { key: 'lastName', es: 'Primer apellido', en: 'Last name' },
    { key: 'secondLastName', es: 'Segundo apellido', en: 'Second last name' }, { key: 'companyName', es: 'Empresa', en: 'Company' },
    { key: 'jobTitle', es: 'Cargo', en: 'Job title' }, { key: 'email', es: 'Email', en: 'Email' }, { key: 'phone', es: 'Teléfono', en: 'Phone' },
    { key: 'doNotContact', es: 'No contactar', en: 'Do not contact', type: 'boolean' },
    ...address,
    { key: 'birthDate', es: 'Fecha de nacimiento', en: 'Birth date', type: 'date' },
    { key: 'maritalStatus', es: 'Estado civil', en: 'Marital status' },
    { key: 'occupation', es: 'Ocupación', en: 'Occupation' },
    { key: 'contactPreference', es: 'Preferencia de contacto', en: 'Contact preference', labels: contactPreferenceLabels },
    { key: 'bestTimeToContact', es: 'Mejor momento de contacto', en: 'Best time to contact' },
    { key: 'lifecycle', es: 'Ciclo de vida', en: 'Lifecycle', labels: lifecycleLabels },
    { key: 'lastActivityAt', es: 'Última interacción', en: 'Last activity', type: 'datetime' },
    ...meta,
  ],
  company: [
    { key: 'name', es: 'Nombre', en: 'Name' }, { key: 'sector', es: 'Sector', en: 'Sector' },
    { key: 'employees', es: 'Empleados', en: 'Employees', type: 'number' }, { key: 'annualRevenue', es: 'Facturación anual', en: 'Annual revenue', type: 'number' },
    { key: 'website', es: 'Web', en: 'Website' }, { key: 'email', es: 'Email', en: 'Email' }, { key: 'phone', es: 'Teléfono', en: 'Phone' },
    ...address, ...meta,
  ],
  lead: [
    { key: 'title', es: 'Título', en: 'Title' }, { key: 'status', es: 'Estado', en: 'Status', labels: leadStatusLabels }, { key: 'stageName', es: 'Etapa', en: 'Stage' },
    { key: 'contactName', es: 'Contacto', en: 'Contact' }, { key: 'contactEmail', es: 'Email del contacto', en: 'Contact email' },
    { key: 'contactPhone', es: 'Teléfono del contacto', en: 'Contact phone' },
    { key: 'contactDoNotContact', es: 'No contactar', en: 'Do not contact', type: 'boolean' },
    { key: 'companyName', es: 'Empresa', en: 'Company' },
    { key: 'amount', es: 'Importe', en: 'Amount', type: 'number' }, { key: 'currency', es: 'Moneda', en: 'Currency' },
    { key: 'probability', es: 'Probabilidad (%)', en: 'Probability (%)', type: 'number' }, { key: 'score', es: 'Puntuación', en: 'Score', type: 'number' },
    { key: 'expectedCloseDate', es: 'Cierre previsto', en: 'Expected close', type: 'date' },
    { key: 'sourceName', es: 'Fuente', en: 'Source' },
    { key: 'nextActionAt', es: 'Próxima acción', en: 'Next action', type: 'datetime' },
    { key: 'nextActionType', es: 'Tipo de próxima acción', en: 'Next action type', labels: activityTypeLabels },
    { key: 'nextActionNote', es: 'Nota de próxima acción', en: 'Next action note' },
    { key: 'lostReason', es: 'Motivo de pérdida', en: 'Lost reason' },
    { key: 'closedAt', es: 'Cerrado', en: 'Closed', type: 'datetime' },
    { key: 'ownerName', es: 'Responsable', en: 'Owner' },
    { key: 'createdAt', es: 'Creado', en: 'Created', type: 'datetime' }, { key: 'updatedAt', es: 'Modificado', en: 'Updated', type: 'datetime' },
    { key: 'id', es: 'Id', en: 'Id' },
  ],
};

const customColumns = (defs: CustomFieldDefinition[]): Column[] => defs.map((d) => ({
  key: `customFields.${d.key}`, es: d.label, en: d.label,
  type: d.type === 'number' ? 'number' : d.type === 'date' ? 'date' : 'text',
  get: (row) => (row['customFields'] as AnyRow | null)?.[d.key],
}));

const yesNo = { es: ['sí', 'no'], en: ['yes', 'no'] } as const;

/** A stored value as a cell: dates stay real dates, booleans become words in CSV (a spreadsheet shows them as typed). */
function cellOf(v: unknown, col: Column, lang: Lang, format: 'csv' | 'xlsx'): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return format === 'xlsx' ? v : yesNo[lang][v ? 0 : 1];
  if (col.labels && typeof v === 'string') return col.labels[lang][v] ?? v;
  if (v instanceof Date || typeof v === 'number' || typeof v === 'string') return v;
  if (col.type === 'number' && typeof v === 'string' && v !== '' && Number.isFinite(Number(v))) return Number(v);
  return JSON.stringify(v);
}

const fileNames: Record<ExportEntity, string> = { lead: 'leads', contact: 'contacts', company: 'companies' };

const exportParams = {
  format: z.enum(['csv', 'xlsx']).default('csv').openapi({ description: 'csv (UTF-8 with BOM) or xlsx' }),
  purpose: z.enum(['list', 'campaign']).optional().openapi({
    description: '`campaign` leaves out people who asked not to be contacted (and their leads); otherwise they are marked in a column',
  }),
  lang: z.enum(['es', 'en']).optional().openapi({ description: 'Language of the header row (default es)' }),
  delimiter: z.enum(['semicolon', 'comma']).optional().openapi({
    description: 'CSV only. semicolon (default): `;` and decimal comma, what a Spanish Excel or LibreOffice opens in columns; comma: `,` and decimal point',
  }),
};

/** The list's own filters, sort and search, without paging (an export has every matching row), plus the export's options. */
function exportQuery(spec: ListSpec, extra: Record<string, z.ZodType> = {}) {
  const { limit: _l, cursor: _c, ...filters } = listQuerySchema(spec).shape;
  return z.strictObject({ ...filters, ...exportParams, ...extra });
}

const download = (name: string, contentType: string) => ({
  'content-type': contentType,
  'content-disposition': `attachment; filename="${name}"`,
  'cache-control': 'no-store',
});

/** Pulls the first row before answering, so a bad filter is a 422 rather than a broken download. */
async function primed<T>(gen: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await gen.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* gen;
  })();
}

const today = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

const toVcard = (row: AnyRow, lang: Lang): VcardContact => ({
  ...(row as unknown as VcardContact),
  note: row['doNotContact'] ? (lang === 'es' ? 'No desea ser contactado.' : 'Asked not to be contacted.') : null,
});

/**
 * Downloads of the leads, contacts and companies lists (CSV, XLSX; contacts also as vCard): the
 * same filters and visibility as the list endpoints, every matching row, streamed.
 */
export function exportRoutes(deps: Deps) {
  const r = newRouter();
  const specs: Record<ExportEntity, ListSpec> = { lead: listSpecOf('lead'), contact: listSpecOf('contact'), company: companyList };
  const tags: Record<ExportEntity, string> = { lead: 'leads', contact: 'contacts', company: 'companies' };

  for (const entity of ['lead', 'contact', 'company'] as const) {
    const spec = specs[entity];
    const query = entity === 'contact'
      ? exportQuery(spec, { format: z.enum(['csv', 'xlsx', 'vcard']).default('csv').openapi({ description: 'csv (UTF-8 with BOM), xlsx or vcard (vCard 4.0, one card per contact)' }) })
      : exportQuery(spec);
    r.openapi(createRoute({
      method: 'get', path: `/${fileNames[entity]}/export`, tags: [tags[entity]],
      summary: `Download the ${fileNames[entity]} list (same filters as the list) as ${entity === 'contact' ? 'CSV, XLSX or vCard' : 'CSV or XLSX'}`,
      request: { query },
      responses: {
        200: {
          description: 'The file',
          content: {
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
            ...(entity === 'contact' ? { 'text/vcard': { schema: z.string() } } : {}),
          },
        },
        ...problemResponses,
      },
    }), async (c) => {
      const actor: Actor = c.get('actor');
      const { format, purpose, lang: langParam, delimiter, ...params } = c.req.valid('query') as Record<string, string | undefined>;
      const lang: Lang = langParam === 'en' ? 'en' : 'es';
      const ws = await workspaceExportSettings(deps.database, actor.workspaceId);
      // Roles that may not see sensitive contact fields get neither their columns nor their vCard lines.
      const access = entity === 'contact' ? await profileAccess(deps.database.db, actor) : null;
      const hidden = new Set(access && !access.canSeeSensitive ? sensitiveFieldPaths(access.sensitiveCustomKeys) : []);
      const allRows = await primed(exportRows(deps.database, actor, entity, spec, { params, forCampaign: purpose === 'campaign' }));
      const rows = hidden.size
        ? (async function* () { for await (const row of allRows) yield omitSensitive(row, access!.sensitiveCustomKeys); })()
        : allRows;
      const name = `${fileNames[entity]}-${today(ws.timeZone)}`;

      if (format === 'vcard') {
        const cards = (async function* () { for await (const row of rows) yield encodeVcard(toVcard(row, lang), { defaultCountry: ws.defaultCountry }); })();
        return c.body(textStream(cards), 200, download(`${name}.vcf`, 'text/vcard; charset=utf-8'));
      }
      const columns = [...columnsOf[entity], ...customColumns(await exportCustomFields(deps.database, actor.workspaceId, entity))]
        .filter((col) => !hidden.has(col.key));
      const fmt = format === 'xlsx' ? 'xlsx' : 'csv';
      const cells = (async function* () {
        for await (const row of rows) yield columns.map((col) => cellOf(col.get ? col.get(row) : row[col.key], col, lang, fmt));
      })();
      const headers = columns.map((col) => col[lang]);
      if (fmt === 'xlsx') {
        const out = streamXlsx(lang === 'es' ? ({ lead: 'Prospectos', contact: 'Contactos', company: 'Empresas' } as const)[entity] : fileNames[entity],
          columns.map((col) => ({ header: col[lang], ...(col.type ? { type: col.type } : {}) })), cells, { timeZone: ws.timeZone });
        return c.body(Readable.toWeb(out) as ReadableStream<Uint8Array>, 200,
          download(`${name}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'));
      }
      const dialect: CsvDialect = delimiter === 'comma' ? 'rfc4180' : 'excel-es';
      return c.body(encodeCsvStream(headers, cells, { dialect, timeZone: ws.timeZone }), 200, download(`${name}.csv`, 'text/csv; charset=utf-8'));
    });
  }

  r.openapi(createRoute({
    method: 'get', path: '/contacts/{id}/vcard', tags: ['contacts'], summary: 'One contact as a vCard 4.0 (.vcf)',
    request: { params: IdParam, query: z.strictObject({ lang: exportParams.lang }) },
    responses: { 200: { description: 'The card', content: { 'text/vcard': { schema: z.string() } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const access = await profileAccess(deps.database.db, actor);
    const stored = await getContactView(deps.database, actor.workspaceId, c.req.valid('param').id);
    const row = access.canSeeSensitive ? stored : omitSensitive(stored, access.sensitiveCustomKeys);
    const ws = await workspaceExportSettings(deps.database, actor.workspaceId);
    const lang: Lang = c.req.valid('query').lang === 'en' ? 'en' : 'es';
    const slug = [row['firstName'], row['lastName']].filter(Boolean).join('-').normalize('NFD').replace(/[^\w-]+/g, '').toLowerCase() || 'contact';
    return c.body(encodeVcard(toVcard(row, lang), { defaultCountry: ws.defaultCountry }), 200, download(`${slug}.vcf`, 'text/vcard; charset=utf-8'));
  });
  return r;
}

/** Streams strings as UTF-8, pulled by the reader. */
function textStream(parts: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await parts.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() { await parts.return(undefined); },
  });
}


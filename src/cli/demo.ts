import { parseArgs } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { loadConfig } from '../config.js';
import { createDeps } from '../server.js';
import { hashPassword } from '../auth/password.js';
import type { Database } from '../db/client.js';
import { createWorkspace } from '../db/queries/workspaces.js';
import { insertBatches } from '../db/queries/bulk.js';
import { recordAudit } from '../db/audit.js';
import { loadScoring, rescoreMany, saveRules, trainWorkspaceModel } from '../db/queries/score.js';
import {
  activity, appUser, campaign, company, complaint, complaintEvent, contact, feedback, followUp, lead, leadStageHistory, product, sale,
  saleLine, team,
} from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { priceSale, type SaleLineInput } from '../domain/sale.js';
import { statusOfStage, weightedAmount, type NextActionType } from '../domain/lead.js';
import { defaultPipeline, type StageKind } from '../domain/pipeline.js';
import { dayRange } from '../domain/today.js';
import { deriveLifecycle, type Lifecycle } from '../domain/profile.js';
import { defaultFollowUpDue, followUpWindowOf, type FollowUpWindow } from '../domain/follow-up.js';
import { generateCommand } from './generate.js';

/**
 * `seguimiento demo`: a realistic Spanish demo workspace (a kitchen and furniture business in the
 * Levante) so that every screen and metric has something real to show. The data come from a seeded
 * PRNG, so every run builds the same workspace; dates are relative to "now".
 */

export const DEMO_WORKSPACE_NAME = 'Muebles y Cocinas Levante S.L.';
export const DEMO_ADMIN_EMAIL = 'admin@demo.seguimiento.es';
export const DEMO_PASSWORD = 'demo-seguimiento';
const DEMO_SEED = 20_240_917;
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

/** mulberry32: tiny, fast and good enough to make believable data reproducible. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chance = (p: number) => next() < p;
  /** Picks by weight: [[value, weight], …]. */
  const weighted = <T>(xs: readonly (readonly [T, number])[]): T => {
    let r = next() * xs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of xs) { r -= w; if (r < 0) return v; }
    return xs.at(-1)![0];
  };
  const uuid = () => {
    const h = Array.from({ length: 16 }, () => int(0, 255));
    h[6] = (h[6]! & 0x0f) | 0x40;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  };
  return { next, int, pick, chance, weighted, uuid };
}
type Rng = ReturnType<typeof seededRandom>;

const asciiSlug = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '');

// ---------------------------------------------------------------------------------------------
// Catalogues of realistic Spanish data

const products = [
  { name: 'Cocina a medida', sku: 'COC-001', category: 'Cocinas', unitPrice: 8900 },
  { name: 'Encimera de cuarzo', sku: 'COC-010', category: 'Cocinas', unitPrice: 1450 },
  { name: 'Pack de electrodomésticos integrados', sku: 'COC-020', category: 'Cocinas', unitPrice: 3200 },
  { name: 'Armario empotrado', sku: 'DOR-001', category: 'Dormitorio', unitPrice: 2350 },
  { name: 'Vestidor a medida', sku: 'DOR-010', category: 'Dormitorio', unitPrice: 4100 },
  { name: 'Sofá modular', sku: 'SAL-001', category: 'Salón', unitPrice: 1890 },
  { name: 'Mesa de comedor de roble', sku: 'SAL-010', category: 'Salón', unitPrice: 1250 },
  { name: 'Mueble de baño suspendido', sku: 'BAN-001', category: 'Baño', unitPrice: 780 },
  { name: 'Proyecto de interiorismo', sku: 'SRV-001', category: 'Servicios', unitPrice: 1500 },
  { name: 'Instalación y montaje', sku: 'SRV-010', category: 'Servicios', unitPrice: 450 },
  { name: 'Mantenimiento anual', sku: 'SRV-020', category: 'Servicios', unitPrice: 240 },
  { name: 'Iluminación LED bajo mueble', sku: 'ACC-001', category: 'Accesorios', unitPrice: 320 },
] as const;
/** What a lead is usually about (indexes in `products`), with the extras that go with it. */
const offers: readonly (readonly [number[], number])[] = [
  [[0, 1, 9], 30], [[0, 2, 9, 11], 15], [[3, 9], 14], [[4, 9], 8], [[5, 6], 10], [[7, 9], 8], [[8], 7], [[1], 4], [[6], 4],
];

const companyNames = [
  'Restaurante La Albufera', 'Hotel Mar de Cullera', 'Construcciones Turia', 'Inmobiliaria Ruzafa', 'Clínica Dental Benimaclet',
  'Estudio de Arquitectura Calatrava Sur', 'Colegio San Vicente Ferrer', 'Bodegas Utiel-Requena', 'Hostal El Carmen', 'Reformas Hermanos Soler',
  'Promociones Levante Casas', 'Cafetería La Lonja', 'Gestoría Martínez y Asociados', 'Apartamentos Playa San Juan', 'Residencia Virgen del Remedio',
  'Panadería Horno de San Nicolás', 'Óptica Benlliure', 'Academia de Idiomas Campanar', 'Constructora Manchega del Este', 'Bar Tapería El Cabanyal',
  'Hotel Boutique Chamberí', 'Oficinas Castellana Business', 'Coworking Malasaña Hub', 'Clínica Fisio Retiro', 'Inmobiliaria Salamanca Prime',
  'Restaurante Casa Lucio Lavapiés', 'Promotora Alicante Golf', 'Hotel Explanada', 'Arrocería El Postiguet', 'Inmobiliaria Costa Blanca Norte',
  'Construcciones Alcoy', 'Estudio Interiorismo Elx', 'Calzados Vinalopó', 'Clínica Veterinaria Altabix', 'Hotel Castellón Centro',
  'Cerámicas del Maestrazgo', 'Reformas Plana Baixa', 'Gimnasio Olympia Gandia', 'Apartamentos Turísticos Dénia', 'Escuela Infantil Els Xiquets',
  'Asesoría Fiscal Patraix', 'Pastelería Dulce Valencia', 'Bufete Navarro Abogados', 'Farmacia Torrefiel', 'Hostelería Marina Real',
  'Promociones Torrent Sur', 'Casa Rural La Serranía', 'Carpintería Metálica Paterna', 'Centro Médico Burjassot', 'Hotel Rural Requena',
] as const;
const legalForms = ['S.L.', 'S.L.', 'S.A.', 'S.L.U.', 'S.Coop.'] as const;
const sectorOf = (name: string) =>
  /Hotel|Hostal|Apartamentos|Casa Rural/.test(name) ? 'Hoteles y alojamientos'
  : /Restaurante|Bar|Cafetería|Arrocería|Hostelería|Panadería|Pastelería|Bodegas/.test(name) ? 'Hostelería y restauración'
  : /Construc|Reformas|Promo|Carpintería/.test(name) ? 'Construcción y reformas'
  : /Inmobiliaria/.test(name) ? 'Inmobiliaria'
  : /Clínica|Centro Médico|Farmacia|Residencia|Fisio|Veterinaria|Óptica|Gimnasio/.test(name) ? 'Salud y bienestar'
  : /Colegio|Escuela|Academia/.test(name) ? 'Educación'
  : /Arquitectura|Interiorismo/.test(name) ? 'Arquitectura e interiorismo'
  : 'Servicios profesionales';

type Place = { city: string; region: string; neighbourhood: string; postalCode: string; streets: string[] };
const places: readonly (readonly [Place, number])[] = [
  [{ city: 'Valencia', region: 'Comunitat Valenciana', neighbourhood: 'Ruzafa', postalCode: '46006', streets: ['Calle de Sueca', 'Calle de Cádiz', 'Calle de Puerto Rico'] }, 8],
  [{ city: 'Valencia', region: 'Comunitat Valenciana', neighbourhood: 'El Carmen', postalCode: '46003', streets: ['Calle de Caballeros', 'Calle de la Bolsería'] }, 5],
  [{ city: 'Valencia', region: 'Comunitat Valenciana', neighbourhood: 'Benimaclet', postalCode: '46020', streets: ['Calle de Emilio Baró', 'Avenida de Valladolid'] }, 5],
  [{ city: 'Valencia', region: 'Comunitat Valenciana', neighbourhood: 'Campanar', postalCode: '46015', streets: ['Avenida de Pío XII', 'Calle de Valle de la Ballestera'] }, 5],
  [{ city: 'Valencia', region: 'Comunitat Valenciana', neighbourhood: 'El Cabanyal', postalCode: '46011', streets: ['Calle de la Reina', 'Calle de Escalante'] }, 4],
  [{ city: 'Valencia', region: 'Comunitat Valenciana', neighbourhood: 'Patraix', postalCode: '46018', streets: ['Calle de Archiduque Carlos', 'Calle del Beato Nicolás Factor'] }, 4],
  [{ city: 'Madrid', region: 'Comunidad de Madrid', neighbourhood: 'Chamberí', postalCode: '28010', streets: ['Calle de Fuencarral', 'Calle de Santa Engracia'] }, 4],
  [{ city: 'Madrid', region: 'Comunidad de Madrid', neighbourhood: 'Salamanca', postalCode: '28001', streets: ['Calle de Serrano', 'Calle de Velázquez'] }, 3],
  [{ city: 'Madrid', region: 'Comunidad de Madrid', neighbourhood: 'Malasaña', postalCode: '28004', streets: ['Calle del Pez', 'Calle de San Bernardo'] }, 2],
  [{ city: 'Madrid', region: 'Comunidad de Madrid', neighbourhood: 'Retiro', postalCode: '28009', streets: ['Calle de Ibiza', 'Avenida de Menéndez Pelayo'] }, 2],
  [{ city: 'Alicante', region: 'Comunitat Valenciana', neighbourhood: 'Centro', postalCode: '03001', streets: ['Calle de San Francisco', 'Rambla de Méndez Núñez'] }, 4],
  [{ city: 'Alicante', region: 'Comunitat Valenciana', neighbourhood: 'Playa de San Juan', postalCode: '03540', streets: ['Avenida de Niza', 'Avenida de Costa Blanca'] }, 3],
  [{ city: 'Elche', region: 'Comunitat Valenciana', neighbourhood: 'Altabix', postalCode: '03203', streets: ['Avenida de la Universidad', 'Calle de Almórida'] }, 2],
  [{ city: 'Castellón de la Plana', region: 'Comunitat Valenciana', neighbourhood: 'Centro', postalCode: '12001', streets: ['Calle Mayor', 'Calle de Enmedio'] }, 2],
  [{ city: 'Gandia', region: 'Comunitat Valenciana', neighbourhood: 'Grau i Platja', postalCode: '46730', streets: ['Paseo Marítimo Neptuno', 'Calle de Legazpi'] }, 2],
  [{ city: 'Torrent', region: 'Comunitat Valenciana', neighbourhood: 'El Vedat', postalCode: '46901', streets: ['Avenida del Vedat', 'Calle de Picassent'] }, 2],
];

const firstNames = [
  'María', 'Carmen', 'Ana', 'Lucía', 'Laura', 'Marta', 'Elena', 'Paula', 'Sara', 'Cristina', 'Isabel', 'Pilar', 'Rosa', 'Amparo', 'Inmaculada', 'Nuria', 'Alba', 'Irene', 'Raquel', 'Beatriz',
  'José', 'Antonio', 'Manuel', 'Francisco', 'Javier', 'David', 'Daniel', 'Carlos', 'Vicente', 'Pablo', 'Sergio', 'Jorge', 'Alberto', 'Rafael', 'Miguel', 'Álvaro', 'Adrián', 'Joan', 'Vicent', 'Andrés',
] as const;
const surnames = [
  'García', 'Martínez', 'López', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Muñoz', 'Álvarez', 'Romero',
  'Navarro', 'Torres', 'Domínguez', 'Gil', 'Vidal', 'Ferrer', 'Soler', 'Sanchis', 'Ribes', 'Llopis', 'Mompó', 'Belda', 'Peiró', 'Castelló', 'Esteve', 'Giménez', 'Serrano', 'Molina', 'Ortega', 'Marco',
] as const;
const jobTitles = ['Gerente', 'Director de compras', 'Responsable de mantenimiento', 'Jefa de obra', 'Administradora', 'Propietario', 'Directora general', 'Arquitecta', 'Responsable de operaciones', 'Encargado'] as const;

type ActivityType = 'call' | 'email' | 'meeting' | 'visit' | 'message' | 'note' | 'task';
const activityTexts: Record<ActivityType, { subjects: string[]; outcomes: string[] }> = {
  call: {
    subjects: ['Llamada de primer contacto', 'Llamada de seguimiento del presupuesto', 'Llamada para concretar visita', 'Llamada para resolver dudas de acabados', 'Llamada de confirmación de medidas'],
    outcomes: ['Interesado, pide presupuesto', 'No contesta, dejar mensaje', 'Volver a llamar la semana que viene', 'Quiere comparar con otra oferta', 'Confirma la cita'],
  },
  email: {
    subjects: ['Envío de presupuesto detallado', 'Catálogo de acabados y colores', 'Propuesta revisada con descuento', 'Plano 3D de la cocina', 'Condiciones de financiación'],
    outcomes: ['Enviado', 'Ha abierto el correo', 'Responde con preguntas', 'Pide cambios en el diseño', 'Sin respuesta por ahora'],
  },
  meeting: {
    subjects: ['Reunión en tienda para ver muestras', 'Presentación de la propuesta de diseño', 'Reunión con la propiedad', 'Revisión del proyecto con el arquitecto'],
    outcomes: ['Le encaja el diseño', 'Pide una segunda versión', 'Decide en dos semanas', 'Aprueba el presupuesto'],
  },
  visit: {
    subjects: ['Visita para toma de medidas', 'Visita a obra', 'Visita de replanteo', 'Visita de revisión tras el montaje'],
    outcomes: ['Medidas tomadas', 'Obra retrasada un mes', 'Todo correcto', 'Hay que ajustar una puerta'],
  },
  message: {
    subjects: ['WhatsApp con fotos de la cocina actual', 'Mensaje para confirmar hora', 'Recordatorio de la cita de mañana'],
    outcomes: ['Responde enseguida', 'Confirma', 'Pide cambiar la hora'],
  },
  note: {
    subjects: ['Nota: prefiere tonos claros y madera natural', 'Nota: decide la pareja en conjunto', 'Nota: presupuesto máximo ajustado', 'Nota: viene recomendado por un cliente'],
    outcomes: [''],
  },
  task: {
    subjects: ['Preparar presupuesto', 'Pedir muestras al proveedor', 'Revisar plano con el taller'],
    outcomes: ['Hecho'],
  },
};
const lostReasons = ['Precio demasiado alto', 'Eligió a la competencia', 'Aplaza la reforma', 'No consigue financiación', 'Plazo de entrega demasiado largo', 'Deja de responder'];
const nextActionNotes: Record<NextActionType, string> = {
  call: 'Llamar para ver si ha revisado el presupuesto', email: 'Enviar la propuesta actualizada', meeting: 'Reunión en tienda para cerrar detalles',
  visit: 'Visita para tomar medidas', message: 'Mandar WhatsApp con fotos de referencias', task: 'Preparar presupuesto con dos alternativas',
};

const followUpOutcomes = ['Muy satisfecho con el montaje', 'Todo bien, recomienda a un vecino', 'Pide ajustar una bisagra', 'Contento, pregunta por el mantenimiento', 'No contesta; se deja mensaje'];
const promoterComments = ['El equipo de montaje fue impecable y muy limpio.', 'Cumplieron el plazo y el resultado es precioso.', 'Ya os he recomendado a mi hermana.', 'Muy buen asesoramiento en la tienda.'];
const passiveComments = ['Bien en general, aunque la entrega se retrasó una semana.', 'Buena calidad, el precio algo alto.', 'Correcto, faltó un tirador que trajeron después.'];
const detractorComments = ['Tardaron mucho en venir a terminar el montaje.', 'La encimera llegó con un arañazo.', 'Nadie me devolvía las llamadas.'];
const complaintTexts: Record<'quality_defect' | 'after_sales_service' | 'functionality' | 'durability' | 'other', string[]> = {
  quality_defect: ['Una puerta del armario llegó con el canto despegado.', 'La encimera tiene una marca junto al fregadero.', 'El color del frente no coincide con la muestra.'],
  after_sales_service: ['Tres llamadas sin respuesta para ajustar los cajones.', 'El técnico no vino el día acordado.'],
  functionality: ['El cajón de las sartenes no cierra bien con peso.', 'La luz LED bajo mueble parpadea.'],
  durability: ['Las bisagras se han aflojado a los dos meses.', 'El tapizado del sofá se ha desgastado muy pronto.'],
  other: ['Factura con el IVA mal calculado.', 'Falta el manual de uso de la placa.'],
};
const complaintResolutionFor = {
  quality_defect: 'replacement', after_sales_service: 'home_maintenance', functionality: 'repair', durability: 'repair', other: 'other',
} as const;

// ---------------------------------------------------------------------------------------------

export type DemoOptions = {
  /** Fill this existing workspace instead of creating the demo one. */
  workspaceId?: string | undefined;
  now?: Date;
  /** Hash of DEMO_PASSWORD; computed when absent (scrypt takes ~0.1 s). */
  passwordHash?: string;
};

export type DemoResult = {
  workspaceId: string;
  /** False when the demo data were already there and nothing was written. */
  loaded: boolean;
  createdWorkspace: boolean;
  adminEmail: string | null;
  userEmails: string[];
  counts: Record<string, number>;
  /** Open pipeline value weighted by probability (the forecast's figure). */
  weightedPipeline: number;
  seconds: number;
};

type StageRow = { id: string; name: string; kind: StageKind; probability: number; position: number; pipelineId: string };

async function demoAlreadyLoaded(d: Database, workspaceId: string): Promise<boolean> {
  const rows = await d.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_event WHERE workspace_id = $1 AND entity = 'workspace' AND entity_id = $1 AND action = 'demo_load'`, [workspaceId]);
  return (rows[0]?.n ?? 0) > 0;
}

/**
 * Loads the demo. Without a workspace id it creates (once) the demo workspace with its admin; with
 * one it fills that workspace. Running it again on a workspace that has the demo does nothing.
 */
export async function loadDemo(database: Database, opts: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const hash = opts.passwordHash ?? (await hashPassword(DEMO_PASSWORD));
  let workspaceId = opts.workspaceId;
  let createdWorkspace = false;
  let adminEmail: string | null = null;
  if (workspaceId) {
    const ws = await database.query<{ id: string }>('SELECT id FROM workspace WHERE id = $1', [workspaceId]);
    if (!ws[0]) throw new AppError('not_found', `No workspace ${workspaceId}.`);
  } else {
    adminEmail = DEMO_ADMIN_EMAIL;
    const existing = await database.query<{ workspaceId: string }>(
      'SELECT workspace_id AS "workspaceId" FROM app_user WHERE lower(email) = $1', [DEMO_ADMIN_EMAIL]);
    if (existing[0]) {
      workspaceId = existing[0].workspaceId;
    } else {
      const created = await createWorkspace(database, {
        workspaceName: DEMO_WORKSPACE_NAME, currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
        admin: { name: 'Administración Levante', email: DEMO_ADMIN_EMAIL, passwordHash: hash },
      }, { onlyIfFirst: false });
      workspaceId = created.workspace.id;
      createdWorkspace = true;
    }
  }
  const ws = workspaceId;
  const base = { workspaceId: ws, adminEmail, createdWorkspace };
  if (await demoAlreadyLoaded(database, ws)) {
    const emails = await database.query<{ email: string }>('SELECT email FROM app_user WHERE workspace_id = $1 ORDER BY email', [ws]);
    return { ...base, loaded: false, userEmails: emails.map((e) => e.email), counts: {}, weightedPipeline: 0, seconds: (performance.now() - started) / 1000 };
  }

  const meta = await database.query<{ timeZone: string; currency: string; settings: Record<string, unknown>; adminId: string | null }>(
    `SELECT w.time_zone AS "timeZone", w.currency, w.settings,
            (SELECT id FROM app_user u WHERE u.workspace_id = w.id AND u.role = 'admin' ORDER BY created_at LIMIT 1) AS "adminId"
       FROM workspace w WHERE w.id = $1`, [ws]);
  const { timeZone, currency, settings, adminId } = meta[0]!;
  const followUpWindow = followUpWindowOf(settings, timeZone);
  const stages = await database.query<StageRow>(
    `SELECT s.id, s.name, s.kind, s.probability, s.position, s.pipeline_id AS "pipelineId"
       FROM stage s JOIN pipeline p ON p.workspace_id = s.workspace_id AND p.id = s.pipeline_id
      WHERE s.workspace_id = $1 ORDER BY p.is_default DESC, p.position, p.created_at, s.position`, [ws]);
  const pipelineId = stages[0]?.pipelineId;
  const pipelineStages = stages.filter((s) => s.pipelineId === pipelineId);
  const openStages = pipelineStages.filter((s) => s.kind === 'open');
  const wonStage = pipelineStages.find((s) => s.kind === 'won');
  const lostStage = pipelineStages.find((s) => s.kind === 'lost');
  if (!pipelineId || !openStages.length || !wonStage || !lostStage) {
    throw new AppError('validation', `The workspace's pipeline needs open, won and lost stages (like "${defaultPipeline('es').stages.map((s) => s.name).join(', ')}").`);
  }
  const sources = await database.query<{ id: string; kind: string }>('SELECT id, kind FROM source WHERE workspace_id = $1 AND is_active ORDER BY name', [ws]);

  const rng = seededRandom(DEMO_SEED);
  const data = buildDemo(rng, { workspaceId: ws, now, timeZone, followUpWindow, currency, adminId, hash, pipelineId, openStages, wonStage, lostStage, sources, emailTag: opts.workspaceId ? `+${ws.slice(0, 8)}` : '' });

  await database.transaction(async (tx) => {
    await insertBatches(tx, team, [{ ...data.team, managerId: null }]);
    await insertBatches(tx, appUser, data.users);
    await tx.update(team).set({ managerId: data.team.managerId }).where(teamKey(ws, data.team.id));
    await insertBatches(tx, product, data.products);
    await insertBatches(tx, campaign, data.campaigns);
    await insertBatches(tx, company, data.companies);
    await insertBatches(tx, contact, data.contacts);
    await insertBatches(tx, lead, data.leads);
    await insertBatches(tx, leadStageHistory, data.history);
    await insertBatches(tx, activity, data.activities);
    await insertBatches(tx, sale, data.sales);
    await insertBatches(tx, saleLine, data.saleLines);
    await insertBatches(tx, feedback, data.feedbacks);
    await insertBatches(tx, followUp, data.followUps);
    await insertBatches(tx, complaint, data.complaints);
    await insertBatches(tx, complaintEvent, data.complaintEvents);
    // Score rules a furniture maker would write, and every lead and contact scored by them, so each
    // score on screen explains itself (saved as an admin saves them: validated).
    if (adminId) {
      await saveRules(tx, { workspaceId: ws, userId: adminId, role: 'admin', teamId: null }, demoScoreRules(sources), async () => undefined);
      await rescoreMany(tx, ws, { leads: data.leads.map((l) => l['id'] as string), contacts: data.contacts.map((c) => c['id'] as string) }, await loadScoring(tx, ws), now);
    }
    // One auditEvent for the load (also the marker that makes a second run a no-op).
    await recordAudit(tx, { workspaceId: ws, userId: adminId, entity: 'workspace', entityId: ws, action: 'demo_load', meta: data.counts });
  });
  // The measured probability, trained on the demo's 18 months of closed leads as the nightly job would.
  await trainWorkspaceModel(database, ws, now);
  return {
    ...base, loaded: true, userEmails: data.users.map((u) => u.email as string), counts: data.counts,
    weightedPipeline: data.weightedPipeline, seconds: (performance.now() - started) / 1000,
  };
}

const teamKey = (ws: string, id: string) => and(eq(team.workspaceId, ws), eq(team.id, id));

/** The demo's score rules: who fits (sector, size, how they came) and what they did lately. */
function demoScoreRules(sources: readonly { id: string; kind: string }[]): unknown[] {
  const warm = sources.filter((s) => s.kind === 'fair' || s.kind === 'referral').map((s) => s.id);
  return [
    { label: 'Sector objetivo: hoteles y hostelería', weight: 20, condition: { type: 'sector', values: ['Hoteles y alojamientos', 'Hostelería y restauración'] } },
    { label: 'Empresa de 20 o más empleados', weight: 10, condition: { type: 'size', min: 20, max: null } },
    ...(warm.length ? [{ label: 'Llega por feria o recomendación', weight: 15, condition: { type: 'source', sourceIds: warm } }] : []),
    { label: 'Tres o más interacciones en 30 días', weight: 20, condition: { type: 'interactions', activityTypes: ['call', 'email', 'meeting', 'visit', 'message'], days: 30, min: 3 } },
    { label: 'Ha respondido en los últimos 14 días', weight: 15, condition: { type: 'replied', days: 14 } },
    { label: 'Visita en tienda u obra en 60 días', weight: 20, condition: { type: 'visits', days: 60, min: 1 } },
    { label: 'Sin contacto en 21 días', weight: -20, condition: { type: 'noContact', days: 21 } },
  ];
}

type Row = Record<string, unknown>;
type BuildInput = {
  workspaceId: string; now: Date; timeZone: string; followUpWindow: FollowUpWindow; currency: string; adminId: string | null; hash: string; pipelineId: string;
  openStages: StageRow[]; wonStage: StageRow; lostStage: StageRow; sources: { id: string; kind: string }[]; emailTag: string;
};

/** Builds every row in memory (pure apart from the PRNG), in the order foreign keys need. */
function buildDemo(rng: Rng, input: BuildInput) {
  const { workspaceId, now, currency } = input;
  const nowMs = now.getTime();
  const ago = (days: number) => new Date(nowMs - days * DAY);
  const ws = { workspaceId };
  const mail = (name: string) => `${asciiSlug(name)}${input.emailTag}@demo.seguimiento.es`;

  // Team and users -----------------------------------------------------------------------------
  const teamId = rng.uuid();
  const people = [
    { name: 'Carmen Navarro Soler', role: 'manager' as const },
    { name: 'Javier Ruiz Martínez', role: 'sales' as const },
    { name: 'Lucía Ferrer Gómez', role: 'sales' as const },
    { name: 'Pablo Sanchis Vidal', role: 'sales' as const },
  ];
  const users = people.map((p) => ({
    ...ws, id: rng.uuid(), email: mail(p.name.split(' ').slice(0, 2).join(' ')), name: p.name, role: p.role, locale: 'es' as const,
    teamId, passwordHash: input.hash, createdAt: ago(560), updatedAt: ago(560),
  }));
  const manager = users[0]!;
  const reps = users.slice(1);
  const ownerWeights = [[manager.id, 1], ...reps.map((u) => [u.id, 3] as const)] as const;
  const pickOwner = () => rng.weighted(ownerWeights as unknown as readonly (readonly [string, number])[]);

  // Products and campaigns ---------------------------------------------------------------------
  const productRows = products.map((p) => ({ ...ws, id: rng.uuid(), ...p, createdAt: ago(560), updatedAt: ago(560) }));
  const sourceByKind = new Map(input.sources.map((s) => [s.kind, s.id]));
  const campaignDefs = [
    { name: 'Feria Hábitat Valencia', kind: 'fair', from: 400, days: 5, cost: 12500, notes: 'Stand de 36 m² con cocina expuesta' },
    { name: 'Google Ads cocinas primavera', kind: 'campaign', from: 250, days: 75, cost: 4800, notes: 'Búsqueda y display, Valencia y Alicante' },
    { name: 'Emailing clientes otoño', kind: 'emailing', from: 120, days: 30, cost: 600, notes: 'Mantenimiento y renovación para clientes' },
    { name: 'Instagram reformas de baño', kind: 'social', from: 200, days: 60, cost: 2200, notes: 'Anuncios con antes y después' },
    { name: 'Captación telefónica hostelería', kind: 'phone', from: 330, days: 90, cost: 3000, notes: 'Bares y restaurantes de Ruzafa y El Carmen' },
    { name: 'Google Ads armarios y vestidores', kind: 'campaign', from: 60, days: 90, cost: 3900, notes: 'Campaña en curso' },
  ];
  const campaigns = campaignDefs.map((c) => {
    const start = ago(c.from);
    const end = new Date(start.getTime() + c.days * DAY);
    return {
      ...ws, id: rng.uuid(), name: c.name, sourceId: sourceByKind.get(c.kind) ?? null,
      startsOn: start.toISOString().slice(0, 10), endsOn: end.toISOString().slice(0, 10), cost: c.cost, notes: c.notes,
      createdAt: ago(c.from + 10), updatedAt: ago(c.from + 10), kind: c.kind, startMs: start.getTime(), endMs: end.getTime(),
    };
  });

  // Companies ----------------------------------------------------------------------------------
  const pickPlace = () => rng.weighted(places);
  const companies = companyNames.map((n) => {
    const place = pickPlace();
    const name = `${n} ${rng.pick(legalForms)}`;
    return {
      ...ws, id: rng.uuid(), name, sector: sectorOf(n), employees: rng.int(3, 180), annualRevenue: rng.int(15, 900) * 10_000,
      website: `https://www.${asciiSlug(n).replaceAll('.', '')}.es`, email: `info@${asciiSlug(n).replaceAll('.', '')}.es`,
      phone: `+34 9${rng.int(10, 99)} ${rng.int(100, 999)} ${rng.int(100, 999)}`,
      address: `${rng.pick(place.streets)}, ${rng.int(1, 120)}`, postalCode: place.postalCode, neighbourhood: place.neighbourhood,
      city: place.city, region: place.region, country: 'ES', ownerId: pickOwner(), createdAt: ago(rng.int(480, 560)), updatedAt: ago(rng.int(1, 400)),
    };
  });

  // Contacts -----------------------------------------------------------------------------------
  const contacts: (Row & { id: string; companyId: string | null; ownerId: string; createdAt: Date; lifecycle: Lifecycle; lastActivityAt: Date | null; doNotContact: boolean })[] = [];
  const usedEmails = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const atCompany = i < 180;
    const comp = atCompany ? companies[i % companies.length]! : null;
    const place = comp ? null : pickPlace();
    const firstName = rng.pick(firstNames);
    const lastName = rng.pick(surnames);
    const secondLastName = rng.pick(surnames);
    let email = `${asciiSlug(firstName)}.${asciiSlug(lastName)}${comp ? '' : '.' + asciiSlug(secondLastName)}@${comp ? comp.email!.split('@')[1] : rng.pick(['gmail.com', 'hotmail.com', 'yahoo.es', 'outlook.es'])}`;
    if (usedEmails.has(email)) email = email.replace('@', `${i}@`);
    usedEmails.add(email);
    const createdAt = ago(rng.int(20, 545));
    contacts.push({
      ...ws, id: rng.uuid(), firstName, lastName, secondLastName, jobTitle: comp ? rng.pick(jobTitles) : null,
      email, phone: `+34 6${rng.int(0, 99).toString().padStart(2, '0')} ${rng.int(100, 999)} ${rng.int(100, 999)}`,
      address: place ? `${rng.pick(place.streets)}, ${rng.int(1, 90)}, ${rng.int(1, 8)}º ${rng.pick(['A', 'B', 'C', 'D'])}` : null,
      postalCode: place?.postalCode ?? comp?.postalCode ?? null, neighbourhood: place?.neighbourhood ?? comp?.neighbourhood ?? null,
      city: place?.city ?? comp?.city ?? null, region: place?.region ?? comp?.region ?? null, country: 'ES',
      birthDate: comp || rng.chance(0.4) ? null : `${rng.int(1955, 1998)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
      maritalStatus: comp || rng.chance(0.5) ? null : rng.pick(['single', 'married', 'married', 'partner', 'divorced', 'widowed'] as const),
      contactPreference: rng.weighted([['phone', 4], ['whatsapp', 3], ['email', 3], ['visit', 1]] as const),
      doNotContact: rng.chance(0.04), lifecycle: 'prospect', companyId: comp?.id ?? null,
      ownerId: comp?.ownerId ?? pickOwner(), createdAt, updatedAt: createdAt, lastActivityAt: null,
    });
  }

  // Leads, their stage history, activities and sales ---------------------------------------------
  const leads: Row[] = [];
  const history: Row[] = [];
  const activities: Row[] = [];
  const sales: Row[] = [];
  const saleLines: Row[] = [];
  const followUps: Row[] = [];
  const feedbacks: Row[] = [];
  const complaints: Row[] = [];
  const complaintEvents: Row[] = [];
  const lastSaleOf = new Map<string, number>();
  const purchasesOf = new Map<string, number>();
  // What the lifecycle rule reads about open leads, per contact (see deriveLifecycle).
  const openLeadOf = new Map<string, { pastFirstStage: boolean; maxProbability: number }>();
  let weightedPipeline = 0;
  const today = dayRange(now, input.timeZone);
  const at = (ms: number) => new Date(Math.min(ms, nowMs - 5 * 60 * 1000));
  const workHour = (ms: number) => {
    const d = new Date(ms);
    d.setUTCHours(rng.int(7, 17), rng.pick([0, 15, 30, 45]), 0, 0);
    return d.getTime();
  };
  const addActivity = (a: {
    type: ActivityType; at: number; userId: string; leadId: string | null; contactId: string; companyId: string | null; done: boolean; subject?: string; outcome?: string | null;
    /** A done activity that had been planned: when it was due, and when it was planned. */
    planned?: { dueAt: number; createdAt: number };
  }) => {
    const text = activityTexts[a.type];
    const when = new Date(a.at);
    const outcome = a.outcome === undefined ? rng.pick(text.outcomes) : a.outcome;
    activities.push({
      ...ws, id: rng.uuid(), type: a.type,
      direction: a.type === 'note' || a.type === 'task' ? null : rng.chance(0.25) ? 'inbound' : 'outbound',
      subject: a.subject ?? rng.pick(text.subjects), body: null, outcome: a.done && outcome ? outcome : null,
      occurredAt: a.done ? when : null, dueAt: a.planned ? new Date(a.planned.dueAt) : a.done ? null : when, doneAt: a.done ? when : null,
      leadId: a.leadId, contactId: a.contactId, companyId: a.companyId, userId: a.userId, createdAt: a.planned ? new Date(a.planned.createdAt) : when, updatedAt: when,
    });
  };
  const addSale = (c: (typeof contacts)[number], ownerId: string, soldAtMs: number, lines: SaleLineInput[], leadId: string | null, notes: string | null) => {
    const priced = priceSale(lines);
    const id = rng.uuid();
    const soldAt = new Date(soldAtMs);
    sales.push({ ...ws, id, contactId: c.id, companyId: c.companyId, leadId, ownerId, soldAt, total: priced.total, currency, notes, createdAt: soldAt, updatedAt: soldAt });
    for (const l of priced.lines) saleLines.push({ ...ws, id: rng.uuid(), saleId: id, position: l.position, productId: l.productId ?? null, description: l.description ?? null, quantity: l.quantity, unitPrice: l.unitPrice, lineTotal: l.lineTotal });
    lastSaleOf.set(c.id, Math.max(lastSaleOf.get(c.id) ?? 0, soldAtMs));
    purchasesOf.set(c.id, (purchasesOf.get(c.id) ?? 0) + 1);
    // The post-sale follow-up, due on the first day of the workspace's window (domain rule); done once
    // that moment has passed, usually with a satisfaction answer.
    const dueAt = defaultFollowUpDue(soldAt, input.followUpWindow);
    const done = dueAt.getTime() < nowMs - 2 * HOUR;
    const doneAt = done ? at(dueAt.getTime() + rng.int(0, 6) * HOUR) : null;
    const outcome = done ? rng.pick(followUpOutcomes) : null;
    let feedbackId: string | null = null;
    if (doneAt) {
      addActivity({ type: 'call', at: doneAt.getTime(), userId: ownerId, leadId: null, contactId: c.id, companyId: c.companyId, done: true,
        subject: 'Llamada de seguimiento postventa', outcome });
      if (rng.chance(0.7)) {
        const nps = rng.weighted([[10, 26], [9, 24], [8, 15], [7, 11], [6, 8], [5, 5], [4, 4], [3, 4], [1, 3]] as const);
        feedbackId = rng.uuid();
        feedbacks.push({
          ...ws, id: feedbackId, saleId: id, contactId: c.id, userId: ownerId, nps,
          satisfaction: Math.max(1, Math.min(5, Math.round(nps / 2) + rng.int(-1, 0))),
          comment: rng.chance(0.6) ? rng.pick(nps >= 9 ? promoterComments : nps >= 7 ? passiveComments : detractorComments) : null,
          channel: 'phone', answeredAt: doneAt, createdAt: doneAt, updatedAt: doneAt,
        });
      }
    }
    followUps.push({
      ...ws, id: rng.uuid(), saleId: id, contactId: c.id, userId: ownerId, dueAt, status: done ? 'done' : 'planned',
      doneAt, outcome, feedbackId, createdAt: soldAt, updatedAt: doneAt ?? soldAt,
    });
    return priced.total;
  };
  const linesFor = (productIdx: readonly number[]): SaleLineInput[] => productIdx.map((i) => {
    const p = productRows[i]!;
    const quantity = p.category === 'Servicios' || p.category === 'Cocinas' && i === 0 ? 1 : rng.int(1, 3);
    // Quoted prices vary around list price with the size of the job.
    const unitPrice = Math.round(p.unitPrice * (0.85 + rng.next() * 0.35));
    return { productId: p.id, quantity, unitPrice };
  });

  const [cold, ...warmer] = input.openStages;
  for (let i = 0; i < 400; i++) {
    const c = contacts[rng.int(0, contacts.length - 1)]!;
    const source = rng.pick(input.sources);
    // 18 months of history: most leads of the older months are closed by now. What sold in it (what the
    // measured score should learn): fairs, referrals and the shop, and hotels and restaurants.
    const warmSource = source !== undefined && ['fair', 'referral', 'walk_in'].includes(source.kind);
    const sector = c.companyId ? companies.find((k) => k.id === c.companyId)?.['sector'] : null;
    const targetSector = sector === 'Hoteles y alojamientos' || sector === 'Hostelería y restauración';
    const state = rng.weighted([['open', 40], ['closed', 58], ['cancelled', 2]] as const);
    const outcome = state === 'closed' ? (rng.chance(0.3 + (warmSource ? 0.35 : 0) + (targetSector ? 0.2 : 0)) ? 'won' : 'lost') : state;
    const offer = rng.weighted(offers);
    const lines = linesFor(offer);
    const quote = priceSale(lines);
    const ownerId = c.ownerId;
    const lifeDays = outcome === 'open' ? rng.int(3, 120) : rng.int(12, 90);
    const createdMs = outcome === 'open' ? nowMs - lifeDays * DAY - rng.int(0, 20) * HOUR
      : nowMs - rng.int(lifeDays + 3, 540) * DAY;
    const endMs = outcome === 'open' ? nowMs : Math.min(createdMs + lifeDays * DAY, nowMs - DAY);
    // The path: enter cold (sometimes warmer), climb the open stages, then close.
    const entry = rng.weighted([[0, 70], [1, 20], [2, 10]] as const);
    const openPath = [cold!, ...warmer].slice(Math.min(entry, input.openStages.length - 1));
    let reach = openPath.length;
    if (outcome === 'open' || outcome === 'cancelled') reach = rng.weighted(openPath.map((_, k) => [k + 1, k === 0 ? 45 : k === 1 ? 35 : 20] as const));
    else if (outcome === 'lost') reach = rng.int(1, openPath.length);
    const path: StageRow[] = openPath.slice(0, reach);
    if (outcome === 'won') path.push(input.wonStage);
    if (outcome === 'lost') path.push(input.lostStage);
    const finalStage = path.at(-1)!;
    const id = rng.uuid();
    const stepMs = (endMs - createdMs) / Math.max(1, path.length);
    let prev: StageRow | null = null;
    let changedMs = createdMs;
    for (const [k, s] of path.entries()) {
      changedMs = k === 0 ? createdMs : Math.min(endMs, createdMs + k * stepMs + rng.int(0, 48) * HOUR);
      history.push({ ...ws, id: rng.uuid(), leadId: id, fromStageId: prev?.id ?? null, toStageId: s.id, userId: ownerId, changedAt: new Date(changedMs) });
      prev = s;
    }
    const closedMs = finalStage.kind === 'open' ? null : changedMs;
    const status = outcome === 'cancelled' ? 'cancelled' : statusOfStage(finalStage.kind);

    // Activities along the lead's life, the last one shortly before it closed (or recently).
    const nActs = rng.int(2, 9);
    let lastActMs: number | null = null;
    for (let k = 0; k < nActs; k++) {
      const t = workHour(createdMs + ((k + 0.5) / nActs) * ((closedMs ?? nowMs) - createdMs));
      if (t >= nowMs) continue;
      const type = rng.weighted([['call', 35], ['email', 25], ['meeting', 10], ['visit', 12], ['message', 10], ['note', 8]] as const);
      // A third were planned first; one in six of those was done a day or more after it was due (the
      // dashboard's cadence misses), the others on their day.
      const dueMs = type !== 'note' && rng.chance(1 / 3) ? Math.max(createdMs, rng.chance(1 / 6) ? t - rng.int(1, 4) * DAY : t - rng.int(0, 60) * 60 * 1000) : null;
      addActivity({ type, at: t, userId: ownerId, leadId: id, contactId: c.id, companyId: c.companyId, done: true,
        planned: dueMs === null ? undefined : { dueAt: dueMs, createdAt: Math.max(createdMs, dueMs - rng.int(1, 5) * DAY) } });
      lastActMs = Math.max(lastActMs ?? 0, t);
    }
    if (lastActMs !== null) c.lastActivityAt = new Date(Math.max(c.lastActivityAt?.getTime() ?? 0, lastActMs));

    // Next action for open leads: some today, some overdue, some missing, most in the coming weeks.
    let nextActionAt: Date | null = null;
    let nextActionType: NextActionType | null = null;
    if (status === 'open') {
      const when = rng.weighted([['today', 20], ['overdue', 18], ['missing', 10], ['future', 52]] as const);
      nextActionType = when === 'missing' ? null : rng.weighted([['call', 40], ['email', 15], ['meeting', 15], ['visit', 15], ['message', 10], ['task', 5]] as const);
      if (when === 'today') {
        // Still ahead when the demo is loaded (from 08:00, or the next quarter hour, to 20:00 or 3 h later),
        // so the Today view has something to do at any hour; past 23:45 they fall in today's last quarter.
        const quarter = 15 * 60 * 1000;
        const lastSlot = Math.round((today.end.getTime() - today.start.getTime()) / quarter) - 1;
        const first = Math.min(lastSlot, Math.max(8 * 4, Math.ceil((nowMs - today.start.getTime()) / quarter) + 1));
        nextActionAt = new Date(today.start.getTime() + rng.int(first, Math.min(lastSlot, Math.max(first + 12, 20 * 4))) * quarter);
      }
      if (when === 'overdue') nextActionAt = new Date(workHour(nowMs - rng.int(1, 12) * DAY));
      if (when === 'future') nextActionAt = new Date(workHour(nowMs + rng.int(1, 21) * DAY));
    }

    const camp = campaigns.find((k) => k.sourceId === source?.id && createdMs >= k.startMs && createdMs <= k.endMs + 15 * DAY);
    const probability = finalStage.kind === 'open' ? Math.max(5, Math.min(95, finalStage.probability + rng.int(-5, 10))) : finalStage.probability;
    let amount = quote.total;
    if (status === 'won' && closedMs !== null) amount = addSale(c, ownerId, closedMs, lines, id, null);
    if (status === 'open') {
      weightedPipeline += weightedAmount(amount, probability);
      const facts = openLeadOf.get(c.id) ?? { pastFirstStage: false, maxProbability: 0 };
      openLeadOf.set(c.id, { pastFirstStage: facts.pastFirstStage || finalStage.id !== cold!.id, maxProbability: Math.max(facts.maxProbability, probability) });
    }
    const p0 = productRows[offer[0]!]!;
    const cancelledMs = status === 'cancelled' ? endMs : null;
    leads.push({
      ...ws, id, title: `${p0.name} · ${c.companyId ? companies.find((k) => k.id === c.companyId)!.name : `${c['firstName'] as string} ${c['lastName'] as string}`}`,
      contactId: c.id, companyId: c.companyId, pipelineId: input.pipelineId, stageId: finalStage.id,
      probability, amount, currency,
      expectedCloseDate: status === 'open' ? new Date(nowMs + rng.int(7, 90) * DAY).toISOString().slice(0, 10) : null,
      sourceId: source?.id ?? null, campaignId: camp?.id ?? null, productIds: offer.map((k) => productRows[k]!.id), ownerId,
      sharedWith: rng.chance(0.05) ? [reps.find((r) => r.id !== ownerId)!.id] : [],
      nextActionAt, nextActionType, nextActionNote: nextActionType ? nextActionNotes[nextActionType] : null,
      status, lostReason: status === 'lost' ? rng.pick(lostReasons) : null,
      cancelReason: status === 'cancelled' ? 'Duplicado de otra oportunidad' : null,
      closedAt: closedMs === null ? null : new Date(closedMs), cancelledAt: cancelledMs === null ? null : new Date(cancelledMs),
      lastActivityAt: lastActMs === null ? null : new Date(lastActMs),
      createdAt: new Date(createdMs), updatedAt: at(Math.max(closedMs ?? createdMs, lastActMs ?? createdMs)),
    });
  }

  // Repeat purchases: some clients come back for more (maintenance, accessories, another room).
  for (const c of contacts) {
    const first = lastSaleOf.get(c.id);
    if (first === undefined || !rng.chance(0.4)) continue;
    let t = first;
    for (let k = rng.int(1, 3); k > 0; k--) {
      t += rng.int(30, 200) * DAY;
      if (t > nowMs - DAY) break;
      const extra = rng.weighted([[[10], 4], [[11], 3], [[7, 9], 2], [[5], 1], [[6], 1]] as const);
      addSale(c, c.ownerId, workHour(t), linesFor(extra), null, 'Compra repetida');
    }
  }

  // Complaints on some sales, most of them resolved, each with its status timeline.
  for (const sl of sales) {
    const soldMs = (sl['soldAt'] as Date).getTime();
    const createdMs = workHour(soldMs + rng.int(10, 60) * DAY);
    if (createdMs > nowMs - DAY || !rng.chance(0.09)) continue;
    const category = rng.weighted([['quality_defect', 4], ['after_sales_service', 3], ['functionality', 2], ['durability', 2], ['other', 1]] as const);
    const age = (nowMs - createdMs) / DAY;
    const status = age > 20 ? rng.weighted([['resolved', 75], ['in_progress', 15], ['open', 10]] as const)
      : rng.weighted([['open', 50], ['in_progress', 35], ['resolved', 15]] as const);
    const resolvedMs = status === 'resolved' ? Math.min(createdMs + rng.int(2, 15) * DAY, nowMs - HOUR) : null;
    const resolution = status === 'resolved' ? complaintResolutionFor[category] : null;
    const id = rng.uuid();
    const ownerId = sl['ownerId'] as string;
    const created = new Date(createdMs);
    complaints.push({
      ...ws, id, contactId: sl['contactId'], saleId: sl['id'], category, description: rng.pick(complaintTexts[category]), status, resolution,
      resolvedAt: resolvedMs === null ? null : new Date(resolvedMs), ownerId, dueAt: new Date(createdMs + 7 * DAY), createdBy: ownerId,
      createdAt: created, updatedAt: new Date(resolvedMs ?? createdMs),
    });
    const event = (kind: 'status' | 'note', atMs: number, e: Row) => complaintEvents.push({ ...ws, id: rng.uuid(), complaintId: id, userId: ownerId, kind, at: new Date(atMs), ...e });
    event('status', createdMs, { fromStatus: null, toStatus: 'open' });
    if (status !== 'open') {
      const startedMs = Math.min(createdMs + rng.int(2, 24) * HOUR, resolvedMs ?? nowMs - 2 * HOUR);
      event('status', startedMs, { fromStatus: 'open', toStatus: 'in_progress' });
      event('note', startedMs + 30 * 60 * 1000, { body: 'Hablado con el cliente; se programa visita del técnico.' });
    }
    if (resolvedMs !== null) event('status', resolvedMs, { fromStatus: 'in_progress', toStatus: 'resolved', resolution });
  }

  // The lifecycle the application would derive from the same purchases and open leads.
  for (const c of contacts) {
    const last = lastSaleOf.get(c.id);
    const open = openLeadOf.get(c.id);
    c.lifecycle = deriveLifecycle({
      purchases: purchasesOf.get(c.id) ?? 0, lastPurchaseAt: last === undefined ? null : new Date(last),
      hasOpenLeadPastFirstStage: open?.pastFirstStage ?? false, maxOpenLeadProbability: open?.maxProbability ?? null,
    }, now);
  }

  activities.sort((a, b) => ((a['createdAt'] as Date).getTime() - (b['createdAt'] as Date).getTime()));
  const counts = {
    users: users.length, products: productRows.length, campaigns: campaigns.length, companies: companies.length, contacts: contacts.length,
    leads: leads.length, stageHistory: history.length, activities: activities.length, sales: sales.length, saleLines: saleLines.length,
    followUps: followUps.length, feedback: feedbacks.length, complaints: complaints.length,
  };
  return {
    team: { ...ws, id: teamId, name: 'Equipo Levante', managerId: manager.id, createdAt: ago(560), updatedAt: ago(560) },
    users: users as Row[],
    products: productRows as Row[],
    campaigns: campaigns.map(({ kind: _k, startMs: _s, endMs: _e, ...c }) => c) as Row[],
    companies: companies as Row[],
    contacts: contacts as Row[],
    leads, history, activities, sales, saleLines, followUps, feedbacks, complaints, complaintEvents, counts, weightedPipeline: Math.round(weightedPipeline * 100) / 100,
  };
}

export const commands = {
  demo: {
    summary: 'Load the Spanish demo workspace (Muebles y Cocinas Levante) [--workspace-id to fill an existing one]',
    async run(argv: string[]) {
      const { values } = parseArgs({ args: argv, options: { 'workspace-id': { type: 'string' } } });
      const deps = await createDeps(loadConfig());
      try {
        const r = await loadDemo(deps.database, { workspaceId: values['workspace-id'] });
        if (!r.loaded) console.log(`The demo is already loaded in workspace ${r.workspaceId}; nothing changed.`);
        else {
          console.log(`Demo loaded into ${r.createdWorkspace ? 'the new workspace' : 'workspace'} ${r.workspaceId} in ${r.seconds.toFixed(1)} s (${deps.database.engine}).`);
          console.log(Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', '));
          console.log(`Weighted open pipeline: ${r.weightedPipeline.toLocaleString('es-ES')} €`);
        }
        if (r.adminEmail) console.log(`\nLog in as ${r.adminEmail} / ${DEMO_PASSWORD}`);
        console.log(`Team users (same password): ${r.userEmails.filter((e) => e !== r.adminEmail).join(', ')}`);
      } finally {
        await deps.database.close();
      }
    },
  },
  generate: generateCommand,
};

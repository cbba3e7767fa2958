import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';

type Stage = { id: string; name: string; kind: string; probability: number; position: number; temperature: string | null };
type Pipeline = { id: string; name: string; isDefault: boolean; version: number; stages: Stage[] };

let t: TestApp;
let admin: Client;
let manager: Client;
let sales: Client;
let workspaceId: string;
let otherPipelineId: string;

async function addUser(role: 'manager' | 'sales', email: string): Promise<Client> {
  const r = await admin.post('/api/v1/users', { email, name: email, role, password: PASSWORD });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return c;
}
const codes = (body: { errors?: { code: string }[] }) => (body.errors ?? []).map((e) => e.code).sort();
const names = (p: Pipeline) => p.stages.map((s) => s.name);
const stageOf = (p: Pipeline, name: string) => p.stages.find((s) => s.name === name)!;
const getPipeline = async (id: string) => (await admin.get(`/api/v1/pipelines/${id}`)).body as Pipeline;

async function insertLeads(stage: Stage, pipelineId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [row] = await t.deps.database.query<{ id: string }>(
      `INSERT INTO lead (workspace_id, title, pipeline_id, stage_id, probability, currency, status, lost_reason)
       VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7) RETURNING id`,
      [workspaceId, `Lead ${i}`, pipelineId, stage.id, stage.probability, stage.kind, stage.kind === 'lost' ? 'precio' : null]);
    ids.push(row!.id);
  }
  return ids;
}

const projectStages = [
  { name: 'Contacto', kind: 'open', probability: 10, temperature: 'cold' },
  { name: 'Propuesta', kind: 'open', probability: 50 },
  { name: 'Firmado', kind: 'won', probability: 100 },
  { name: 'Descartado', kind: 'lost', probability: 0 },
];

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  manager = await addUser('manager', 'marta@garcia.es');
  sales = await addUser('sales', 'sergio@garcia.es');
  await createWorkspace(t.deps.database, {
    workspaceName: 'Otra', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'en', defaultCountry: 'ES',
    admin: { name: 'Olga', email: 'olga@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  const other = new Client(t);
  await other.login('olga@otra.es', PASSWORD);
  otherPipelineId = (await other.get('/api/v1/pipelines')).body.data[0].id;
});
afterAll(async () => { await t.close(); });

describe('pipelines', () => {
  let defaultId: string;
  let project: Pipeline;

  it('shows everyone the default pipeline with its stages in order', async () => {
    const r = await sales.get('/api/v1/pipelines');
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(1);
    const p = r.body.data[0] as Pipeline;
    expect(p.isDefault).toBe(true);
    expect(names(p)).toEqual(['Frío', 'Templado', 'Caliente', 'Ganado', 'Perdido']);
    expect(p.stages.map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);
    expect(p.stages.map((s) => s.temperature)).toEqual(['cold', 'warm', 'hot', null, null]);
    defaultId = p.id;
  });

  it('lets only admins create pipelines', async () => {
    expect((await sales.post('/api/v1/pipelines', { name: 'X', stages: projectStages })).status).toBe(403);
    expect((await manager.post('/api/v1/pipelines', { name: 'X', stages: projectStages })).status).toBe(403);
  });

  it('refuses a pipeline that breaks the stage rules, listing every problem', async () => {
    const r = await admin.post('/api/v1/pipelines', {
      name: 'Roto',
      stages: [{ name: 'Uno', kind: 'won', probability: 100 }, { name: 'uno ', kind: 'won', probability: 100 }],
    });
    expect(r.status).toBe(422);
    expect(codes(r.body)).toEqual(['at_least_one_lost_stage', 'at_least_one_open_stage', 'duplicate_stage_name', 'exactly_one_won_stage']);
    const prob = await admin.post('/api/v1/pipelines', { name: 'Roto', stages: [{ name: 'A', kind: 'open', probability: 120 }] });
    expect(prob.status).toBe(422);
    expect(prob.body.errors[0].field).toBe('stages.0.probability');
    expect((await admin.get('/api/v1/pipelines')).body.data).toHaveLength(1);
  });

  it('creates a pipeline with its stages', async () => {
    const r = await admin.post('/api/v1/pipelines', { name: 'Proyectos', stages: projectStages });
    expect(r.status).toBe(201);
    project = r.body;
    expect(project.isDefault).toBe(false);
    expect(names(project)).toEqual(['Contacto', 'Propuesta', 'Firmado', 'Descartado']);
    expect(stageOf(project, 'Propuesta').temperature).toBeNull();
  });

  it('keeps exactly one default pipeline', async () => {
    const r = await admin.patch(`/api/v1/pipelines/${project.id}`, { isDefault: true });
    expect(r.status).toBe(200);
    expect(r.body.isDefault).toBe(true);
    const list = (await admin.get('/api/v1/pipelines')).body.data as Pipeline[];
    expect(list.map((p) => [p.name, p.isDefault])).toEqual([['Proyectos', true], ['Ventas', false]]);
    const unset = await admin.patch(`/api/v1/pipelines/${project.id}`, { isDefault: false });
    expect(unset.status).toBe(422);
    expect(unset.body.errors[0]).toMatchObject({ field: 'isDefault', code: 'default_required' });
    expect((await admin.patch(`/api/v1/pipelines/${defaultId}`, { isDefault: true, name: 'Ventas tienda' })).body)
      .toMatchObject({ isDefault: true, name: 'Ventas tienda' });
    expect((await getPipeline(project.id)).isDefault).toBe(false);
  });

  it('keeps one default when two pipelines are made default at the same moment', async () => {
    const extra = (await admin.post('/api/v1/pipelines', { name: 'Reformas', stages: projectStages })).body as Pipeline;
    const results = await Promise.all([
      admin.patch(`/api/v1/pipelines/${project.id}`, { isDefault: true }),
      admin.patch(`/api/v1/pipelines/${extra.id}`, { isDefault: true }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const list = (await admin.get('/api/v1/pipelines')).body.data as Pipeline[];
    expect(list.filter((p) => p.isDefault)).toHaveLength(1);
    expect((await admin.patch(`/api/v1/pipelines/${defaultId}`, { isDefault: true })).status).toBe(200);
    expect((await admin.del(`/api/v1/pipelines/${extra.id}`)).status).toBe(204);
  });

  it('adds a stage at a position and renumbers the ones after it', async () => {
    const r = await admin.post(`/api/v1/pipelines/${project.id}/stages`, { name: 'Demo', kind: 'open', probability: 30, temperature: 'warm', position: 2 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Demo', position: 2, pipelineId: project.id });
    project = await getPipeline(project.id);
    expect(names(project)).toEqual(['Contacto', 'Demo', 'Propuesta', 'Firmado', 'Descartado']);
    expect(project.stages.map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);
    const end = await admin.post(`/api/v1/pipelines/${project.id}/stages`, { name: 'Aplazado', kind: 'lost', probability: 0 });
    expect(end.body.position).toBe(6);
  });

  it('refuses stage additions and edits that break the rules', async () => {
    const won = await admin.post(`/api/v1/pipelines/${project.id}/stages`, { name: 'Otro ganado', kind: 'won', probability: 100 });
    expect(won.status).toBe(422);
    expect(codes(won.body)).toEqual(['exactly_one_won_stage']);
    const dup = await admin.patch(`/api/v1/pipelines/${project.id}/stages/${stageOf(project, 'Demo').id}`, { name: 'CONTACTO' });
    expect(codes(dup.body)).toEqual(['duplicate_stage_name']);
    const noWon = await admin.patch(`/api/v1/pipelines/${project.id}/stages/${stageOf(project, 'Firmado').id}`, { kind: 'open' });
    expect(noWon.status).toBe(422);
    expect(codes(noWon.body)).toEqual(['exactly_one_won_stage']);
    const prob = await admin.patch(`/api/v1/pipelines/${project.id}/stages/${stageOf(project, 'Demo').id}`, { probability: -1 });
    expect(prob.body.errors[0].field).toBe('probability');
    expect((await sales.patch(`/api/v1/pipelines/${project.id}/stages/${stageOf(project, 'Demo').id}`, { name: 'Mía' })).status).toBe(403);
  });

  it('edits a stage with optimistic locking', async () => {
    const demo = stageOf(project, 'Demo');
    const r = await admin.patch(`/api/v1/pipelines/${project.id}/stages/${demo.id}`, { name: 'Demostración', probability: 35, temperature: 'hot' }, { 'if-match': '"1"' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Demostración', probability: 35, temperature: 'hot' });
    const stale = await admin.patch(`/api/v1/pipelines/${project.id}/stages/${demo.id}`, { name: 'Otra', version: 1 });
    expect(stale.status).toBe(409);
    project = await getPipeline(project.id);
  });

  it('reorders the stages when given every stage id once', async () => {
    const ids = project.stages.map((s) => s.id);
    const reordered = [ids[1], ids[0], ...ids.slice(2)];
    const r = await admin.req('PUT', `/api/v1/pipelines/${project.id}/stages/order`, { stageIds: reordered });
    expect(r.status).toBe(200);
    expect(r.body.stages.map((s: Stage) => s.id)).toEqual(reordered);
    expect(r.body.stages.map((s: Stage) => s.position)).toEqual([1, 2, 3, 4, 5, 6]);
    const missing = await admin.req('PUT', `/api/v1/pipelines/${project.id}/stages/order`, { stageIds: reordered.slice(1) });
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0]).toMatchObject({ field: 'stageIds', code: 'not_all_stages' });
    const foreign = await admin.req('PUT', `/api/v1/pipelines/${project.id}/stages/order`, { stageIds: [...reordered.slice(1), (await getPipeline(defaultId)).stages[0]!.id] });
    expect(foreign.status).toBe(422);
    expect((await sales.req('PUT', `/api/v1/pipelines/${project.id}/stages/order`, { stageIds: reordered })).status).toBe(403);
    project = await getPipeline(project.id);
  });

  it('refuses to delete a stage with leads unless told where they go, then moves them', async () => {
    const from = stageOf(project, 'Propuesta');
    const leads = await insertLeads(from, project.id, 2);
    const refused = await admin.del(`/api/v1/pipelines/${project.id}/stages/${from.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'stage_has_leads', leads: 2 });

    const kind = await admin.del(`/api/v1/pipelines/${project.id}/stages/${from.id}?moveLeadsTo=${stageOf(project, 'Firmado').id}`);
    expect(kind.status).toBe(422);
    expect(kind.body.errors[0]).toMatchObject({ field: 'moveLeadsTo', code: 'different_kind' });
    const elsewhere = await admin.del(`/api/v1/pipelines/${project.id}/stages/${from.id}?moveLeadsTo=${(await getPipeline(defaultId)).stages[0]!.id}`);
    expect(elsewhere.body.errors[0]).toMatchObject({ field: 'moveLeadsTo', code: 'not_in_pipeline' });

    const to = stageOf(project, 'Contacto');
    expect((await admin.del(`/api/v1/pipelines/${project.id}/stages/${from.id}?moveLeadsTo=${to.id}`)).status).toBe(204);
    const moved = await t.deps.database.query<{ stageId: string; probability: number; version: number }>(
      `SELECT stage_id AS "stageId", probability, version FROM lead WHERE id = ANY($1::uuid[])`, [leads]);
    expect(moved).toEqual([{ stageId: to.id, probability: 10, version: 2 }, { stageId: to.id, probability: 10, version: 2 }]);
    const history = await t.deps.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lead_stage_history WHERE from_stage_id = $1 AND to_stage_id = $2`, [from.id, to.id]);
    expect(history[0]!.n).toBe(2);
    project = await getPipeline(project.id);
    expect(names(project)).not.toContain('Propuesta');
    expect(project.stages.map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses to delete the only won stage or to change the kind of a stage with leads', async () => {
    const won = await admin.del(`/api/v1/pipelines/${project.id}/stages/${stageOf(project, 'Firmado').id}`);
    expect(won.status).toBe(422);
    expect(codes(won.body)).toEqual(['exactly_one_won_stage']);
    const kind = await admin.patch(`/api/v1/pipelines/${project.id}/stages/${stageOf(project, 'Contacto').id}`, { kind: 'lost' });
    expect(kind.status).toBe(409);
    expect(kind.body.reason).toBe('stage_has_leads');
    const empty = stageOf(project, 'Aplazado');
    expect((await admin.del(`/api/v1/pipelines/${project.id}/stages/${empty.id}`)).status).toBe(204);
  });

  it('answers 404 for another workspace\'s pipeline and for a stage of another pipeline', async () => {
    expect((await admin.get(`/api/v1/pipelines/${otherPipelineId}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/pipelines/${otherPipelineId}`, { name: 'Mío' })).status).toBe(404);
    expect((await admin.post(`/api/v1/pipelines/${otherPipelineId}/stages`, { name: 'X', kind: 'open', probability: 5 })).status).toBe(404);
    const foreignStage = (await getPipeline(defaultId)).stages[0]!.id;
    expect((await admin.patch(`/api/v1/pipelines/${project.id}/stages/${foreignStage}`, { name: 'X' })).status).toBe(404);
  });

  it('deletes a pipeline only when it has no leads and is not the default', async () => {
    expect((await admin.del(`/api/v1/pipelines/${defaultId}`)).body.reason).toBe('default_pipeline');
    const withLeads = await admin.del(`/api/v1/pipelines/${project.id}`);
    expect(withLeads.status).toBe(409);
    expect(withLeads.body.reason).toBe('pipeline_has_leads');
    const spare = (await admin.post('/api/v1/pipelines', { name: 'Temporal', stages: projectStages })).body as Pipeline;
    expect((await sales.del(`/api/v1/pipelines/${spare.id}`)).status).toBe(403);
    expect((await admin.del(`/api/v1/pipelines/${spare.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/pipelines/${spare.id}`)).status).toBe(404);
    const [left] = await t.deps.database.query<{ n: number }>('SELECT count(*)::int AS n FROM stage WHERE pipeline_id = $1', [spare.id]);
    expect(left!.n).toBe(0);
  });
});

/**
 * HTTP benchmark: `npm run bench:api -- [--leads 1000000] [--duration 15] [--connections 20] [--rounds 3] [--profile]
 * [--database-url URL]`.
 * On PostgreSQL with the synthetic dataset, drives (a) a bare node:http + pg server answering the
 * same lead list statement and (b) the real Seguimiento server (session cookie of a sales user,
 * GET /api/v1/leads?ownerId=…&stageId=…), each in its own process, with autocannon over loopback,
 * and prints req/s, latency percentiles, each server's CPU time per request and the ratio app/bare.
 * --profile adds CPU profiles of both servers' measured runs and a summary of where the time goes.
 * Prints figures; it is never a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { buildLeadListQuery } from '../src/db/queries/leads.js';
import type { Actor } from '../src/domain/access.js';
import { GENERATED_PASSWORD } from '../src/cli/generate.js';
import { packageRoot } from '../src/paths.js';
import { existingDataset, loadDataset, startEngine, type Dataset } from './engine.js';
import { argsOf, mib } from './stats.js';

type Child = { proc: ChildProcess; port: number; stop: () => Promise<void>; ask: (msg: object, reply: string) => Promise<Record<string, unknown>> };

/** Starts `node --import tsx <script> …args` with an IPC channel and waits for its "PORT n" line. */
function startChild(script: string, args: string[]): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, script), ...args], {
      cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        proc.removeAllListeners('exit');
        const stop = () => new Promise<void>((done) => {
          if (proc.exitCode !== null) { done(); return; }
          proc.once('exit', () => done());
          proc.kill('SIGTERM');
        });
        const ask = (msg: object, reply: string) => new Promise<Record<string, unknown>>((done) => {
          const on = (r: Record<string, unknown>) => { if (r['type'] === reply) { proc.off('message', on); done(r); } };
          proc.on('message', on);
          proc.send(msg);
        });
        resolve({ proc, port: Number(m[1]), stop, ask });
      }
    });
  });
}

const cpuMicros = async (c: Child) => Number((await c.ask({ type: 'cpu' }, 'cpu'))['micros']);

/** One measured autocannon run, with the server process's own CPU time per request. */
async function drive(name: string, child: Child, url: string, headers: Record<string, string>, duration: number, connections: number): Promise<Result & { cpuMs: number }> {
  const cpu0 = await cpuMicros(child);
  const r = await autocannon({ url, headers, connections, duration });
  const cpuMs = (await cpuMicros(child) - cpu0) / 1000 / Math.max(1, r['2xx']);
  const l = r.latency;
  console.log(`${name.padEnd(6)} ${r.requests.average.toFixed(0).padStart(6)} req/s  latency p50 ${l.p50} ms  p90 ${l.p90} ms  p99 ${l.p99} ms  max ${l.max} ms  ` +
    `server CPU ${cpuMs.toFixed(2)} ms/req  (${r['2xx']} ok, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`);
  if (r.non2xx || r.errors) throw new Error(`${name}: failed requests`);
  return { ...r, cpuMs };
}

/** Self time per function and per origin (package, src file, node internals) from a .cpuprofile. */
function summarizeProfile(name: string, file: string, top: number) {
  type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const idleIds = new Set(prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const total = [...self].filter(([id]) => !idleIds.has(id)).reduce((a, [, b]) => a + b, 0);
  const origin = (url: string, fn: string) => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1]!;
    if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
    const src = /\/work\/main\/(.+)$/.exec(url.replace('file://', ''));
    return src ? src[1]! : url;
  };
  const fnTimes = new Map<string, number>();
  const originTimes = new Map<string, number>();
  for (const [id, t] of self) {
    if (idleIds.has(id)) continue;
    const n = byId.get(id)!;
    const o = origin(n.callFrame.url, n.callFrame.functionName);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${o}:${n.callFrame.lineNumber + 1}`;
    fnTimes.set(f, (fnTimes.get(f) ?? 0) + t);
    originTimes.set(o, (originTimes.get(o) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
  console.log(`\nCPU profile of the ${name} during its measured runs (${(total / 1e6).toFixed(1)} s busy, self time, idle excluded):`);
  console.log('  by origin:');
  for (const [o, t] of [...originTimes].sort((a, b) => b[1] - a[1]).slice(0, Math.ceil(top / 2))) console.log(`    ${pct(t)}  ${o}`);
  console.log('  by function:');
  for (const [f, t] of [...fnTimes].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(t)}  ${f}`);
}

async function main() {
  const args = argsOf(process.argv.slice(2));
  const leads = Number(args['leads'] ?? 1_000_000);
  const duration = Number(args['duration'] ?? 15);
  const connections = Number(args['connections'] ?? 20);
  const poolSize = Number(args['pool-size'] ?? 10);
  const profile = args['profile'] === 'true';
  const rounds = Number(args['rounds'] ?? 3);
  console.log(`bench:api: PostgreSQL, ${leads} leads, autocannon ${connections} connections × ${duration} s per server, pool ${poolSize}; node ${process.version}`);

  const bench = await startEngine('postgres', { databaseUrl: args['database-url'] });
  const children: Child[] = [];
  try {
    const found = await existingDataset(bench.database);
    const data: Dataset = found && found.leads >= leads ? found : { ...(await loadDataset(bench.database, leads, Number(args['activities-per-lead'] ?? 5))), leads };
    if (found === data) console.log(`reusing the loaded dataset: workspace ${data.workspaceId}, ${data.leads} leads`);
    const sales = data.users.find((u) => u.role === 'sales')!;
    const open = data.stageIds.filter((s) => s.kind === 'open');
    const stageId = `${open[0]!.id},${open[1]!.id}`;
    const actor: Actor = { workspaceId: data.workspaceId, userId: sales.id, role: 'sales', teamId: null };
    const query = { ownerId: sales.id, stageId };
    const built = buildLeadListQuery(actor, query);

    const dir = mkdtempSync(join(tmpdir(), 'seguimiento-bench-api-'));
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ databaseUrl: bench.url, text: built.text, params: built.params, limit: built.limit, poolSize }));

    const bare = await startChild('bench/api-bare.ts', [specFile]);
    children.push(bare);
    const app = await startChild('bench/api-app.ts', [bench.url!, String(poolSize)]);
    children.push(app);

    const qs = new URLSearchParams(query).toString();
    const bareUrl = `http://127.0.0.1:${bare.port}/leads?${qs}`;
    const appUrl = `http://127.0.0.1:${app.port}/api/v1/leads?${qs}`;
    // A fresh session for each app run: the server re-checks a session older than a minute and
    // sends a new cookie, which autocannon would not keep (a browser does).
    const login = async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: sales.email, password: GENERATED_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return /seg_session=[^;]*/.exec(res.headers.get('set-cookie') ?? '')![0];
    };
    let cookie = await login();

    // Both must answer the same page before their speeds are compared.
    const a = (await (await fetch(bareUrl)).json()) as { data: { id: string }[] };
    const b = (await (await fetch(appUrl, { headers: { cookie } })).json()) as { data: { id: string }[] };
    const ids = (p: { data: { id: string }[] }) => p.data.map((r) => r.id).join();
    if (!a.data.length || ids(a) !== ids(b)) throw new Error(`bare and app answer different pages (${a.data.length} vs ${b.data?.length} rows)`);
    const bytes = (await (await fetch(appUrl, { headers: { cookie } })).text()).length;
    console.log(`same page of ${a.data.length} leads from both (${(bytes / 1024).toFixed(1)} KiB JSON from the app)`);

    // Warm-up (JIT, pools, caches), then rounds alternating bare and app, so that drift in the
    // machine's load affects both alike; the ratio is the median of the rounds'.
    await autocannon({ url: bareUrl, connections, duration: 3 });
    await autocannon({ url: appUrl, headers: { cookie }, connections, duration: 3 });
    const profileFile = join(dir, 'app.cpuprofile');
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round}/${rounds}`);
      if (profile && round === 1) {
        await bare.ask({ type: 'profile-start' }, 'profile-started');
        await app.ask({ type: 'profile-start' }, 'profile-started');
      }
      const rb = await drive('bare', bare, bareUrl, {}, duration, connections);
      cookie = await login();
      const ra = await drive('app', app, appUrl, { cookie }, duration, connections);
      ratios.push(ra.requests.average / rb.requests.average);
      console.log(`       ratio app/bare ${ratios.at(-1)!.toFixed(2)}; app CPU per request − bare: ${(ra.cpuMs - rb.cpuMs).toFixed(2)} ms`);
    }
    const bareProfileFile = join(dir, 'bare.cpuprofile');
    if (profile) {
      await app.ask({ type: 'profile-stop', file: profileFile }, 'profile-written');
      await bare.ask({ type: 'profile-stop', file: bareProfileFile }, 'profile-written');
    }
    const sorted = [...ratios].sort((x, y) => x - y);
    console.log(`ratio app/bare (median of ${rounds}): ${sorted[Math.floor((sorted.length - 1) / 2)]!.toFixed(2)} (target ≥ 0.70)`);
    const rss = (pid: number | undefined) => {
      try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024; } catch { return 0; }
    };
    console.log(`rss after load: bare ${mib(rss(bare.proc.pid))}, app ${mib(rss(app.proc.pid))}`);
    for (const c of children.splice(0)) await c.stop();
    if (profile) {
      summarizeProfile('app server', profileFile, 25);
      summarizeProfile('bare server', bareProfileFile, 12);
      console.log(`  profiles: ${profileFile}, ${bareProfileFile} (open in Chrome DevTools)`);
    }
  } finally {
    for (const c of children) await c.stop();
    await bench.stop().catch(() => undefined);
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });

/** Latency summary in milliseconds from raw samples. */
export type Summary = { runs: number; p50: number; p95: number; p99: number; mean: number; max: number };

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { runs: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean, max: s.at(-1) ?? NaN };
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

export function formatSummary(name: string, s: Summary): string {
  return `${name.padEnd(34)} runs ${s.runs}  p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  mean ${ms(s.mean)}  max ${ms(s.max)}`;
}

/** Reads `--name value` pairs (and bare `--flag`) from argv. */
export function argsOf(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) { out[a.slice(2, eq)] = a.slice(eq + 1); continue; }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) { out[a.slice(2)] = next; i++; } else out[a.slice(2)] = 'true';
  }
  return out;
}

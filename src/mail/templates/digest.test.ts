import { describe, expect, it } from 'vitest';
import { composeDigest, type DigestItem } from '../../domain/digest.js';
import { renderDigest, type DigestView } from './digest.js';

const item = (id: string, at: string, extra: Partial<DigestItem> = {}): DigestItem => ({
  id, kind: 'nextAction', type: 'call', at: new Date(at), leadId: id, leadTitle: `Lead ${id}`, contactName: null, note: null, ...extra,
});

const digest = composeDigest({
  date: '2026-11-23',
  dueToday: [item('l1', '2026-11-23T08:30:00Z', { leadTitle: 'Cocina <script>alert(1)</script>', contactName: 'Luis "Lucho" Pérez', note: 'Llevar & catálogo' })],
  overdue: [item('l2', '2026-11-20T15:00:00Z', { type: 'visit' }), item('l3', '2026-11-21T15:00:00Z', { type: null, leadTitle: 'Importado' })],
  tasksDue: [item('a1', '2026-11-23T10:00:00Z', { kind: 'activity', type: 'task', leadId: null, leadTitle: null, note: 'Preparar presupuesto' })],
})!;

const view = (over: Partial<DigestView> = {}): DigestView => ({
  digest, locale: 'es', timeZone: 'Europe/Madrid', userName: 'Ana', workspaceName: 'Muebles García', baseUrl: 'https://crm.example.com/', ...over,
});

describe('digest email', () => {
  it('names the local day and the counts in the subject, in Spanish by default', () => {
    expect(renderDigest(view()).subject).toBe('Tu día, lunes, 23 de noviembre: 1 para hoy, 2 vencidas, 1 tarea');
  });

  it('speaks English to an English-speaking user', () => {
    const m = renderDigest(view({ locale: 'en' }));
    expect(m.subject).toBe('Your day, Monday 23 November: 1 today, 2 overdue, 1 task');
    expect(m.text).toContain('DUE TODAY (1)');
    expect(m.text).toContain('Visit · Lead l2');
    expect(m.text).toContain('Next action · Importado');
  });

  it('shows times on the workspace wall clock (08:30 UTC is 09:30 in Madrid in November)', () => {
    const m = renderDigest(view());
    expect(m.text).toContain('09:30  Llamada · Cocina <script>alert(1)</script> (Luis "Lucho" Pérez)');
    expect(renderDigest(view({ timeZone: 'America/Mexico_City' })).text).toContain('02:30  Llamada');
  });

  it('escapes every user text in the HTML part and keeps it readable in the text part', () => {
    const { html, text } = renderDigest(view());
    expect(html).not.toContain('<script>');
    expect(html).toContain('Cocina &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Luis &quot;Lucho&quot; Pérez');
    expect(html).toContain('Llevar &amp; catálogo');
    expect(text).toContain('Llevar & catálogo');
  });

  it('links each lead to its page when the public URL is known, and has no links without it', () => {
    expect(renderDigest(view()).html).toContain('href="https://crm.example.com/leads/l1"');
    const bare = renderDigest(view({ baseUrl: undefined }));
    expect(bare.html).not.toContain('href=');
    expect(bare.text).not.toContain('http');
  });
});

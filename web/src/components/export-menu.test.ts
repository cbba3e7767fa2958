import { describe, expect, it } from 'vitest';
import { exportHref } from './export-menu.js';

describe('exportHref', () => {
  it('carries the list filters without paging, and the export options', () => {
    const href = exportHref('contacts', { q: 'garcía', lifecycle: 'client', city: '', cursor: 'abc', limit: 50, sort: 'name' },
      { format: 'xlsx', forCampaign: true, language: 'es' });
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/api/v1/contacts/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'garcía', lifecycle: 'client', sort: 'name', format: 'xlsx', purpose: 'campaign', lang: 'es' });
  });

  it('leaves purpose out unless for a campaign and passes the comma delimiter', () => {
    const url = new URL(exportHref('leads', { ownerId: ['a', 'b'] }, { format: 'csv', forCampaign: false, language: 'en', delimiter: 'comma' }), 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ ownerId: 'a,b', format: 'csv', lang: 'en', delimiter: 'comma' });
  });
});

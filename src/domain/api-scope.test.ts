import { describe, expect, it } from 'vitest';
import { requiredScope, scopeAllows } from './api-scope.js';

describe('requiredScope', () => {
  it('asks read for safe methods and write for the others, by the first path segment', () => {
    expect(requiredScope('GET', '/api/v1/leads/123')).toBe('leads:read');
    expect(requiredScope('PATCH', '/api/v1/leads/123')).toBe('leads:write');
    expect(requiredScope('GET', '/api/v1/companies/export')).toBe('contacts:read');
    expect(requiredScope('POST', '/api/v1/follow-ups/1/complete')).toBe('sales:write');
    expect(requiredScope('GET', '/api/v1/webhooks')).toBe('webhooks');
  });

  it('maps the portfolio, search, funnel and score areas', () => {
    expect(requiredScope('POST', '/api/v1/portfolios/1/reassign')).toBe('contacts:write');
    expect(requiredScope('GET', '/api/v1/search')).toBe('contacts:read');
    expect(requiredScope('GET', '/api/v1/funnel/model')).toBe('metrics:read');
    expect(requiredScope('PUT', '/api/v1/score/rules')).toBe('settings:write');
  });

  it('needs full access for api tokens and for paths no area covers', () => {
    expect(requiredScope('POST', '/api/v1/api-tokens')).toBeNull();
    expect(requiredScope('GET', '/api/v1/something-new')).toBeNull();
  });
});

describe('scopeAllows', () => {
  it('gives full access to a token without scopes', () => {
    expect(scopeAllows(null, 'leads:write')).toBe(true);
    expect(scopeAllows(null, null)).toBe(true);
  });

  it('lets write imply read but not the reverse, and keeps areas apart', () => {
    expect(scopeAllows(['leads:write'], 'leads:read')).toBe(true);
    expect(scopeAllows(['leads:read'], 'leads:write')).toBe(false);
    expect(scopeAllows(['leads:write'], 'contacts:read')).toBe(false);
    expect(scopeAllows(['contacts:read', 'webhooks'], 'webhooks')).toBe(true);
  });

  it('refuses full-access endpoints to any scoped token', () => {
    expect(scopeAllows(['leads:write', 'settings:write', 'webhooks'], null)).toBe(false);
  });
});

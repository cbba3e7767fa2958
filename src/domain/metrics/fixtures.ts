// Test-only builders shared by the metric unit tests (no test runner import, so nothing runs twice).
import type { LeadFact } from './conversion.js';

let n = 0;
export const leadFact = (p: Partial<LeadFact>): LeadFact => ({
  id: `l${++n}`, createdAt: new Date('2026-02-10T10:00:00Z'), status: 'open', closedAt: null, ownerId: 'u1', sourceId: 's1', campaignId: null,
  pipelineId: 'p', stageId: 'cold', amount: 0, probability: 10, expectedCloseDate: null, nextActionAt: null, ...p,
});

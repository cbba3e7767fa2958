import { describe, expect, it } from 'vitest';
import { canSeeImport, canUndoImport } from './access.js';

describe('import access', () => {
  it('lets the uploader and admins see an import, nobody else', () => {
    expect(() => canSeeImport({ role: 'sales', userId: 'u1' }, 'u1')).not.toThrow();
    expect(() => canSeeImport({ role: 'admin', userId: 'a' }, 'u1')).not.toThrow();
    expect(() => canSeeImport({ role: 'manager', userId: 'm' }, 'u1')).toThrow(/someone else/);
  });

  it('rolls back only an import that has stopped', () => {
    expect(() => canUndoImport({ role: 'admin', userId: 'a' }, 'u1', 'done')).not.toThrow();
    expect(() => canUndoImport({ role: 'admin', userId: 'a' }, 'u1', 'failed')).not.toThrow();
    expect(() => canUndoImport({ role: 'admin', userId: 'a' }, 'u1', 'running')).toThrow(/cannot be rolled back/);
  });
});

import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDeps } from '../server.js';
import { createWorkspace } from '../db/queries/workspaces.js';
import { appUser } from '../db/schema.js';
import { checkPasswordStrength, hashPassword } from '../auth/password.js';
import { AppError, fieldError } from '../domain/errors.js';

/** Reads the password from --password or the SEGUIMIENTO_PASSWORD variable (keeps it out of shell history). */
function passwordFrom(values: { password?: string | boolean | undefined }): string {
  const pw = typeof values.password === 'string' ? values.password : process.env['SEGUIMIENTO_PASSWORD'];
  if (!pw) throw fieldError('password', 'required', 'Give --password or set SEGUIMIENTO_PASSWORD.');
  const weak = checkPasswordStrength(pw);
  if (weak) throw fieldError('password', weak, 'The password must have at least 10 characters.');
  return pw;
}

export const commands = {
  setup: {
    summary: 'One-time setup: create the workspace and its admin (--workspace --name --email --password [--locale es|en])',
    async run(argv: string[]) {
      const { values } = parseArgs({ args: argv, options: {
        workspace: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' },
        locale: { type: 'string', default: 'es' }, currency: { type: 'string', default: 'EUR' },
        'time-zone': { type: 'string', default: 'Europe/Madrid' }, country: { type: 'string', default: 'ES' },
      } });
      for (const k of ['workspace', 'name', 'email'] as const) if (!values[k]) throw fieldError(k, 'required', `--${k} is required.`);
      const deps = await createDeps(loadConfig());
      try {
        const { workspace, admin } = await createWorkspace(deps.database, {
          workspaceName: values.workspace!, currency: values.currency!, timeZone: values['time-zone']!,
          locale: values.locale === 'en' ? 'en' : 'es', defaultCountry: values.country!,
          admin: { name: values.name!, email: values.email!.toLowerCase(), passwordHash: await hashPassword(passwordFrom(values)) },
        }, { onlyIfFirst: true });
        console.log(`Workspace "${workspace.name}" created; admin ${admin.email}.`);
      } finally {
        await deps.database.close();
      }
    },
  },
  'create-user': {
    summary: 'Add a user to a workspace (--email --name --role admin|manager|sales --password [--workspace-id])',
    async run(argv: string[]) {
      const { values } = parseArgs({ args: argv, options: {
        email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'sales' },
        password: { type: 'string' }, 'workspace-id': { type: 'string' },
      } });
      if (!values.email) throw fieldError('email', 'required', '--email is required.');
      if (!values.name) throw fieldError('name', 'required', '--name is required.');
      if (!['admin', 'manager', 'sales'].includes(values.role!)) throw fieldError('role', 'invalid_choice', '--role must be admin, manager or sales.');
      const deps = await createDeps(loadConfig());
      try {
        let wsId = values['workspace-id'];
        if (!wsId) {
          const ws = await deps.database.query<{ id: string }>('SELECT id FROM workspace ORDER BY created_at LIMIT 2');
          if (ws.length !== 1) throw new AppError('validation', ws.length ? 'Several workspaces exist: give --workspace-id.' : 'No workspace yet: run `seguimiento setup` first.');
          wsId = ws[0]!.id;
        }
        const [u] = await deps.database.db.insert(appUser).values({
          workspaceId: wsId, email: values.email.toLowerCase(), name: values.name,
          role: values.role as 'admin' | 'manager' | 'sales', passwordHash: await hashPassword(passwordFrom(values)),
        }).returning();
        console.log(`User ${u!.email} (${u!.role}) created with id ${u!.id}.`);
      } finally {
        await deps.database.close();
      }
    },
  },
};

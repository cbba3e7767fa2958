import type { Database } from '../client.js';
import type { Actor } from '../../domain/access.js';

/** Ids of the users in the teams this manager manages. */
export async function managedUserIds(d: Database, actor: Actor): Promise<string[]> {
  const rows = await d.query<{ id: string }>(
    `SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id
      WHERE m.workspace_id = $1 AND t.manager_id = $2`, [actor.workspaceId, actor.userId]);
  return rows.map((r) => r.id);
}

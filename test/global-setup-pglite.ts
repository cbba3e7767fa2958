import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';

/**
 * Creating a PGlite cluster (initdb in WebAssembly) costs seconds; every test file instead starts
 * from a dump of one freshly migrated database made here, once per run, from the current migrations.
 */
export default async function setup(project: TestProject) {
  const db = await openDatabase({});
  await migrate(db);
  const blob = await db.dump!();
  await db.close();
  const file = join(tmpdir(), `seguimiento-pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rmSync(file, { force: true });
}

declare module 'vitest' {
  export interface ProvidedContext { pgliteTemplate: string }
}

// Compile-time contract: every record the API sends (web/src/api/openapi.d.ts, generated from the
// server's route schemas) must fit the type the app reads it as (./types.ts), and every body the
// app sends must fit what the API accepts. A breaking API change fails `npm run typecheck`.
import type { components } from './openapi.js';
import type {
  Activity, Comment, Company, Contact, CustomFieldDef, Lead, Me, Pipeline, Product, SaleLineInput, Source, Stage, Today, User,
} from './types.js';

type S = components['schemas'];
/** Resolves to `true` only when A is assignable to B; otherwise the `satisfies` below fails. */
type Fits<A, B> = [A] extends [B] ? true : { error: 'does not fit'; from: A; to: B };

export const contract = {
  me: true as Fits<S['Me'], Me>,
  user: true as Fits<S['User'], User>,
  lead: true as Fits<S['Lead'], Lead>,
  activity: true as Fits<S['Activity'], Activity>,
  comment: true as Fits<S['Comment'], Comment>,
  contact: true as Fits<S['Contact'], Contact>,
  company: true as Fits<S['Company'], Company>,
  stage: true as Fits<S['Stage'], Stage>,
  pipeline: true as Fits<S['Pipeline'], Pipeline>,
  source: true as Fits<S['Source'], Source>,
  product: true as Fits<S['Product'], Product>,
  customField: true as Fits<S['CustomField'], CustomFieldDef>,
  today: true as Fits<S['Today'], Today>,
  saleLine: true as Fits<SaleLineInput, S['SaleLineInput']>,
} satisfies Record<string, true>;

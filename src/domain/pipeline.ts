export type StageKind = 'open' | 'won' | 'lost';
export type Temperature = 'cold' | 'warm' | 'hot';

export type StageDefinition = {
  name: string;
  kind: StageKind;
  probability: number;
  temperature: Temperature | null;
};

const defaultStageNames: Record<'es' | 'en', [string, string, string, string, string]> = {
  es: ['Frío', 'Templado', 'Caliente', 'Ganado', 'Perdido'],
  en: ['Cold', 'Warm', 'Hot', 'Won', 'Lost'],
};

/** The default pipeline: the open stages are the temperatures, then the two closed outcomes. */
export function defaultPipeline(locale: 'es' | 'en'): { name: string; stages: StageDefinition[] } {
  const [cold, warm, hot, won, lost] = defaultStageNames[locale];
  return {
    name: locale === 'es' ? 'Ventas' : 'Sales',
    stages: [
      { name: cold, kind: 'open', probability: 10, temperature: 'cold' },
      { name: warm, kind: 'open', probability: 30, temperature: 'warm' },
      { name: hot, kind: 'open', probability: 60, temperature: 'hot' },
      { name: won, kind: 'won', probability: 100, temperature: null },
      { name: lost, kind: 'lost', probability: 0, temperature: null },
    ],
  };
}

export type SourceDefinition = { name: string; kind: 'phone' | 'emailing' | 'campaign' | 'social' | 'website' | 'fair' | 'referral' | 'walk_in' | 'other' };

export function defaultSources(locale: 'es' | 'en'): SourceDefinition[] {
  const es = locale === 'es';
  return [
    { name: es ? 'Prospección telefónica' : 'Phone prospecting', kind: 'phone' },
    { name: 'Emailing', kind: 'emailing' },
    { name: es ? 'Campaña online' : 'Online campaign', kind: 'campaign' },
    { name: es ? 'Redes sociales' : 'Social networks', kind: 'social' },
    { name: es ? 'Sitio web' : 'Website', kind: 'website' },
    { name: es ? 'Feria / exposición' : 'Fair / expo', kind: 'fair' },
    { name: es ? 'Recomendación' : 'Referral', kind: 'referral' },
    { name: es ? 'Visita a la tienda' : 'Walk-in', kind: 'walk_in' },
  ];
}

/**
 * A pipeline must have at least one open stage, exactly one won stage and at least one lost stage,
 * so that every lead can be worked, won and lost. Returns the problems found (empty when valid).
 */
export function checkPipelineStages(stages: Pick<StageDefinition, 'kind' | 'probability' | 'name'>[]): string[] {
  const problems: string[] = [];
  const count = (k: StageKind) => stages.filter((s) => s.kind === k).length;
  if (count('open') < 1) problems.push('at_least_one_open_stage');
  if (count('won') !== 1) problems.push('exactly_one_won_stage');
  if (count('lost') < 1) problems.push('at_least_one_lost_stage');
  const names = stages.map((s) => s.name.trim().toLowerCase());
  if (new Set(names).size !== names.length) problems.push('duplicate_stage_name');
  return problems;
}

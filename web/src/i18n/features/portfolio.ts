// Messages of one feature, kept in their own file so features can grow side by side.
// Spanish is the source of the keys; `en` must have exactly the same ones (the type checker enforces it).
export const es = {
  'search.open': 'Buscar',
  'search.hint': 'Atajo: Ctrl+K o /',
  'search.title': 'Búsqueda rápida',
  'search.label': 'Nombre, teléfono o correo',
  'search.placeholder': 'p. ej. garcia, 612 34 56 78, ana@empresa.es',
  'search.results': 'Resultados',
  'search.none': 'Nadie con «{q}».',
  'search.tooShort': 'Escribe al menos dos letras.',
  'search.contact': 'Persona',
  'search.company': 'Empresa',
  'search.owner': 'Comercial: {name}',
  'search.noOwner': 'Sin comercial',
  'search.expectedToday': 'Hoy {time} · {type} · {title}',
  'search.recent': 'Últimas interacciones',
  'search.noRecent': 'Sin interacciones todavía',
  'search.navigate': '↑↓ para moverte, Intro para abrir',
} as const;

export const en: Record<keyof typeof es, string> = {
  'search.open': 'Search',
  'search.hint': 'Shortcut: Ctrl+K or /',
  'search.title': 'Quick search',
  'search.label': 'Name, phone or email',
  'search.placeholder': 'e.g. garcia, 612 34 56 78, ana@company.com',
  'search.results': 'Results',
  'search.none': 'Nobody matches “{q}”.',
  'search.tooShort': 'Type at least two letters.',
  'search.contact': 'Person',
  'search.company': 'Company',
  'search.owner': 'Salesperson: {name}',
  'search.noOwner': 'No salesperson',
  'search.expectedToday': 'Today {time} · {type} · {title}',
  'search.recent': 'Last interactions',
  'search.noRecent': 'No interactions yet',
  'search.navigate': '↑↓ to move, Enter to open',
};

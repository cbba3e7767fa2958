/**
 * Which column of an import file goes into which field. A mapping is one target (or null: ignore the
 * column) per column, in column order. Suggestions come from Spanish and English header names as
 * people write them in spreadsheets ("Apellidos", "C.P.", "E-mail", "Tfno. móvil").
 */
export const importTargets = [
  'firstName', 'lastName', 'secondLastName', 'surnames', 'jobTitle', 'email', 'phone', 'mobile',
  'address', 'postalCode', 'neighbourhood', 'city', 'region', 'country', 'birthDate',
  'companyName', 'source', 'amount', 'leadTitle', 'externalId',
] as const;
export type ImportTarget = (typeof importTargets)[number];
export type ImportMapping = (ImportTarget | null)[];

/** Lower case, no accents, letters and digits only: "C.P." → "cp", "E-mail" → "email". */
export const compactHeader = (h: string) => h.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

const synonyms: Record<ImportTarget, string[]> = {
  firstName: ['nombre', 'nombres', 'nombredepila', 'firstname', 'name', 'givenname', 'forename'],
  lastName: ['primerapellido', 'apellido', 'apellido1', 'lastname', 'surname', 'familyname'],
  secondLastName: ['segundoapellido', 'apellido2', 'secondlastname', 'secondsurname'],
  surnames: ['apellidos', 'surnames', 'lastnames'],
  jobTitle: ['cargo', 'puesto', 'jobtitle', 'position', 'role'],
  email: ['correo', 'correoelectronico', 'email', 'mail', 'emailaddress', 'direcciondecorreo'],
  phone: ['telefono', 'tel', 'telf', 'tfno', 'tlf', 'telefonofijo', 'fijo', 'phone', 'telephone', 'phonenumber'],
  mobile: ['movil', 'telefonomovil', 'tfnomovil', 'celular', 'mobile', 'cell', 'cellphone', 'whatsapp'],
  address: ['direccion', 'domicilio', 'calle', 'address', 'street'],
  postalCode: ['cp', 'codigopostal', 'codpostal', 'postalcode', 'zip', 'zipcode', 'postcode'],
  neighbourhood: ['barrio', 'colonia', 'neighbourhood', 'neighborhood', 'district'],
  city: ['poblacion', 'ciudad', 'localidad', 'municipio', 'city', 'town'],
  region: ['provincia', 'region', 'comunidad', 'comunidadautonoma', 'estado', 'state', 'province'],
  country: ['pais', 'country'],
  birthDate: ['fechadenacimiento', 'fechanacimiento', 'nacimiento', 'birthdate', 'dateofbirth', 'birthday'],
  companyName: ['empresa', 'compania', 'razonsocial', 'company', 'companyname', 'organisation', 'organization'],
  source: ['origen', 'fuente', 'canal', 'source', 'channel', 'leadsource'],
  amount: ['importe', 'valor', 'presupuesto', 'cantidad', 'amount', 'value', 'budget', 'dealvalue'],
  leadTitle: ['oportunidad', 'asunto', 'interes', 'servicio', 'opportunity', 'lead', 'deal', 'leadtitle'],
  externalId: ['id', 'codigo', 'codcliente', 'codigocliente', 'numcliente', 'referencia', 'ref', 'externalid', 'customerid', 'clientid'],
};

const byHeader = new Map<string, ImportTarget>();
for (const t of importTargets) for (const s of synonyms[t]) byHeader.set(s, t);

/** The target a header's name stands for, when it is a known synonym. */
export const targetOfHeader = (header: string): ImportTarget | null => byHeader.get(compactHeader(header)) ?? null;

/** A target per header when its name is a known synonym; each target is suggested once (first column wins). */
export function suggestMapping(headers: readonly string[]): ImportMapping {
  const used = new Set<ImportTarget>();
  return headers.map((h) => {
    const t = byHeader.get(compactHeader(h));
    if (!t || used.has(t)) return null;
    used.add(t);
    return t;
  });
}

/**
 * The mapping to offer: the one remembered for this file layout when there is one (same number of
 * columns), otherwise the suggestion from header names.
 */
export function proposeMapping(headers: readonly string[], remembered: readonly (string | null)[] | null): { mapping: ImportMapping; remembered: boolean } {
  if (remembered && remembered.length === headers.length && remembered.every((t) => t === null || (importTargets as readonly string[]).includes(t))) {
    return { mapping: remembered as ImportMapping, remembered: true };
  }
  return { mapping: suggestMapping(headers), remembered: false };
}

/** Problems of a mapping chosen by the user: a target used twice, no first-name column. */
export function checkMapping(mapping: readonly (string | null)[], width: number): { field: string; code: string; message: string }[] {
  const problems: { field: string; code: string; message: string }[] = [];
  if (mapping.length !== width) problems.push({ field: 'mapping', code: 'wrong_length', message: `The mapping has ${mapping.length} entries; the file has ${width} columns.` });
  const seen = new Set<string>();
  mapping.forEach((t, i) => {
    if (t === null) return;
    if (!(importTargets as readonly string[]).includes(t)) problems.push({ field: `mapping.${i}`, code: 'invalid_choice', message: `"${t}" is not an import field.` });
    else if (seen.has(t)) problems.push({ field: `mapping.${i}`, code: 'duplicate_target', message: `${t} is mapped from two columns.` });
    seen.add(t);
  });
  if (!seen.has('firstName')) problems.push({ field: 'mapping', code: 'no_first_name', message: 'Map a column to firstName: every imported row is a contact.' });
  return problems;
}

/** Parses the CLI form "Nombre=firstName,Apellidos=surnames" against the file's headers. */
export function parseMappingOption(option: string, headers: readonly string[]): ImportMapping {
  const mapping: ImportMapping = headers.map(() => null);
  for (const pair of option.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    const header = pair.slice(0, eq).trim();
    const target = pair.slice(eq + 1).trim();
    const idx = headers.findIndex((h) => compactHeader(h) === compactHeader(header));
    if (eq < 0 || idx < 0) throw new Error(`--map: no column "${header}" in the file (columns: ${headers.join(', ')}).`);
    if (!(importTargets as readonly string[]).includes(target)) throw new Error(`--map: "${target}" is not an import field (${importTargets.join(', ')}).`);
    mapping[idx] = target as ImportTarget;
  }
  return mapping;
}

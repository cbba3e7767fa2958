// Messages of one feature, kept in their own file so features can grow side by side.
// Spanish is the source of the keys; `en` must have exactly the same ones (the type checker enforces it).
export const es = {
} as const;

export const en: Record<keyof typeof es, string> = {
};

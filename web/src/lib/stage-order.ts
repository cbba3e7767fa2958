/** Stage ids with the one at `from` moved by `by` places (clamped to the list); the API takes the whole order. */
export function moveStage(ids: readonly string[], from: number, by: number): string[] {
  if (from < 0 || from >= ids.length) return [...ids];
  const to = Math.max(0, Math.min(ids.length - 1, from + by));
  const out = [...ids];
  const [moved] = out.splice(from, 1);
  out.splice(to, 0, moved!);
  return out;
}

/**
 * How deep a log record's JSON may nest. JSON.parse reads any depth (10^5 levels parse fine), but the
 * recursive code after it — mappings that walk a record, JSON.stringify writing the event — overflows
 * the stack a few thousand levels down. Real records nest a dozen levels at most.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether a parsed JSON value nests objects/arrays more than `limit` levels deep (walked without recursion). */
export function nestedDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (child !== null && typeof child === 'object') {
          nodes.push(child as object);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

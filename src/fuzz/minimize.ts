/**
 * Shrinks a failing batch to the records that still make it fail (delta debugging: pieces, then their
 * complements, finer and finer), spending at most `budget` candidate runs. Candidates of one step are
 * judged together (`firstFailing` runs them in one process and returns the index of the first that
 * still fails, or -1); `reproduced` says whether any candidate failed again. No records at all is tried first (a failure of the file's shape, such as a gzip
 * bomb, needs none), then the records the failure points at (dead-letter lines).
 */
export async function minimize<T>(items: readonly T[], firstFailing: (candidates: T[][]) => Promise<number>, budget: number, suspects: T[] = []): Promise<{ items: T[]; reproduced: boolean }> {
  let spent = 0;
  let reproduced = false;
  const judge = async (candidates: T[][]) => {
    spent += candidates.length;
    const k = await firstFailing(candidates);
    if (k >= 0) reproduced = true;
    return k;
  };
  let current = [...items];
  if (current.length <= 1 || budget <= 0) return { items: current, reproduced };
  const first = suspects.length && suspects.length < current.length ? [[], suspects] : [[]];
  const k = await judge(first);
  if (k === 0) return { items: [], reproduced };
  if (k === 1) current = [...suspects];
  let n = 2;
  while (current.length > 1 && spent < budget) {
    const size = Math.ceil(current.length / n);
    const pieces: T[][] = [];
    for (let i = 0; i < current.length; i += size) pieces.push(current.slice(i, i + size));
    if (spent + pieces.length > budget) break;
    const p = await judge(pieces);
    if (p >= 0) {
      current = pieces[p]!;
      n = 2;
      continue;
    }
    if (pieces.length > 2 && spent + pieces.length <= budget) {
      const complements = pieces.map((_, j) => pieces.filter((__, i) => i !== j).flat());
      const c = await judge(complements);
      if (c >= 0) {
        current = complements[c]!;
        n = Math.max(n - 1, 2);
        continue;
      }
    }
    if (n >= current.length) break;
    n = Math.min(current.length, n * 2);
  }
  return { items: current, reproduced };
}

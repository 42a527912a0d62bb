/**
 * "Meinten Sie …?" for unknown names (configuration variables, formula variables). The edit distance counts an exchange of two neighbouring
 * letters as one step (the most common typo: `arbeitsolse`).
 */

const MAX_DISTANCE = 3;
const MAX_SUGGESTIONS = 3;

export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The closest candidates, at most three, at an edit distance of at most three and at most half
 * the length of the name (at least one), so that `max` is not "corrected" into `lag`.
 */
export function suggestNames(name: string, candidates: Iterable<string>): string[] {
  const limit = Math.min(MAX_DISTANCE, Math.max(1, Math.floor(name.length / 2)));
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of candidates) {
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(name, candidate);
    if (distance <= limit) scored.push({ candidate, distance });
  }
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((s) => s.distance));
  return scored
    .filter((s) => s.distance === best)
    .map((s) => s.candidate)
    .sort()
    .slice(0, MAX_SUGGESTIONS);
}

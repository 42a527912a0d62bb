/**
 * Saving a data set definition: a new version when the content changed, nothing otherwise.
 */
import type { DatasetEvent, DatasetState } from './model';
import type { DatasetBody } from './schema';

export type DatasetCommand = { type: 'SaveDataset'; datasetId: string; body: DatasetBody; savedBy: string };

/** Content equality independent of key order (JSON files and parsed bodies order keys differently). */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function decideDataset(command: DatasetCommand, state: DatasetState): DatasetEvent[] {
  switch (command.type) {
    case 'SaveDataset':
      if (state.body && sameContent(state.body, command.body)) return [];
      return [{ type: 'DatasetSaved', data: { datasetId: command.datasetId, version: state.version + 1, body: command.body, savedBy: command.savedBy } }];
    default: {
      const _exhaustive: never = command.type;
      return _exhaustive;
    }
  }
}

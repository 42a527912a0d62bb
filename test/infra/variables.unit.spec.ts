/**
 * The list of variables the production adapters will read (PLANNED_VARIABLES in deployment.ts)
 * shrinks as config.ts declares them: a name declared there must leave the planned list, so the
 * deployment checks then test it against the declaration itself.
 */
import { declaredVariables, PLANNED_VARIABLES } from './deployment';

describe('variables of the deployment files', () => {
  it('lists as planned only variables services/platform/src/runtime/config.ts does not declare yet', () => {
    const declared = new Set(declaredVariables());
    expect(PLANNED_VARIABLES.filter((v) => declared.has(v))).toEqual([]);
  });
});

/**
 * A business refusal of a command, with the German sentence the user reads. `kind` says how the
 * HTTP layer answers: `invalid` (422: the request contradicts a rule of the budget), `conflict`
 * (409: the state does not allow it now), `not-found` (404).
 */
export type RefusalKind = 'invalid' | 'conflict' | 'not-found';

export class BudgetRefusal extends Error {
  constructor(
    message: string,
    readonly kind: RefusalKind = 'invalid',
  ) {
    super(message);
    this.name = 'BudgetRefusal';
  }
}

import { GoalsRuleViolation } from '../../src/domain/events';

/** Runs `fn` and returns the refusal it must throw (any other outcome fails the test). */
export function refusal(fn: () => unknown): GoalsRuleViolation {
  try {
    fn();
  } catch (error) {
    if (error instanceof GoalsRuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

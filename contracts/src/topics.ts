/**
 * Bounded contexts and their topics: one topic per context (ARCHITECTURE.md 5), message key =
 * the aggregate's stream, so the events of one aggregate stay in order.
 */
export const boundedContexts = ['ingestion', 'indicators', 'goals', 'budget'] as const;

export type BoundedContext = (typeof boundedContexts)[number];

export type Topic = `lagebild.${BoundedContext}`;

export function topicOfContext(context: BoundedContext): Topic {
  return `lagebild.${context}`;
}

export function isBoundedContext(value: string): value is BoundedContext {
  return (boundedContexts as readonly string[]).includes(value);
}

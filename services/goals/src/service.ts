/**
 * Composition of the goals service: createService(deps) -> { router, start, stop, openapi }.
 *
 * - Commands through the HTTP API (http/routes.ts) and the goal-system file import.
 * - Consumer (group `goals`, topic lagebild.indicators): keeps the catalogue's indicator ids (to
 *   check targets) and the RAW indicator values, and judges every target at every new value.
 * - Scheduler: tells every contract today's date once at start and then hourly, so reporting
 *   duties become due and overdue as time passes.
 */
import { createCodec, type IntegrationEventCodec } from '@lagebild/contracts';
import { type ConsumedRecord, type ServiceFactory, type Subscription, runConsumer } from '@lagebild/platform';
import { advanceClock, type GoalsContext, migrateValueSeries, receiveValues } from './application';
import { createGoalRoutes } from './http/routes';
import { COLLECTIONS } from './projections';

export const SERVICE_NAME = 'goals';
export const CONSUMER_GROUP = 'goals';
const INDICATORS_TOPIC = 'lagebild.indicators';
const SCHEDULER_INTERVAL_MS = 60 * 60 * 1000;

export interface IndicatorDefinitionDoc {
  scope: string;
  indicatorId: string;
  kind: string;
  name: string;
  unit: string | null;
  polarity: string | null;
  version: number;
}

export interface GoalsModule {
  ctx: GoalsContext;
  /** Handles records of lagebild.indicators (exposed for tests that feed events without a log). */
  handle(records: readonly Pick<ConsumedRecord, 'value'>[]): Promise<{ verdicts: number }>;
  /** One scheduler round (tests pass the day). */
  advanceClock(today?: string): Promise<{ contracts: number; events: number }>;
}

export function createGoals(ctx: GoalsContext, codec: IntegrationEventCodec = createCodec()): GoalsModule {
  return {
    ctx,
    async handle(records) {
      let verdicts = 0;
      for (const record of records) {
        const event = codec.decode(record.value);
        if (event.type === 'IndicatorDefinitionPublished') {
          const d = event.data;
          if (d.kind === 'VARIABLE') continue;
          const scope = d.scope ?? '00000';
          const doc: IndicatorDefinitionDoc = { scope, indicatorId: d.indicatorId, kind: d.kind, name: d.name, unit: d.unit ?? null, polarity: d.polarity ?? null, version: d.version };
          await ctx.documents.put(COLLECTIONS.indicators, `${scope}|${d.indicatorId}`, doc);
        } else if (event.type === 'IndicatorValuesComputed') {
          const d = event.data;
          // Targets are judged on the numbers as computed; who may see a suppressed number is decided where it is shown.
          if (d.protection !== 'RAW') continue;
          verdicts += await receiveValues(
            ctx,
            {
              tenant: event.envelope.tenant,
              indicatorId: d.indicatorId,
              schemeId: d.schemeId,
              computationId: d.computationId,
              formulaVersion: d.formulaVersion,
              values: d.values.map((v) => ({ areaCode: v.areaCode, unitType: v.unitType ?? null, period: v.period, value: v.value ?? null, status: v.status })),
            },
            event.envelope.id,
          );
        }
      }
      return { verdicts };
    },
    advanceClock: (today) => advanceClock(ctx, today),
  };
}

export const createService: ServiceFactory = (deps) => {
  const ctx: GoalsContext = { eventStore: deps.eventStore, documents: deps.documents, logger: deps.logger.child({ component: 'goals' }) };
  const goals = createGoals(ctx);
  const api = createGoalRoutes(goals);
  let subscription: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    goals.advanceClock().then(
      (r) => {
        if (r.events > 0) ctx.logger?.info({ contracts: r.contracts, events: r.events }, 'Berichtspflichten fortgeschrieben');
      },
      (error: unknown) => ctx.logger?.error({ err: error }, 'Berichtspflichten konnten nicht fortgeschrieben werden'),
    );
  };
  return {
    name: SERVICE_NAME,
    router: api.router,
    openapi: () => api.document(),
    consumers: [{ group: CONSUMER_GROUP, topics: [INDICATORS_TOPIC] }],
    async start() {
      const migrated = await migrateValueSeries(deps.documents);
      if (migrated > 0) deps.logger.info(`Kennzahlreihen der Zielsteuerung auf Einzelwerte umgestellt: ${migrated} Reihen`);
      subscription = await runConsumer({
        log: deps.eventLog,
        group: CONSUMER_GROUP,
        topics: [INDICATORS_TOPIC],
        documents: deps.documents,
        logger: deps.logger.child({ component: 'goals-consumer' }),
        handle: async (records) => {
          await goals.handle(records);
        },
      });
      tick();
      timer = setInterval(tick, SCHEDULER_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await subscription?.stop();
    },
  };
};

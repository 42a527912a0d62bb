/**
 * The projector: integration events of every topic -> rows of the star schema (schema.ts).
 *
 * `rowsOf(event)` is a pure mapping, one event to the rows of the tables it touches; the row of
 * a fact is determined by the event alone, so projecting the same event again writes the same row
 * (replays and redeliveries converge after the replacing merge). `project()` groups a batch by
 * table and inserts with a deterministic deduplication token per (table, topic, partition,
 * offsets), so a retried batch is dropped by the server, and returns only after every insert
 * succeeded: the consumer runner commits the offsets afterwards.
 */
import type { IntegrationEvent, IntegrationEventCodec } from '@lagebild/contracts';
import type { ConsumedRecord, EventLog, Warehouse } from '@lagebild/platform';

/** Consumer group of the live projection. */
export const PROJECTION_GROUP = 'warehouse';
/** Every topic the projector reads. */
export const TOPICS = ['lagebild.ingestion', 'lagebild.indicators', 'lagebild.goals', 'lagebild.budget'] as const;

/** Records on the log that the group has not projected yet, over all topics and partitions. */
export async function projectionLag(log: EventLog, group = PROJECTION_GROUP): Promise<number> {
  let lag = 0;
  for (const topic of TOPICS) {
    const [ends, committed] = await Promise.all([log.endOffsets(topic), log.committedOffsets(group, topic)]);
    for (const [partition, end] of ends) lag += Math.max(0, end - (committed.get(partition) ?? 0));
  }
  return lag;
}

export type Row = Record<string, unknown>;

/** Rows per insert statement. */
export const INSERT_BLOCK_ROWS = 50_000;
export type TableRows = Map<string, Row[]>;

/** `2024-05-02T06:00:00.250Z` -> `2024-05-02 06:00:00.250` (DateTime64(3, 'UTC') text). */
export function clickhouseTime(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}

function decisionText(d: { body: string; reference: string; decidedOn: string } | null | undefined): string {
  return d ? `${d.body}, ${d.reference}, ${d.decidedOn}` : '';
}

function period(p: { kind: 'STICHTAG' | 'ZEITRAUM'; start: string; end: string }): Row {
  return { period_kind: p.kind, period_start: p.start, period_end: p.end };
}

/** Canonical text of a dimensions map: sorted `key=value` pairs joined by `;`. */
export function dimensionsKey(dimensions: Record<string, string> | null | undefined): string {
  return Object.entries(dimensions ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

/** The rows an event writes, by table. Events no table needs give no rows. */
export function rowsOf(event: IntegrationEvent): Array<[string, Row]> {
  const env = event.envelope;
  const base = { tenant: env.tenant, event_id: env.id, recorded_at: clickhouseTime(env.recordedAt) };
  const streamVer = { _ver: env.version };
  const timeVer = { _ver: Date.parse(env.recordedAt) };
  switch (event.type) {
    case 'AreaSchemeVersionPublished': {
      const d = event.data;
      const rows: Array<[string, Row]> = [
        ['dim_scheme_version', { ...base, ...timeVer, scheme_id: d.schemeId, scheme_name: d.schemeName, version: d.version, valid_from: d.validFrom, previous_version: d.previousVersion ?? null, reason: d.reason, unit_count: d.units.length }],
      ];
      for (const u of d.units) {
        rows.push([
          'dim_area',
          { ...base, ...timeVer, scheme_id: d.schemeId, scheme_version: d.version, code: u.code, name: u.name, unit_type: u.unitType, parent_code: u.parentCode ?? null, official_key: u.officialKey ?? null, valid_from: u.validFrom, valid_to: u.validTo ?? null, designations: u.designations ?? [] },
        ]);
      }
      return rows;
    }
    case 'AreaGeometriesPublished': {
      const d = event.data;
      return d.geometries.map((g) => ['dim_area_geometry', { ...base, ...timeVer, scheme_id: d.schemeId, scheme_version: d.version, code: g.code, geometry: g.geometry }]);
    }
    case 'DeliveryAccepted': {
      const d = event.data;
      return [['fact_delivery', { ...base, ...timeVer, delivery_id: d.deliveryId, dataset_id: d.datasetId, scheme_id: d.schemeId, scheme_version: d.schemeVersion, profile_id: d.profileId, file_name: d.fileName ?? '', observation_count: d.observationCount, supersedes_delivery_id: d.supersedesDeliveryId ?? null }]];
    }
    case 'ObservationsRecorded': {
      const d = event.data;
      const sensitivity = d.sensitivity ?? 'SEALED';
      return d.observations.map((o) => [
        'fact_observation',
        {
          tenant: env.tenant,
          event_id: env.id,
          recorded_at: base.recorded_at,
          _ver: timeVer._ver,
          delivery_id: d.deliveryId,
          dataset_id: d.datasetId,
          scheme_id: d.schemeId,
          scheme_version: d.schemeVersion,
          area_code: o.areaCode,
          variable: o.variable,
          dimensions: o.dimensions ?? {},
          dimensions_key: dimensionsKey(o.dimensions),
          period_kind: o.period.kind,
          period_start: o.period.start,
          period_end: o.period.end,
          value: o.value ?? null,
          status: o.status,
          sensitivity,
        },
      ]);
    }
    case 'IndicatorDefinitionPublished': {
      const d = event.data;
      const { tenant: _publisher, ...meta } = base;
      return [
        [
          'dim_indicator',
          { ...meta, ...timeVer, scope: d.scope ?? '00000', indicator_id: d.indicatorId, version: d.version, kind: d.kind, name: d.name, description: d.description ?? '', unit: d.unit ?? '', polarity: d.polarity ?? '', indicator_type: d.indicatorType ?? '', formula: d.formula ?? '' },
        ],
      ];
    }
    case 'IndicatorValuesComputed': {
      const d = event.data;
      const sensitivity = d.sensitivity ?? 'SEALED';
      const crosswalk = d.crosswalkFromVersion ?? null;
      // Explicit literals, no object spread: batches carry tens of thousands of values, and a spread
      // in a large literal costs V8 a slow path per row (measured: 60x slower).
      return d.values.map((v) => [
        'fact_indicator_value',
        {
          tenant: env.tenant,
          event_id: env.id,
          recorded_at: base.recorded_at,
          _ver: timeVer._ver,
          computation_id: d.computationId,
          // The event's place in the indicator's value stream: which computation of a value is the latest, whatever the clocks said.
          stream_version: env.version,
          indicator_id: d.indicatorId,
          formula_version: d.formulaVersion,
          scheme_id: d.schemeId,
          scheme_version: d.schemeVersion,
          protection: d.protection,
          sensitivity,
          area_code: v.areaCode,
          unit_type: v.unitType ?? '',
          period_kind: v.period.kind,
          period_start: v.period.start,
          period_end: v.period.end,
          numerator: v.numerator ?? null,
          denominator: v.denominator ?? null,
          value: v.value ?? null,
          status: v.status,
          disclosure_rule: v.disclosureRule ?? '',
          parent_value: v.comparison?.parentValue ?? null,
          previous_value: v.comparison?.previousValue ?? null,
          rank: v.comparison?.rank ?? null,
          z_score: v.comparison?.zScore ?? null,
          series_break: v.seriesBreak ?? false,
          ampel: v.ampel?.color ?? '',
          ampel_rule: v.ampel?.rule ?? '',
          index_class: v.indexClass?.code ?? null,
          index_class_label: v.indexClass?.label ?? '',
          crosswalk_from_version: crosswalk,
        },
      ]);
    }
    case 'GoalCreated':
    case 'GoalDerived':
    case 'GoalRevised': {
      const d = event.data;
      const revision = event.type === 'GoalRevised' ? event.data.revision : 1;
      const rows: Array<[string, Row]> = [
        [
          'dim_goal',
          {
            ...base,
            ...streamVer,
            goal_id: d.goalId,
            revision,
            level: 'level' in d ? d.level : '',
            parent_goal_id: d.parentGoalId ?? null,
            field: d.field,
            title: d.title,
            description: d.description ?? '',
            smart: d.smart,
            target_group: d.targetGroup ?? '',
            scheme_id: d.spatialScope?.schemeId ?? null,
            area_codes: d.spatialScope?.areaCodes ?? [],
            responsible_unit: d.responsibleUnit,
            horizon: d.horizon ?? null,
            decision: decisionText(d.decision),
            linked_products: d.linkedProducts ?? [],
          },
        ],
      ];
      if (event.type !== 'GoalRevised') rows.push(['goal_status', { ...base, ...streamVer, goal_id: d.goalId, priority: event.data.priority ?? null, retired_on: null, outcome: '' }]);
      return rows;
    }
    case 'GoalPrioritised':
      // Priority and retirement share one row per goal (the latest wins): a retired goal is never prioritised again.
      return [['goal_status', { ...base, ...streamVer, goal_id: event.data.goalId, priority: event.data.priority ?? null, retired_on: null, outcome: '' }]];
    case 'GoalRetired':
      return [['goal_status', { ...base, ...streamVer, goal_id: event.data.goalId, priority: null, retired_on: event.data.retiredOn, outcome: event.data.outcome }]];
    case 'GoalContextIndicatorsSet':
      return [['dim_goal_context', { ...base, ...streamVer, goal_id: event.data.goalId, indicator_ids: event.data.indicators.map((i) => i.indicatorId), notes: event.data.indicators.map((i) => i.note ?? '') }]];
    case 'TargetValueSet': {
      const d = event.data;
      return [
        [
          'dim_target',
          {
            ...base,
            ...streamVer,
            goal_id: d.goalId,
            target_id: d.targetId,
            indicator_id: d.indicatorId,
            scheme_id: d.schemeId ?? null,
            area_code: d.areaCode ?? null,
            baseline_value: d.baseline?.value ?? null,
            baseline_period_end: d.baseline?.period.end ?? null,
            target_kind: d.targetKind,
            target_value: d.targetValue,
            comparator: d.comparator,
            deadline: d.deadline,
            withdrawn: false,
          },
        ],
      ];
    }
    case 'TargetWithdrawn':
      return [['dim_target', { ...base, ...streamVer, goal_id: event.data.goalId, target_id: event.data.targetId, indicator_id: '', scheme_id: null, area_code: null, baseline_value: null, baseline_period_end: null, target_kind: '', target_value: 0, comparator: '', deadline: null, withdrawn: true }]];
    case 'TargetAttainmentEvaluated': {
      const d = event.data;
      return [
        [
          'fact_attainment',
          {
            ...base,
            ...streamVer,
            goal_id: d.goalId,
            target_id: d.targetId,
            indicator_id: d.indicatorId,
            area_code: d.areaCode ?? null,
            ...period(d.period),
            actual_value: d.actualValue ?? null,
            resolved_target_value: d.resolvedTargetValue,
            baseline_value: d.baselineValue ?? null,
            attainment: d.attainment ?? null,
            expected_value: d.expectedValue ?? null,
            projected_value: d.projectedValue ?? null,
            status: d.status,
            value_suppressed: d.valueSuppressed ?? false,
            method: d.method ?? '',
            deadline: d.deadline ?? null,
            computation_id: d.computationId ?? null,
          },
        ],
      ];
    }
    case 'MeasureDefined': {
      const d = event.data;
      return [
        [
          'dim_measure',
          {
            ...base,
            ...streamVer,
            measure_id: d.measureId,
            kind: d.kind,
            title: d.title,
            goal_ids: d.goalIds,
            prevention: d.prevention ?? 'NICHT_ZUGEORDNET',
            approach: d.approach ?? 'NICHT_ZUGEORDNET',
            responsible_unit: d.responsibleUnit,
            product_code: d.productCode ?? null,
            traeger_id: d.traegerId ?? null,
            start: d.start ?? null,
            end: d.end ?? null,
          },
        ],
      ];
    }
    case 'MeasureEnded':
      return [['measure_status', { ...base, ...streamVer, measure_id: event.data.measureId, ended_on: event.data.endedOn, reason: event.data.reason }]];
    case 'TraegerRecorded': {
      const d = event.data;
      return [['dim_traeger', { ...base, ...streamVer, traeger_id: d.traegerId, name: d.name, legal_form: d.legalForm, spitzenverband: d.spitzenverband ?? '', active: d.active ?? true }]];
    }
    case 'ContractConcluded':
    case 'ContractAmended': {
      const d = event.data;
      return [
        [
          'dim_contract',
          {
            ...base,
            ...streamVer,
            contract_id: d.contractId,
            version: d.version,
            effective_from: event.type === 'ContractAmended' ? event.data.effectiveFrom : d.termStart,
            kind: d.kind,
            title: d.title,
            traeger_id: d.traegerId ?? null,
            partner_tenant: d.partnerTenant ?? null,
            term_start: d.termStart,
            term_end: d.termEnd ?? null,
            product_code: d.productCode ?? null,
            annual_amount_cents: d.financing?.annualAmountCents ?? null,
            financing_mode: d.financing?.mode ?? '',
            goal_ids: d.goalIds,
            prevention: d.prevention ?? 'NICHT_ZUGEORDNET',
            approach: d.approach ?? 'NICHT_ZUGEORDNET',
            quantity_ids: d.quantities.map((q) => q.quantityId),
            quantity_labels: d.quantities.map((q) => q.label),
            quantity_amounts: d.quantities.map((q) => q.amount),
            quantity_periods: d.quantities.map((q) => q.per),
            kennzahl_ids: d.kennzahlen.map((k) => k.kennzahlId),
            kennzahl_names: d.kennzahlen.map((k) => k.name),
            kennzahl_targets: d.kennzahlen.map((k) => k.targetValue ?? null),
          },
        ],
      ];
    }
    case 'ContractTerminated':
      return [['contract_status', { ...base, ...streamVer, contract_id: event.data.contractId, terminated_on: event.data.effectiveOn, termination_kind: event.data.kind, reason: event.data.reason }]];
    case 'ReportingObligationDue':
    case 'ReportingObligationOverdue':
    case 'ReportingObligationFulfilled': {
      const d = event.data;
      const fulfilled = event.type === 'ReportingObligationFulfilled' ? event.data : null;
      return [
        [
          'fact_contract_duty',
          {
            ...base,
            ...streamVer,
            contract_id: d.contractId,
            duty_id: d.dutyId,
            ...period(d.period),
            due_date: d.dueDate,
            status: event.type === 'ReportingObligationDue' ? 'due' : event.type === 'ReportingObligationOverdue' ? 'overdue' : 'fulfilled',
            report_id: fulfilled?.reportId ?? null,
            submitted_on: fulfilled?.submittedOn ?? null,
            late: fulfilled?.late ?? false,
          },
        ],
      ];
    }
    case 'TraegerReportSubmitted': {
      const d = event.data;
      const common = { ...base, ...streamVer, contract_id: d.contractId, duty_id: d.dutyId, ...period(d.period), report_id: d.reportId, revision: d.revision };
      return [
        ...d.values.map((v): [string, Row] => ['fact_report_value', { ...common, item_kind: 'kennzahl', item_id: v.kennzahlId, value: v.value ?? null, agreed: null }]),
        ...d.quantities.map((q): [string, Row] => ['fact_report_value', { ...common, item_kind: 'menge', item_id: q.quantityId, value: q.delivered, agreed: q.agreed ?? null }]),
      ];
    }
    case 'ProductDefined': {
      const d = event.data;
      return [
        [
          'dim_product',
          { ...base, ...timeVer, product_code: d.productCode, name: d.name, product_area: d.productArea, product_group: d.productGroup ?? null, budget_unit: d.budgetUnit ?? '', responsible: d.responsible ?? '', prevention: d.prevention, approach: d.approach, goal_ids: d.goalIds },
        ],
      ];
    }
    case 'BudgetAppropriated': {
      const d = event.data;
      return d.lines.map((l) => ['fact_budget_line', { ...base, ...timeVer, budget_year: d.budgetYear, value_kind: d.kind, ...lineOf(l), amount_cents: l.amountCents, prevention: l.prevention ?? 'NICHT_ZUGEORDNET', approach: l.approach ?? 'NICHT_ZUGEORDNET', decision: decisionText(d.decision) }]);
    }
    case 'BudgetCarriedForward': {
      const d = event.data;
      return d.lines.map((l) => ['fact_budget_movement', { ...base, ...timeVer, budget_year: d.budgetYear, movement_id: d.transferId, movement_kind: 'UEBERTRAGUNG', side: 'ZU', ...lineOf(l), amount_cents: l.amountCents, reason: d.reason ?? '', decision: decisionText(d.decision) }]);
    }
    case 'BudgetReallocated': {
      const d = event.data;
      const common = { ...base, ...timeVer, budget_year: d.budgetYear, movement_id: d.reallocationId, movement_kind: 'UMSCHICHTUNG', reason: d.reason, decision: decisionText(d.decision) };
      return [
        ['fact_budget_movement', { ...common, side: 'AB', ...lineOf(d.from), amount_cents: -d.amountCents }],
        ['fact_budget_movement', { ...common, side: 'ZU', ...lineOf(d.to), amount_cents: d.amountCents }],
      ];
    }
    case 'ActualPosted': {
      const d = event.data;
      return d.postings.map((p) => [
        'fact_actual',
        {
          tenant: env.tenant,
          event_id: env.id,
          recorded_at: base.recorded_at,
          _ver: timeVer._ver,
          budget_year: d.budgetYear,
          posting_id: p.postingId,
          posting_date: p.postingDate,
          product_area: p.productArea,
          product_group: p.productGroup ?? '',
          product_code: p.productCode,
          cost_centre: p.costCentre ?? '',
          account: p.account,
          account_kind: p.accountKind,
          amount_cents: p.amountCents,
          import_id: d.importId,
        },
      ]);
    }
    case 'CommitmentRecorded': {
      const d = event.data;
      return d.lines.map((l) => ['fact_commitment', { ...base, ...timeVer, commitment_id: d.commitmentId, revision: d.revision, source: d.source, contract_id: d.contractId ?? null, budget_year: l.budgetYear, ...lineOf(l), amount_cents: l.amountCents }]);
    }
    case 'ForecastComputed': {
      const d = event.data;
      return d.lines.map((l) => [
        'fact_forecast',
        {
          ...base,
          ...timeVer,
          budget_year: d.budgetYear,
          cut_off_date: d.cutOffDate,
          product_area: l.productArea,
          product_group: l.productGroup ?? '',
          product_code: l.productCode,
          account_kind: l.accountKind,
          planned_cents: l.plannedCents,
          actual_to_date_cents: l.actualToDateCents,
          commitment_cents: l.commitmentCents,
          forecast_cents: l.forecastCents,
          method: l.method,
        },
      ]);
    }
    case 'DeviationDetected': {
      const d = event.data;
      return [
        [
          'fact_deviation',
          {
            ...base,
            ...timeVer,
            budget_year: d.budgetYear,
            cut_off_date: d.cutOffDate,
            level: d.level,
            code: d.code,
            name: d.name,
            account_kind: d.accountKind,
            planned_cents: d.plannedCents,
            actual_to_date_cents: d.actualToDateCents,
            forecast_cents: d.forecastCents,
            deviation_cents: d.deviationCents,
            deviation_ratio: d.deviationRatio ?? null,
            unfavourable: d.unfavourable,
          },
        ],
      ];
    }
    case 'DeviationCommented': {
      const d = event.data;
      return [['fact_deviation_comment', { ...base, ...timeVer, budget_year: d.budgetYear, cut_off_date: d.cutOffDate, level: d.level, code: d.code, account_kind: d.accountKind, comment: d.comment, measures: d.measures ?? '', author: d.author }]];
    }
    default:
      return [];
  }
}

/** The identity columns of a budget line (a missing group or Kostenstelle as empty text, so it can be part of a key). */
function lineOf(l: { productArea: string; productGroup?: string | null; productCode: string; costCentre?: string | null; account: string; accountKind: string }): Row {
  return { product_area: l.productArea, product_group: l.productGroup ?? '', product_code: l.productCode, cost_centre: l.costCentre ?? '', account: l.account, account_kind: l.accountKind };
}

/** Groups the rows of decoded events by table. */
export function tableRows(events: readonly IntegrationEvent[]): TableRows {
  const out: TableRows = new Map();
  for (const event of events) {
    for (const [table, row] of rowsOf(event)) {
      const list = out.get(table);
      if (list) list.push(row);
      else out.set(table, [row]);
    }
  }
  return out;
}

export interface ProjectorOptions {
  warehouse: Warehouse;
  codec: IntegrationEventCodec;
  /** Database of the tables (a replay writes into a fresh one). @default 'lagebild' */
  database?: string;
  /** Gives up between inserts once aborted (the batch is then not committed and comes again). */
  signal?: AbortSignal;
}

/** Thrown by `project()` when its signal aborted; the rows inserted so far are harmless (the batch comes again and converges). */
export class ProjectionAbortedError extends Error {
  constructor() {
    super('Projektion abgebrochen (Dienst wird beendet); der Stapel wird beim nächsten Start erneut projiziert.');
    this.name = 'ProjectionAbortedError';
  }
}

/**
 * Projects one batch of log records (one topic, offset order). The deduplication token names the
 * table, topic, partition, offset range and block number: a redelivered batch with the same
 * boundaries is dropped by the engine, and a batch cut differently converges through the
 * replacing merge.
 *
 * Memory stays bounded by one block per table: records are decoded one at a time and their rows
 * go into a block per table that is inserted as soon as it is full (a batch of the log can hold a
 * thousand records of 5,000 observations each, millions of rows that would not fit the heap as
 * objects at once). The blocks are cut at the same places whenever the same records come again,
 * so the tokens stay deterministic.
 */
export async function project(options: ProjectorOptions, records: readonly Pick<ConsumedRecord, 'value' | 'topic' | 'partition' | 'offset'>[]): Promise<number> {
  if (records.length === 0) return 0;
  const database = options.database ?? 'lagebild';
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const range = `${first.topic}:${first.partition}:${first.offset}-${last.offset}`;
  const pending = new Map<string, { rows: Row[]; block: number }>();
  let rows = 0;
  const flush = async (table: string, entry: { rows: Row[]; block: number }) => {
    if (options.signal?.aborted) throw new ProjectionAbortedError();
    const block = entry.rows;
    entry.rows = [];
    await options.warehouse.insert(`${database}.${table}`, block, { deduplicationToken: `${table}:${range}:${entry.block}` });
    entry.block += 1;
    rows += block.length;
  };
  for (const record of records) {
    for (const [table, row] of rowsOf(options.codec.decode(record.value))) {
      let entry = pending.get(table);
      if (!entry) pending.set(table, (entry = { rows: [], block: 0 }));
      entry.rows.push(row);
      if (entry.rows.length >= INSERT_BLOCK_ROWS) await flush(table, entry);
    }
  }
  for (const [table, entry] of pending) if (entry.rows.length > 0) await flush(table, entry);
  return rows;
}

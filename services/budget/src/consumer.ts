/**
 * What the budget service takes from other contexts (consumer group `budget`):
 *
 * - lagebild.goals: ContractConcluded, ContractAmended, ContractTerminated. A contract's financing
 *   commits budget lines (Obligo) for the years of its term (domain/commitments.ts); the
 *   commitment is kept per contract in stream commitment-<tenant>-contract-<contractId>, with
 *   event ids derived from the contract event, so a redelivered event changes nothing.
 * - lagebild.ingestion: AreaSchemeVersionPublished of the Gemeindeverzeichnis, whose version the
 *   financial Kennzahlen name when they are published as observations.
 */
import type { IntegrationEvent, IntegrationEventCodec } from '@lagebild/contracts';
import type { ConsumedRecord } from '@lagebild/platform';
import type { BudgetService } from './application';
import { contractCommitmentId } from './commitments/model';
import type { ContractVersion, FinancingTerms } from './domain/commitments';
import { productDefinition } from './structure/model';

export const CONSUMER_GROUP = 'budget';
export const CONSUMED_TOPICS = ['lagebild.goals', 'lagebild.ingestion'] as const;

type ContractData = IntegrationEvent<'ContractConcluded'>['data'];

async function termsOf(service: BudgetService, tenant: string, data: ContractData, effectiveFrom: string): Promise<ContractVersion> {
  const f = data.financing ?? null;
  let financing: FinancingTerms | null = null;
  if (f) {
    const def = productDefinition(await service.structure(tenant), f.productCode);
    financing = {
      annualAmountCents: f.annualAmountCents,
      productCode: f.productCode,
      productArea: def?.productArea ?? f.productCode.slice(0, 2),
      productGroup: def?.productGroup ?? (f.productCode.length > 4 ? f.productCode.slice(0, 4) : f.productCode.length === 4 ? f.productCode : null),
      costCentre: f.costCentre ?? null,
      account: f.account ?? null,
    };
  }
  return { version: data.version, effectiveFrom, termStart: data.termStart, termEnd: data.termEnd ?? null, financing };
}

export async function handleBudgetRecords(service: BudgetService, codec: IntegrationEventCodec, records: readonly Pick<ConsumedRecord, 'value'>[]): Promise<void> {
  for (const record of records) {
    const { type } = codec.decodeEnvelope(record.value);
    if (!['ContractConcluded', 'ContractAmended', 'ContractTerminated', 'AreaSchemeVersionPublished'].includes(type)) continue;
    const event = codec.decode(record.value);
    const tenant = event.envelope.tenant;
    const actor = { tenant, subject: 'system:budget' };
    switch (event.type) {
      case 'ContractConcluded': {
        const d = event.data;
        await service.noteContract(actor, { type: 'NoteContractTerms', contractId: d.contractId, description: d.title, version: await termsOf(service, tenant, d, d.termStart), terminatedOn: null }, event.envelope.id);
        break;
      }
      case 'ContractAmended': {
        const d = event.data;
        await service.noteContract(actor, { type: 'NoteContractTerms', contractId: d.contractId, description: d.title, version: await termsOf(service, tenant, d, d.effectiveFrom), terminatedOn: null }, event.envelope.id);
        break;
      }
      case 'ContractTerminated': {
        const d = event.data;
        const state = await service.commitment(tenant, contractCommitmentId(d.contractId));
        await service.noteContract(actor, { type: 'NoteContractTerms', contractId: d.contractId, description: state.current?.description ?? 'Vertrag', version: null, terminatedOn: d.effectiveOn }, event.envelope.id);
        break;
      }
      case 'AreaSchemeVersionPublished':
        await service.noteSchemeVersion(event.data.schemeId, event.data.version);
        break;
      default:
        break;
    }
  }
}

/**
 * The access SQL for an example tenant register, as `npm run build` writes it to
 * infra/clickhouse/access/{single,cluster}.sql (scripts/write-access.js; a test keeps the files in
 * step). docker compose applies the single-server file; a deployment generates its own from its
 * tenant register with `clickhouseAccessSql`.
 *
 * The register is the demo's (Flensburg, Berlin, the Kreise of the Gemeindeverzeichnis extract)
 * with Kreis Nordfriesland's members Husum and Niebüll, and Husum delivering as a tenant of its own.
 */
import type { Variant } from '../schema';
import { type AccessTenant, clickhouseAccessSql } from './clickhouse-access';

export const EXAMPLE_TENANTS: readonly AccessTenant[] = [
  { id: '01001', name: 'Flensburg' },
  { id: '11000', name: 'Berlin' },
  { id: '01054', name: 'Kreis Nordfriesland', members: ['01054056', '01054088'] },
  { id: '01054056', name: 'Husum' },
  { id: '03159', name: 'Landkreis Göttingen', members: ['03159016'] },
];

/** The warehouse service's read-only user in the example (CLICKHOUSE_READONLY_USER in docker compose). */
export const EXAMPLE_OPERATOR_READER = 'lagebild_readonly';

/** The file text for a variant: header, then the statements. */
export function exampleAccessFile(variant: Variant): string {
  const { sql } = clickhouseAccessSql({ tenants: EXAMPLE_TENANTS, operatorReaders: [EXAMPLE_OPERATOR_READER], ...(variant === 'cluster' ? { onCluster: '{cluster}' } : {}) });
  const header = [
    '-- Lagebild warehouse: read access for Grafana per tenant, for an EXAMPLE tenant register',
    '-- (generated from services/warehouse/src/access by `npm run build`; do not edit).',
    '-- Run after the schema, as a user with access management; the users in unrestrictedUsers',
    '-- (here: lagebild, the warehouse service) must exist. New readers are locked until the operator',
    "-- sets a password: ALTER USER <user> IDENTIFIED WITH sha256_hash BY '<sha256 of the password>'.",
    variant === 'single' ? '-- Variant: one server.' : "-- Variant: replicated cluster (ON CLUSTER '{cluster}').",
    '',
  ].join('\n');
  return `${header}${sql}`;
}

/**
 * `openPlatform` picks each port's adapter from its variable: with CLICKHOUSE_URL the warehouse is
 * the ClickHouse server (chDB is not opened, no warehouse folder appears under the data
 * directory) while the other ports stay embedded; an unreachable MongoDB or Kafka stops the start
 * with a German message, and nothing of the ports opened before it stays open.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPlatform } from '../../src/composition/platform';
import { loadPlatformConfig } from '../../src/runtime/config';
import { silentLogger } from '../../src/runtime/logger';
import { clickHouseAvailability, type ClickHouseTestServer, startClickHouseServer } from '../helpers/clickhouse-server';

const availability = clickHouseAvailability();
const withServer = availability.available ? it : it.skip;
if (!availability.available) console.warn(`ClickHouse-Server-Test übersprungen: ${availability.reason}`);

let dir: string;
let server: ClickHouseTestServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lagebild-open-platform-'));
  if (availability.available) server = await startClickHouseServer();
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('openPlatform', () => {
  withServer('uses the ClickHouse server for the warehouse when CLICKHOUSE_URL is set, the other ports embedded', async () => {
    // Credentials travel in the URL, as an operator sets CLICKHOUSE_URL.
    const url = new URL(server!.url);
    url.username = server!.username;
    url.password = server!.password;
    const config = loadPlatformConfig({ LAGEBILD_DATA_DIR: dir, CLICKHOUSE_URL: url.toString() });
    const platform = await openPlatform({ config, logger: silentLogger() });
    try {
      expect(await platform.warehouse.query<{ v: string }>('SELECT version() AS v')).toEqual([{ v: expect.stringMatching(/^\d+\.\d+/) }]);
      await platform.readiness.warehouse!();
      expect(existsSync(join(dir, 'warehouse'))).toBe(false);
      // Event store and log are the embedded ones under the data directory.
      await platform.eventStore.appendToStream('probe-1', [{ id: '00000000-0000-4000-8000-000000000001', type: 'Probe', data: {}, metadata: { tenant: '11000', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'test', correlationId: 'c' } }]);
      expect(await platform.eventStore.lastPosition()).toBe(1);
      expect(existsSync(join(dir, 'lmdb'))).toBe(true);
    } finally {
      await platform.close();
    }
  });

  it('stops with a German message when MongoDB is unreachable, hiding the password', async () => {
    const config = loadPlatformConfig({ LAGEBILD_DATA_DIR: dir, MONGODB_URL: 'mongodb://lagebild:geheim@127.0.0.1:1/?replicaSet=rs0&serverSelectionTimeoutMS=500' });
    const error = await openPlatform({ config, logger: silentLogger() }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/MongoDB/);
    expect(error!.message).toMatch(/nicht erreichbar|keine Verbindung|Verbindung/);
    expect(error!.message).not.toContain('geheim');
  }, 30_000);

  it('refuses a Schema Registry without Kafka, naming the variable', async () => {
    const config = loadPlatformConfig({ LAGEBILD_DATA_DIR: dir, SCHEMA_REGISTRY_URL: 'http://registry:8081' });
    await expect(openPlatform({ config, logger: silentLogger() })).rejects.toThrow(/SCHEMA_REGISTRY_URL.*KAFKA_BROKERS/s);
  });
});

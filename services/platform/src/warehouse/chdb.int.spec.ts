import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeWarehousePort } from '../../test/suites/warehouse-suite';
import { createChdbWarehouse } from './chdb';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lagebild-chdb-suite-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeWarehousePort('chDB', () => createChdbWarehouse({ path: dir }));

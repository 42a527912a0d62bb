/**
 * A ClickHouse server for the HTTP adapter's tests: the one `CLICKHOUSE_URL` points at, or a
 * private `clickhouse-server` started for one test file (Debian's package here and in CI).
 *
 * A started server gets free ports (HTTP, native TCP, interserver), a temporary data directory
 * and a generated config.xml / users.xml with two users and random passwords: `lagebild` (may
 * write) and `lagebild_leser` (profile with `readonly = 1`). Both profiles set
 * `max_execution_time`, so a runaway query ends on the server. The server runs in its own process
 * group; `stop()` ends the group (TERM, then KILL), waits until the process has exited, and
 * removes the directory. A test process that dies without `stop()` still kills the group on exit.
 *
 * With `CLICKHOUSE_URL` (credentials may be in the URL), a read-only user is taken from
 * `CLICKHOUSE_READONLY_USER` / `CLICKHOUSE_READONLY_PASSWORD` when set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ClickHouseTestServer {
  /** HTTP endpoint without credentials. */
  url: string;
  username: string;
  password: string;
  /** A user whose profile has `readonly = 1`; undefined for an external server without one. */
  readonly?: { username: string; password: string };
  /** The server's `keep_alive_timeout` in seconds, when this helper configured it. */
  keepAliveTimeoutSeconds?: number;
  /** 'started' by this helper, or taken from CLICKHOUSE_URL. */
  source: 'started' | 'CLICKHOUSE_URL';
  stop(): Promise<void>;
}

export type ClickHouseAvailability = { available: true; binary?: string } | { available: false; reason: string };

const KNOWN_BINARIES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBinary(): string | undefined {
  const configured = process.env.CLICKHOUSE_SERVER_BIN;
  if (configured) return executable(configured) ? configured : undefined;
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'clickhouse-server'));
  return [...KNOWN_BINARIES, ...onPath].find(executable);
}

/** Decided when the spec file loads, so a missing server is reported as skipped, never as passed. */
export function clickHouseAvailability(): ClickHouseAvailability {
  if (process.env.CLICKHOUSE_URL) return { available: true };
  const binary = findBinary();
  if (binary) return { available: true, binary };
  return {
    available: false,
    reason: process.env.CLICKHOUSE_SERVER_BIN
      ? `CLICKHOUSE_SERVER_BIN=${process.env.CLICKHOUSE_SERVER_BIN} ist nicht ausführbar, und CLICKHOUSE_URL ist nicht gesetzt.`
      : 'weder CLICKHOUSE_URL gesetzt noch clickhouse-server installiert (Debian: apt-get install clickhouse-server).',
  };
}

/** Whether tests needing the read-only user can run: always with a started server. */
export function readonlyUserAvailable(): boolean {
  return !process.env.CLICKHOUSE_URL || Boolean(process.env.CLICKHOUSE_READONLY_USER);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('kein freier Port'))));
    });
  });
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const KEEP_ALIVE_TIMEOUT_SECONDS = 3;

function configXml(dir: string, ports: { http: number; tcp: number; interserver: number }): string {
  const d = xmlText(dir);
  // <yandex> is the root 18.x reads; later versions accept it as well as <clickhouse>.
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${d}/log/clickhouse-server.log</log>
    <errorlog>${d}/log/clickhouse-server.err.log</errorlog>
    <console>1</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <keep_alive_timeout>${KEEP_ALIVE_TIMEOUT_SECONDS}</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>${d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

function usersXml(writerPassword: string, readerPassword: string): string {
  const networks = '<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>';
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_execution_time>20</max_execution_time>
      <max_memory_usage>2000000000</max_memory_usage>
    </default>
    <leser>
      <readonly>1</readonly>
      <max_execution_time>20</max_execution_time>
      <max_memory_usage>2000000000</max_memory_usage>
    </leser>
  </profiles>
  <users>
    <lagebild>
      <password>${xmlText(writerPassword)}</password>
      ${networks}
      <profile>default</profile>
      <quota>default</quota>
    </lagebild>
    <lagebild_leser>
      <password>${xmlText(readerPassword)}</password>
      ${networks}
      <profile>leser</profile>
      <quota>default</quota>
    </lagebild_leser>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}

function external(url: string): ClickHouseTestServer {
  const parsed = new URL(url);
  const username = decodeURIComponent(parsed.username) || 'default';
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const readonlyUser = process.env.CLICKHOUSE_READONLY_USER;
  return {
    url: parsed.toString().replace(/\/$/, ''),
    username,
    password,
    ...(readonlyUser ? { readonly: { username: readonlyUser, password: process.env.CLICKHOUSE_READONLY_PASSWORD ?? '' } } : {}),
    source: 'CLICKHOUSE_URL',
    stop: async () => {},
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

async function waitForPing(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`clickhouse-server endete beim Start (${child.exitCode ?? child.signalCode}):\n${output().slice(-2000)}`);
    }
    try {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok && (await response.text()).startsWith('Ok')) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`clickhouse-server antwortete nicht binnen ${timeoutMs / 1000} s auf /ping:\n${output().slice(-2000)}`);
}

async function startOnce(binary: string): Promise<ClickHouseTestServer | 'ports-taken'> {
  const dir = await mkdtemp(join(tmpdir(), 'lagebild-clickhouse-'));
  const ports = { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
  const writerPassword = randomBytes(12).toString('hex');
  const readerPassword = randomBytes(12).toString('hex');
  await writeFile(join(dir, 'config.xml'), configXml(dir, ports));
  await writeFile(join(dir, 'users.xml'), usersXml(writerPassword, readerPassword));

  // detached: its own process group, so stop() reaches every process it forks.
  const child = spawn(binary, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => collect(Buffer.from(String(error))));
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  async function stop(): Promise<void> {
    process.removeListener('exit', killOnExit);
    killGroup(child, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref())]);
    if (!stopped) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }

  const url = `http://127.0.0.1:${ports.http}`;
  try {
    await waitForPing(url, child, () => output, 30_000);
  } catch (error) {
    await stop();
    if (/Address already in use/i.test(output)) return 'ports-taken';
    throw error;
  }
  return {
    url,
    username: 'lagebild',
    password: writerPassword,
    readonly: { username: 'lagebild_leser', password: readerPassword },
    keepAliveTimeoutSeconds: KEEP_ALIVE_TIMEOUT_SECONDS,
    source: 'started',
    stop,
  };
}

/** The server of `CLICKHOUSE_URL`, or a private one (call once per test file, `stop()` in afterAll). */
export async function startClickHouseServer(): Promise<ClickHouseTestServer> {
  if (process.env.CLICKHOUSE_URL) return external(process.env.CLICKHOUSE_URL);
  const binary = findBinary();
  if (!binary) throw new Error(`ClickHouse-Server nicht verfügbar: ${(clickHouseAvailability() as { reason: string }).reason}`);
  // Another process may take a port between finding it free and the server binding it.
  for (let attempt = 1; ; attempt += 1) {
    const started = await startOnce(binary);
    if (started !== 'ports-taken') return started;
    if (attempt === 3) throw new Error('clickhouse-server fand dreimal keinen freien Port.');
  }
}

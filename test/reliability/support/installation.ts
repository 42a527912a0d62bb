/**
 * One installation under test: a data directory, the port its `lagebild start` listens on (fixed,
 * so `lagebild replay` finds the running host), the server process of the moment (restarted after
 * every kill), and a probe into its stores.
 */
import type { Tokens } from './http';
import { freePort, sleep, startServer, type Server } from './lagebild';
import { openProbe, type Probe } from './probe';
import type { ConsumerInfo } from './services';
import { differences, snapshot, WAREHOUSE_CHECKS, type Snapshot } from './warehouse';

export class Installation {
  server: Server | undefined;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly probe: Probe,
    private readonly env: Record<string, string>,
  ) {}

  static async open(dataDir: string, consumers: readonly ConsumerInfo[], env: Record<string, string> = {}): Promise<Installation> {
    return new Installation(dataDir, await freePort(), await openProbe(dataDir, consumers), env);
  }

  async start(): Promise<Server> {
    this.server = await startServer({ dataDir: this.dataDir, port: this.port, env: this.env });
    return this.server;
  }

  /**
   * Waits until the pipeline is drained, then compares the warehouse with `expected`. A difference
   * counts once it is stable: the same snapshot in two looks a second apart, the pipeline drained
   * in between (a projection may still be committing when the log says it is done).
   */
  async expectWarehouse(expected: Snapshot, tokens: Tokens, label: string): Promise<Snapshot> {
    const server = this.server;
    if (!server) throw new Error('kein Server');
    let previous: string | undefined;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await this.probe.settled();
      const actual = await snapshot(server.url, tokens.operator);
      const diff = differences(expected, actual);
      if (diff.length === 0) return actual;
      const seen = WAREHOUSE_CHECKS.map((c) => `${actual[c.name]?.rows}:${actual[c.name]?.checksum}`).join(',');
      if (seen === previous) throw new Error(`${label}: das Warehouse gleicht nicht dem Ergebnis ohne Fehler: ${diff.join('; ')}`);
      previous = seen;
      await sleep(1000);
    }
    throw new Error(`${label}: das Warehouse kommt nicht zur Ruhe`);
  }

  async close(): Promise<void> {
    await this.server?.stop();
    await this.probe.close();
  }
}

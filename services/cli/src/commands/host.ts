/** Finding a running `lagebild start` on this machine (commands that must not open chDB beside it). */
import type { PlatformConfig } from '@lagebild/platform';

/** The host's base URL from the configuration; null when it listens on a random port. */
export function hostUrl(config: Pick<PlatformConfig, 'host' | 'port'>): string | null {
  if (config.port === 0) return null;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

export async function runningHost(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(800) });
    return res.ok;
  } catch {
    return false;
  }
}

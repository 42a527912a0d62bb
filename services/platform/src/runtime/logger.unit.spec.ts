import { createLogger } from './logger';

function capture(level?: 'info' | 'debug' | 'warn') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    service: 'ingestion',
    ...(level ? { level } : {}),
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, level name and ISO time', () => {
    const { logger, lines } = capture();

    logger.info({ deliveryId: 'd-1' }, 'delivery accepted');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'ingestion', level: 'info', msg: 'delivery accepted', deliveryId: 'd-1' });
    expect(lines[0]!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('redacts authorization headers, cookies, tokens and passwords', () => {
    const { logger, lines } = capture();

    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'session=abc', accept: 'application/json' } },
        token: 'eyJ.top.level',
        client: { password: 'geheim', user: 'kreis' },
        auth: { accessToken: 'at-123' },
      },
      'incoming',
    );

    const text = JSON.stringify(lines[0]);
    for (const secret of ['eyJhbGciOi.secret', 'session=abc', 'eyJ.top.level', 'geheim', 'at-123']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' } },
      token: '[redacted]',
      client: { password: '[redacted]', user: 'kreis' },
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('warn');

    logger.info('routine');
    logger.warn('unusual');

    expect(lines.map((l) => l.msg)).toEqual(['unusual']);
  });
});

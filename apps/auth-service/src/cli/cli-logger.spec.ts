import { CliLogger } from './cli-logger';

describe('CliLogger', () => {
  const written = { stdout: '', stderr: '' };
  let spies: jest.SpyInstance[] = [];

  beforeEach(() => {
    written.stdout = '';
    written.stderr = '';
    spies = (['stdout', 'stderr'] as const).map((stream) =>
      jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
        written[stream] += String(chunk);
        return true;
      }),
    );
  });

  afterEach(() => spies.forEach((spy) => spy.mockRestore()));

  it('writes warnings and errors to stderr as plain text, leaving stdout to the answer', () => {
    const logger = new CliLogger();
    logger.warn('KEYS_ENCRYPTION_SECRET is not set', 'KeysSecret');
    logger.error('it broke', undefined, 'Cli');
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain('KEYS_ENCRYPTION_SECRET is not set');
    expect(written.stderr).toContain('it broke');
    // eslint-disable-next-line no-control-regex
    expect(written.stderr).not.toMatch(/\u001b\[/);
  });

  it('drops informational lines', () => {
    const logger = new CliLogger();
    logger.log('Nest application successfully started', 'NestApplication');
    logger.debug('detail');
    expect(written.stdout + written.stderr).toBe('');
  });
});

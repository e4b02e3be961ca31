import { Logger } from '@nestjs/common';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@keycard/common';
import { composeMail } from './mail-layout';
import { DEFAULT_MAIL_FROM, loadMailSettings } from './mail-settings';
import { FileMailTransport } from './mail-transport';

describe('development mail (no SMTP_URL)', () => {
  it('writes each message as an .eml file only its owner can read, and logs its link at info', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keycard-mail-'));
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const transport = new FileMailTransport(dataDir, DEFAULT_MAIL_FROM);
    const link = 'http://localhost:3000/verify-email?token=abc';
    const mail = composeMail({
      to: 'dev@example.test',
      subject: 'Verify your email address',
      lines: ['Confirm that this address is yours.'],
      action: { label: 'Verify my address', url: link, expiresInSeconds: 86_400 },
      footer: [],
    });
    await transport.send({ id: 'm1', ...mail });
    transport.close();

    const files = readdirSync(join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-m1\.eml$/);
    const file = join(dataDir, 'mail', files[0]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'mail')).mode & 0o077).toBe(0);
    const eml = readFileSync(file, 'utf8');
    expect(eml).toContain('To: dev@example.test');
    expect(eml).toContain('From: Keycard <no-reply@localhost>');
    expect(eml).toContain('text/html');
    expect(log).toHaveBeenCalledWith(expect.stringContaining(`link: ${link}`));
    log.mockRestore();
  });
});

describe('mail settings', () => {
  it('default to the development outbox and the localhost sender', () => {
    expect(loadMailSettings({})).toEqual({
      smtpUrl: undefined,
      from: 'Keycard <no-reply@localhost>',
    });
    expect(loadMailSettings({ SMTP_URL: 'smtps://u:p@mail.example.com:465' }).smtpUrl).toBe(
      'smtps://u:p@mail.example.com:465',
    );
  });

  it.each([
    ['SMTP_URL', { SMTP_URL: 'http://mail.example.com' }],
    ['SMTP_URL', { SMTP_URL: 'not a url' }],
    ['MAIL_FROM', { MAIL_FROM: 'nobody' }],
    ['MAIL_FROM', { MAIL_FROM: 'a@b\r\nBcc: x@y' }],
  ])('refuse a bad %s at start-up', (name, env) => {
    expect(() => loadMailSettings(env)).toThrow(ConfigError);
    expect(() => loadMailSettings(env)).toThrow(name);
  });
});

import type { AddressInfo } from 'node:net';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPServer } from 'smtp-server';

/** A message the sink accepted, decoded enough for a test to read it and follow its links. */
export interface SinkMessage {
  from: string;
  to: string[];
  subject: string;
  /** The `text/plain` part, decoded. */
  text: string;
  /** The `text/html` part, decoded. */
  html: string;
  /** Every http(s) URL of the plain-text part, in order. */
  links: string[];
  /** The whole message as received. */
  raw: string;
  /** Header names lowercased, values unfolded and decoded. */
  headers: Record<string, string>;
}

/** Where the sink refuses a message, as a real server would: at `RCPT TO` or after `DATA`. */
export type SinkRefusalStage = 'rcpt' | 'data';

/** A real SMTP server (`smtp-server`) on a loopback port that keeps every message in memory. */
export interface SmtpSink {
  /** `smtp://test:test@127.0.0.1:<port>`, for `SMTP_URL`. */
  url: string;
  port: number;
  messages: SinkMessage[];
  /** The next `count` messages are refused with a temporary error (451) at `stage`. */
  refuseNext(count: number, stage?: SinkRefusalStage): void;
  /** Resolves with the first accepted message matching `predicate` (waits up to `timeoutMs`). */
  waitForMessage(
    predicate: (message: SinkMessage) => boolean,
    timeoutMs?: number,
  ): Promise<SinkMessage>;
  /** Messages accepted for `address` (compared lowercased). */
  messagesTo(address: string): SinkMessage[];
  /** How many deliveries were refused so far. */
  refusals(): number;
  close(): Promise<void>;
}

/**
 * Starts an SMTP sink: it accepts any login, offers no STARTTLS, and stores what it receives.
 * `refuseNext` makes it answer like a server that is failing, for retry tests. On `port` when
 * given (a server coming back where it was down), else on a free one.
 */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const waiters = new Set<() => void>();
  let toRefuse = 0;
  let refusalStage: SinkRefusalStage = 'rcpt';
  let refused = 0;

  const refuseNow = (stage: SinkRefusalStage): Error | null => {
    if (toRefuse === 0 || refusalStage !== stage) return null;
    toRefuse -= 1;
    refused += 1;
    return Object.assign(new Error('Test sink: temporarily refusing mail'), { responseCode: 451 });
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'test' }),
    onRcptTo: (_address, _session, callback) => callback(refuseNow('rcpt') ?? undefined),
    onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const refusal = refuseNow('data');
        if (refusal) {
          callback(refusal);
          return;
        }
        messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), session));
        for (const wake of waiters) wake();
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined); // a client dropping its connection is not a test failure
  const bound = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;

  return {
    url: `smtp://test:test@127.0.0.1:${bound}`,
    port: bound,
    messages,
    refuseNext(count, stage = 'rcpt') {
      toRefuse = count;
      refusalStage = stage;
    },
    refusals: () => refused,
    messagesTo: (address) =>
      messages.filter((message) => message.to.includes(address.toLowerCase())),
    waitForMessage(predicate, timeoutMs = 10_000) {
      return new Promise<SinkMessage>((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`No matching mail within ${timeoutMs} ms (${messages.length} received)`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseMessage(raw: string, session: SMTPServerSession): SinkMessage {
  const { headers, body } = splitHeaders(raw);
  const parts = leafParts(headers, body);
  const text = parts.find((part) => part.type === 'text/plain')?.body ?? '';
  const html = parts.find((part) => part.type === 'text/html')?.body ?? '';
  return {
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
    subject: headers['subject'] ?? '',
    text,
    html,
    links: text.match(/https?:\/\/[^\s<>"]+/g) ?? [],
    raw,
    headers,
  };
}

interface Part {
  type: string;
  body: string;
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const normalised = raw.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? '' : normalised.slice(end + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(
        line.slice(colon + 1).trim(),
      );
    }
  }
  return { headers, body };
}

function leafParts(headers: Record<string, string>, body: string): Part[] {
  const contentType = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (contentType.toLowerCase().startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => {
        const part = splitHeaders(chunk.replace(/^\n/, ''));
        return leafParts(part.headers, part.body);
      });
  }
  const type = contentType.split(';')[0].trim().toLowerCase();
  return [{ type, body: decodeBody(body, headers['content-transfer-encoding']) }];
}

function decodeBody(body: string, encoding = '7bit'): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const input = Buffer.from(text.replace(/=\n/g, ''), 'utf8');
  for (let i = 0; i < input.length; i += 1) {
    const hex = input[i] === 0x3d ? input.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(input[i]);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?[^?]+\?([QB])\?([^?]*)\?=/gi, (_match, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

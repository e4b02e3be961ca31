import type { INestApplicationContext } from '@nestjs/common';
import type { ClientType } from './client-registration';
import { CLIENT_TYPES } from './client-registration';
import type { NewClient, RegisteredClient } from './clients.service';
import { ClientsService } from './clients.service';

export const CREATE_CLIENT_USAGE = [
  '  create-client <name> [--scopes "scope scope…"] [--type service|web|spa|native]',
  '                [--redirect-uri URL]… [--post-logout-redirect-uri URL]… [--first-party]',
  '                [--backchannel-logout-uri URL]       register a client (prints a secret once)',
].join('\n');

type Flag = (client: NewClient, value: string) => boolean;

/** The flags that take a value; each one sets (or adds to) one registration field. */
const VALUE_FLAGS: Record<string, Flag> = {
  '--scopes': (client, value) => {
    client.scopes = value.split(/\s+/).filter(Boolean);
    return true;
  },
  '--type': (client, value) => {
    if (!(CLIENT_TYPES as readonly string[]).includes(value)) return false;
    client.type = value as ClientType;
    return true;
  },
  '--redirect-uri': (client, value) => {
    client.redirectUris = [...(client.redirectUris ?? []), value];
    return true;
  },
  '--post-logout-redirect-uri': (client, value) => {
    client.postLogoutRedirectUris = [...(client.postLogoutRedirectUris ?? []), value];
    return true;
  },
  '--backchannel-logout-uri': (client, value) => {
    client.backchannelLogoutUri = value;
    return true;
  },
};

/** `<name>` and the flags above (`--flag value` or `--flag=value`); undefined on anything else. */
export function parseCreateClient(args: string[]): NewClient | undefined {
  const client: NewClient = { name: '', scopes: [] };
  let named = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') ? splitFlag(arg) : [undefined, undefined];
    if (flag === '--first-party' && inline === undefined) {
      client.firstParty = true;
    } else if (flag !== undefined) {
      const apply = VALUE_FLAGS[flag];
      const value = inline ?? args[++i];
      if (apply === undefined || value === undefined || !apply(client, value)) return undefined;
    } else if (named) {
      return undefined;
    } else {
      client.name = arg;
      named = true;
    }
  }
  return named ? client : undefined;
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** Registers the client and describes it; the secret line only for clients that have one. */
export async function createClientCommand(
  app: INestApplicationContext,
  input: NewClient,
): Promise<string> {
  const created: RegisteredClient = await app.get(ClientsService).register(input);
  const lines = [`client_id: ${created.clientId}`];
  if (created.clientSecret !== undefined) lines.push(`client_secret: ${created.clientSecret}`);
  if (created.type !== undefined) lines.push(`type: ${created.type}`);
  lines.push(`scopes: ${created.scopes.join(' ') || '(none)'}`);
  for (const uri of created.redirectUris ?? []) lines.push(`redirect_uri: ${uri}`);
  if (created.clientSecret !== undefined) {
    lines.push('The secret is shown only now: store it in a secret manager.');
  }
  return `${lines.join('\n')}\n`;
}

/** `application/x-www-form-urlencoded` encoding of one value (what RFC 6749 §2.3.1 asks for). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** `Basic …` client authentication (RFC 6749 §2.3.1 `client_secret_basic`). */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const credentials = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

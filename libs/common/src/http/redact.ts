/** What replaces a credential in logs and in what users see. */
export const REDACTED = '[REDACTED]';

const CREDENTIAL_NAMES = new Set([
  'apikey',
  'api_key',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'authorization',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'jwt',
  'session',
  'credential',
  'credentials',
]);
const CREDENTIAL_SUFFIX = /_(?:key|token|secret|password|passwd|signature|jwt)$/;

/**
 * Whether a query parameter (or field) name looks like it carries a credential: `api_key`,
 * `apiKey`, `X-Api-Key`, `access_token`, `client_secret`, `openai_api_key`, `token[0]`, ….
 * Redacting a harmless parameter by mistake costs nothing; logging a key costs the key.
 */
export function isCredentialName(name: string): boolean {
  const base = name.split('[')[0];
  const normal = base
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/-/g, '_')
    .replace(/^x_/, '');
  return CREDENTIAL_NAMES.has(normal) || CREDENTIAL_SUFFIX.test(normal);
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A URL (absolute or a request path with its query) safe to log: the values of credential-like
 * query parameters and any user:password before the host are replaced by `[REDACTED]`. Works on
 * the text, so the rest of the URL stays exactly as received.
 */
export function redactUrl(url: string): string {
  const withoutUserInfo = url.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i,
    (_match, scheme: string) => `${scheme}${REDACTED}@`,
  );
  const q = withoutUserInfo.indexOf('?');
  if (q < 0) return withoutUserInfo;
  const hash = withoutUserInfo.indexOf('#', q);
  const end = hash < 0 ? withoutUserInfo.length : hash;
  const query = withoutUserInfo
    .slice(q + 1, end)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return eq >= 0 && isCredentialName(decodeName(name)) ? `${name}=${REDACTED}` : part;
    })
    .join('&');
  return `${withoutUserInfo.slice(0, q + 1)}${query}${withoutUserInfo.slice(end)}`;
}

/** A parsed query (or any flat record) with credential-like entries replaced by `[REDACTED]`. */
export function redactQuery<T extends Record<string, unknown>>(query: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    out[name] = isCredentialName(name) ? REDACTED : value;
  }
  return out as T;
}

/** Free text (an error message, say) with every http(s) URL in it passed through redactUrl. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>`]+/gi, (url) => redactUrl(url));
}

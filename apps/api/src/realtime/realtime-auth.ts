import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { DomainError, type ErrorCode } from '@ps/common';
import type { ApiConfig } from '@ps/config';

/** Credentials of a realtime handshake, in the HTTP header form the Authenticator reads. */
export interface HandshakeCredentials {
  apiKey?: string;
  /** A JWT or an API key, with or without the `Bearer ` prefix. */
  token?: string;
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * A request-like object for Authenticator.authenticate, which only calls `header(name)`:
 * headers win over the handshake's own credentials (Socket.IO `auth`, WebSocket query string).
 */
export function credentialsRequest(
  headers: IncomingHttpHeaders,
  extra: HandshakeCredentials,
): Request {
  const token = nonEmpty(extra.token);
  const values: Record<string, string | undefined> = {
    'x-api-key': firstHeader(headers, 'x-api-key') ?? nonEmpty(extra.apiKey),
    authorization:
      firstHeader(headers, 'authorization') ??
      (token === undefined ? undefined : /^Bearer\s/i.test(token) ? token : `Bearer ${token}`),
  };
  const request = { header: (name: string) => values[name.toLowerCase()] };
  // The Authenticator is typed for Express requests but reads nothing beyond header().
  return request as unknown as Request;
}

/** Why a handshake was refused, safe to show the client. */
export function refusalOf(err: unknown): { code: ErrorCode; detail: string } {
  if (err instanceof DomainError) return { code: err.code, detail: err.message };
  return { code: 'internal_error', detail: 'Could not authenticate the connection.' };
}

/** Origins allowed to open realtime connections from a browser besides the API's own. */
export function allowedOrigins(config: ApiConfig): string[] {
  const origins = (config.env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (config.env.PUBLIC_URL) {
    try {
      origins.push(new URL(config.env.PUBLIC_URL).origin);
    } catch {
      // PUBLIC_URL is validated elsewhere; an unparsable one adds nothing here.
    }
  }
  return origins;
}

/**
 * WebSockets are not subject to CORS, so a web page could otherwise open one to a local API
 * (AUTH_MODE=none needs no credentials). Browsers always send Origin; other clients usually do
 * not, and are let through.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: readonly string[]): boolean {
  const origin = firstHeader(headers, 'origin');
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === firstHeader(headers, 'host');
  } catch {
    return false;
  }
}

// @ts-check
// The HTTP API (docs/API.md). The session is the HttpOnly cookie the server sets at
// login: this module never sees or stores a token. Errors read in the console's
// language (i18n.js `errorText`).

import { t, errorText } from './i18n.js';

/** An error answer from the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const said = body && body.message;
    super(said || !status ? errorText(body && body.code, said || t('api.unreachable')) : t('api.status', { status }));
    /** The server's own words (English), for telling answers apart. */
    this.serverMessage = said || '';
    this.status = status;
    this.code = body && body.code;
    this.kind = body && body.error;
    this.retryAfter = retryAfter ? Number(retryAfter) : null;
  }

  /** True when the endpoint itself does not exist (yet) on this server. */
  get missing() {
    return this.status === 404 && (this.serverMessage === 'no such page' || !this.code);
  }
}

async function request(method, path, body) {
  /** @type {RequestInit & { headers: Record<string, string> }} */
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  // Every change says it is JSON (DELETE too): the server refuses cookie-authenticated
  // changes without it, which is what stops cross-site forms (CSRF).
  if (method !== 'GET') init.headers['content-type'] = 'application/json';
  if (body !== undefined) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('retry-after'));
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body = {}) => request('POST', path, body),
  put: (path, body) => request('PUT', path, body),
  patch: (path, body) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
};

/** Runs an API call; a missing endpoint (404 "no such page") resolves to `fallback`. */
export async function optional(promise, fallback) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof ApiError && e.missing) return fallback;
    throw e;
  }
}

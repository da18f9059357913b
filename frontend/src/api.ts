// The API client: JSON in and out, the session cookie, the CSRF token on writes, and the one
// error envelope of every non-2xx answer turned into an ApiError that knows its field messages.

export class ApiError extends Error {
  status: number;
  code: string;
  fields: Record<string, string>;
  details: Record<string, unknown>;
  requestId: string;
  retryAfter: number;

  constructor(status: number, body: any, retryAfter = 0) {
    const e = body?.error ?? {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'http_' + status);
    this.fields = e.fields || {};
    this.details = e.details || {};
    this.requestId = e.request_id || '';
    this.retryAfter = retryAfter;
  }
}

let csrfToken = '';
const unauthListeners = new Set<() => void>();

export function setCSRF(token: string | undefined) {
  csrfToken = token || '';
}

export function csrf(): string {
  return csrfToken;
}

/** upload sends a file to POST …/media with progress reports (fetch cannot report upload progress). */
export function upload<T>(path: string, file: File, onProgress?: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.responseType = 'json';
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response as T);
      else {
        if (xhr.status === 401) unauthListeners.forEach((fn) => fn());
        reject(new ApiError(xhr.status, xhr.response, Number(xhr.getResponseHeader('Retry-After') || 0)));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, { error: { code: 'network', message: 'The upload did not reach the server.' } }));
    const fd = new FormData();
    fd.append('file', file);
    xhr.send(fd);
  });
}

/** onUnauthenticated is told when the session ended (a 401), so the app shows sign-in. */
export function onUnauthenticated(fn: () => void): () => void {
  unauthListeners.add(fn);
  return () => unauthListeners.delete(fn);
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Do not tell the app about a 401 (sign-in itself, the first /me). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, { error: { code: 'network', message: 'The server could not be reached. Check your connection and try again.' } });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: any = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data, Number(res.headers.get('Retry-After') || 0));
    if (res.status === 401 && !opts.quiet401) unauthListeners.forEach((fn) => fn());
    throw err;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};

/** ws builds a workspace path: ws(1, '/posts') → /api/v1/workspaces/1/posts. */
export function ws(id: number, rest = ''): string {
  return `/api/v1/workspaces/${id}${rest}`;
}

/** query encodes parameters, leaving out empty values; arrays become comma-separated lists. */
export function query(params: Record<string, string | number | boolean | undefined | null | (string | number)[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** fieldError finds the message for a field, also matching nested names (targets[0].text). */
export function fieldError(err: unknown, name: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  return err.fields[name];
}

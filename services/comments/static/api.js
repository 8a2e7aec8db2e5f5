// The page's only way to the service: the token from sessionStorage, the one error shape.
const TOKEN_KEY = "akhbar.moderatorToken";
const base = new URL(".", window.location.href); // works at / and behind the gateway's /api/

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message_ar || error.message || String(status));
    this.status = status;
    this.code = error.code;
    this.fields = error.fields || {};
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) { onUnauthorized = callback; }

export async function api(path, { method = "GET", body, params } = {}) {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const response = await fetch(url, {
    method,
    headers: {
      "Authorization": `Bearer ${token()}`, "Accept-Language": "ar",
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

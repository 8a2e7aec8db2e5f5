// Small helpers shared by the pages: DOM building (text only, never HTML), the API client,
// dates and links. Everything the API returns is inserted as text.

export const API = "/api";

/** h("a", {href, class}, "text", child...) -> element; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export class ApiError extends Error {
  constructor(status, body, headers) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || "http_error";
    this.messageAr = err.message_ar || arabicFallback(status);
    this.fields = err.fields || {};
    this.retryAfter = headers ? Number(headers.get("Retry-After")) || null : null;
  }
}

function arabicFallback(status) {
  if (status === 0) return "تعذّر الاتصال بالخادم. تحقّق من الاتصال وحاول مجدداً.";
  if (status === 404) return "غير موجود.";
  if (status >= 500) return "حدث خطأ من جانبنا. حاول بعد قليل.";
  return "تعذّر إتمام الطلب.";
}

/**
 * GET or POST JSON through the gateway; resolves to the body, rejects with ApiError.
 * `fresh`: revalidate with the API (ETag, 304) instead of reusing a cached copy (max-age).
 */
export async function api(path, { method = "GET", body, params, fresh = false } = {}) {
  const url = new URL(API + path, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, value);
  }
  const init = { method, headers: { Accept: "application/json" } };
  if (fresh) init.cache = "no-cache";
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, null, null);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers);
  return data;
}

const dateFormat = new Intl.DateTimeFormat("ar", {
  dateStyle: "long",
  numberingSystem: "latn",
  timeZone: "UTC",
});

export function formatDate(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : dateFormat.format(date);
}

export function timeEl(iso, className = "date") {
  const text = formatDate(iso);
  return text ? h("time", { class: className, datetime: iso }, text) : null;
}

export const links = {
  article: (item) => `/article/${encodeURIComponent(item.slug || item.id || item.article_id)}`,
  category: (slug) => `/category/${encodeURIComponent(slug)}`,
  tag: (tag) => `/tag/${encodeURIComponent(tag)}`,
  search: (q) => `/search?q=${encodeURIComponent(q)}`,
};

/** An image URL the page may load: http(s) or a site-relative path, nothing else. */
export function safeImageSrc(src) {
  if (typeof src !== "string" || !src) return null;
  if (src.startsWith("/") && !src.startsWith("//")) return src;
  try {
    const url = new URL(src);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** <figure> for {src, caption, credit, alt}; null when there is no usable image. */
export function figure(image, className = "figure") {
  const src = image && safeImageSrc(image.src);
  if (!src) return null;
  const img = h("img", { src, alt: image.alt || image.caption || "", loading: "lazy" });
  const caption = [image.caption, image.credit ? `(${image.credit})` : null].filter(Boolean);
  return h(
    "figure",
    { class: className },
    img,
    caption.length ? h("figcaption", {}, caption.join(" ")) : null,
  );
}

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), "أخبار"].join(" | ");
}

export function render(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter(Boolean));
  return main;
}

export function errorBox(err, what = "تعذّر تحميل الصفحة.") {
  const message = err instanceof ApiError ? err.messageAr : what;
  return h("div", { class: "notice error", role: "alert" }, message);
}

// One queue item as DOM: every user-written string (name, body, title, reasons) as text.
import { STATUS, detailText, el, num, plural, reasonLabel, when } from "./format.js";

const ACTIONS = ["approve", "reject", "spam", "restore"];
const TARGET = { approve: "approved", reject: "rejected", spam: "spam" };

/** The transitions valid from a status (mirrors the service's rules, which also say it). */
export function validActions(status, previous) {
  return ACTIONS.filter((action) => (action === "restore"
    ? Boolean(previous) && previous !== status
    : TARGET[action] !== status));
}

function safeHref(url) {
  try {
    const parsed = new URL(url, window.location.origin);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch { return null; }
}

function historyText(counts) {
  const parts = Object.entries(counts || {}).map(([s, n]) => `${STATUS[s] || s}: ${num(n)}`);
  return parts.length ? `سجل الكاتب — ${parts.join("، ")}` : "";
}

function fillArticle(node, item) {
  const link = node.querySelector(".title");
  const article = item.article || { id: item.article_id };
  link.textContent = article.title || article.id;
  const href = article.url && safeHref(article.url);
  if (href) link.href = href; else link.removeAttribute("href");
  if (article.deleted) link.after(el("span", " (محذوف)", "hint"));
  if (item.parent_id) node.querySelector(".article").append(el("span", " — ردّ على تعليق", "hint"));
  node.querySelector(".only-article").dataset.article = item.article_id;
}

function fillReasons(node, item) {
  const list = node.querySelector(".reasons");
  for (const code of item.reasons) {
    const li = el("li", reasonLabel(code));
    li.title = code;
    list.append(li);
  }
  if (item.moderation_reason) list.append(el("li", `سبب المشرف: ${reasonLabel(item.moderation_reason)}`));
  for (const [key, value] of Object.entries(item.details || {})) list.append(el("li", detailText(key, value)));
}

function fillReports(node, item) {
  if (!item.report_count) return;
  const box = node.querySelector(".reports");
  box.hidden = false;
  const readers = item.report_reasons.reduce((sum, r) => sum + r.count, 0) || item.report_count;
  node.querySelector(".reports-count").textContent =
    `${plural("report", item.report_count)} من ${plural("reader", readers)}`;
  const list = node.querySelector(".report-reasons");
  for (const { reason, count } of item.report_reasons) {
    const li = el("li");
    li.append(el("span", reason || "بلا سبب مذكور", "report-reason"), ` — ${plural("reader", count)}`);
    li.querySelector(".report-reason").dir = "auto";
    list.append(li);
  }
}

export function showActions(node, actions) {
  for (const button of node.querySelectorAll(".actions [data-action]")) {
    const action = button.dataset.action;
    if (ACTIONS.includes(action)) button.hidden = !actions.includes(action);
  }
}

export function render(item) {
  const node = document.querySelector("#item-template").content.firstElementChild.cloneNode(true);
  node.dataset.id = item.id;
  node.dataset.version = String(item.version);
  node.dataset.status = item.status;
  node.querySelector(".pick").value = item.id;
  node.querySelector(".name").textContent = item.author_name;
  node.querySelector(".email").textContent = item.author_email;
  node.querySelector(".banned").hidden = !item.author_banned;
  node.querySelector(".history").textContent = historyText(item.author_history);
  const time = node.querySelector(".when");
  time.dateTime = item.created_at;
  time.textContent = when(item.created_at);
  fillArticle(node, item);
  fillReasons(node, item);
  fillReports(node, item);
  node.querySelector(".body").textContent = item.body;
  showActions(node, item.actions || validActions(item.status, item.previous_status));
  return node;
}

export function auditLine(record) {
  const reason = record.reason ? ` (${reasonLabel(record.reason)})` : "";
  return el("li", `${when(record.at)} — ${record.actor}: ${STATUS[record.from_status] || record.from_status}`
    + ` ← ${STATUS[record.to_status] || record.to_status}${reason}`);
}

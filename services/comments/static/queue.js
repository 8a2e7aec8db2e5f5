// The queue view: tabs with counts, search, the list, actions with undo, changes applied.
import { api } from "./api.js";
import { askBan, askRejectReason } from "./dialogs.js";
import { REASONS, REJECT, STATUS, num, plural } from "./format.js";
import { auditLine, render, showActions, validActions } from "./items.js";
import * as live from "./live.js";

const $ = (sel) => document.querySelector(sel);
const UNDO_MS = 8000;
const state = {
  status: "pending", cursor: null, filters: {}, current: null, undo: null, undoTimer: null,
  unseen: 0,
};
let say = () => {};

const items = () => [...document.querySelectorAll("#queue .item")];

function localMidnight(value, plusDays = 0) {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

function readFilters() {
  const form = $("#filters").elements;
  const filters = {
    q: form.q.value.trim(), author: form.author.value.trim(), email: form.email.value.trim(),
    article_id: form.article_id.value.trim(), reason: form.reason.value, sort: form.sort.value,
    since: form.since.value ? localMidnight(form.since.value) : "",
    until: form.until.value ? localMidnight(form.until.value, 1) : "",
  };
  const active = Object.entries(filters).filter(([k, v]) => v && !(k === "sort" && v === "oldest"));
  $("#filters-active").hidden = !active.length;
  $("#filters-active").textContent = num(active.length);
  return filters;
}

function setCounts(counts) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const n = counts[tab.dataset.status] ?? 0;
    const badge = tab.querySelector(".count");
    badge.textContent = num(n);
    badge.title = plural("comment", n);
    tab.setAttribute("aria-label", `${STATUS[tab.dataset.status]}: ${plural("comment", n)}`);
  }
}

export async function refreshCounts() { setCounts(await api("moderation/counts")); }

function summary() {
  const shown = handling().length;
  $("#summary").textContent = `${plural("comment", shown)} — ${STATUS[state.status]}`
    + (state.cursor ? " (والمزيد)" : "");
  $("#empty").hidden = items().length > 0;
}

function updateSelection() {
  $("#selected-count").textContent = plural("selected", picked().length);
}

function picked() { return [...document.querySelectorAll("#queue .pick:checked")].map((c) => c.value); }

export function setCurrent(node, scroll = true) {
  if (state.current) state.current.classList.remove("current");
  state.current = node || null;
  if (!node) return;
  node.classList.add("current");
  node.setAttribute("aria-current", "true");
  if (scroll) node.scrollIntoView({ block: "nearest" });
  node.focus({ preventScroll: true });
}

const actionable = (n) => !n.classList.contains("done") && !n.classList.contains("gone");
const handling = () => items().filter(actionable);

/** The next (step 1) or previous (-1) comment still to handle, from the current one. */
export function move(step) {
  const all = items();
  const at = all.indexOf(state.current);
  const from = at < 0 ? (step > 0 ? -1 : all.length) : at;
  for (let i = from + step; i >= 0 && i < all.length; i += step) {
    if (actionable(all[i])) { setCurrent(all[i]); return; }
  }
  if (state.current && !actionable(state.current)) {
    for (let i = from - step; i >= 0 && i < all.length; i -= step) {
      if (actionable(all[i])) { setCurrent(all[i]); return; }
    }
  }
}

export async function load(reset = true) {
  if (reset) {
    state.cursor = null; state.current = null; state.unseen = 0;
    $("#queue").replaceChildren(); $("#new-banner").hidden = true; $("#select-all").checked = false;
    state.filters = readFilters();
  }
  try {
    const page = await api("moderation/queue", {
      params: { status: state.status, limit: 20, cursor: state.cursor, ...state.filters },
    });
    for (const item of page.items) $("#queue").append(render(item));
    state.cursor = page.next_cursor;
    $("#more").hidden = !page.next_cursor;
    summary(); updateSelection();
    if (reset) {
      setCounts((await live.restart(view)).counts);
      if (!state.current) move(1);
    }
  } catch (err) { say(`تعذّر التحميل: ${err.message}`, true); }
}

function markDone(node, status, text) {
  node.classList.add("done");
  node.dataset.status = status;
  node.querySelector(".gone").hidden = false;
  node.querySelector(".gone").textContent = text;
  node.querySelector(".pick").checked = false;
}

function clearDone(node, status) {
  node.classList.remove("done");
  node.dataset.status = status;
  node.querySelector(".gone").hidden = true;
}

/** Offer to undo the last action: entries are [{node, status}] (one, or a bulk action's). */
function offerUndo(entries, label) {
  clearTimeout(state.undoTimer);
  state.undo = entries;
  $("#toast-text").textContent = label;
  $("#toast").hidden = false;
  state.undoTimer = setTimeout(() => { state.undo = null; $("#toast").hidden = true; }, UNDO_MS);
}

async function restore({ node, status }) {
  const result = await api(`moderation/comments/${encodeURIComponent(node.dataset.id)}/restore`,
    { method: "POST", body: { expected_status: status } });
  clearDone(node, result.status);
  showActions(node, validActions(result.status, status));
  node.dataset.version = String(Number(node.dataset.version) + 1);
  return node;
}

export async function undo() {
  const last = state.undo;
  if (!last) { say("لا شيء للتراجع عنه.", true); return; }
  state.undo = null; clearTimeout(state.undoTimer); $("#toast").hidden = true;
  const done = await Promise.allSettled(last.map(restore));
  const failed = done.filter((d) => d.status === "rejected");
  const first = done.find((d) => d.status === "fulfilled");
  if (first) setCurrent(first.value);
  if (failed.length) say(`تعذّر التراجع عن ${plural("comment", failed.length)}: ${failed[0].reason.message}`, true);
  else say(`تراجعت عن ${plural("comment", last.length)}.`);
  refreshCounts(); summary();
}

async function toggleHistory(node) {
  const list = node.querySelector(".audit");
  if (!list.hidden) { list.hidden = true; return; }
  const trail = await api(`moderation/comments/${encodeURIComponent(node.dataset.id)}/history`);
  list.replaceChildren(...trail.items.map(auditLine));
  list.hidden = false;
}

async function banAuthor(node) {
  const answer = await askBan(node.querySelector(".email").textContent);
  if (!answer) return;
  await api("moderation/bans", { method: "POST", body: { comment_id: node.dataset.id, ...answer } });
  for (const other of items()) {
    if (other.querySelector(".email").textContent === node.querySelector(".email").textContent) {
      other.querySelector(".banned").hidden = false;
    }
  }
  say("حُظر الكاتب.");
}

export async function act(node, action) {
  if (!node || node.classList.contains("done") || node.classList.contains("gone")) return;
  try {
    if (action === "history") { await toggleHistory(node); return; }
    if (action === "ban") { await banAuthor(node); return; }
    const button = node.querySelector(`.actions [data-action="${action}"]`);
    if (!button || button.hidden) { say("هذا الإجراء غير متاح لهذا التعليق.", true); return; }
    const body = { expected_status: node.dataset.status };
    if (action === "reject") {
      body.reason = await askRejectReason();
      if (!body.reason) return;
    }
    const from = node.dataset.status;
    const result = await api(`moderation/comments/${encodeURIComponent(node.dataset.id)}/${action}`,
      { method: "POST", body });
    node.dataset.version = String(Number(node.dataset.version) + 1);
    const label = `صار التعليق «${STATUS[result.status] || result.status}»`;
    markDone(node, result.status, label);
    offerUndo([{ node, status: result.status }], label);
    say(label);
    if (state.current === node) move(1);
    if (from !== result.status) refreshCounts();
    summary(); updateSelection();
  } catch (err) { say(`تعذّر الإجراء: ${err.message}`, true); }
}

async function bulk(action) {
  const ids = picked();
  if (!ids.length) { say("لم تحدد أي تعليق.", true); return; }
  const payload = { ids, action };
  if (action === "reject") {
    payload.reason = await askRejectReason();
    if (!payload.reason) return;
  }
  try {
    const out = await api("moderation/comments/bulk", { method: "POST", body: payload });
    const failed = out.results.filter((r) => !r.ok).length;
    const entries = [];
    for (const r of out.results.filter((x) => x.ok)) {
      const node = document.querySelector(`#queue .item[data-id="${CSS.escape(r.id)}"]`);
      if (!node) continue;
      markDone(node, r.status, `صار التعليق «${STATUS[r.status] || r.status}»`);
      node.dataset.version = String(Number(node.dataset.version) + 1);
      entries.push({ node, status: r.status });
    }
    if (entries.length) offerUndo(entries, `نُفّذ على ${plural("comment", entries.length)}`);
    say(`نُفّذ على ${plural("comment", out.results.length - failed)}`
      + (failed ? `، وتعذّر على ${plural("comment", failed)}` : ""), failed > 0);
    refreshCounts(); summary(); updateSelection();
  } catch (err) { say(`تعذّر الإجراء: ${err.message}`, true); }
}

export function toggleSelected(node) {
  if (!node) return;
  const box = node.querySelector(".pick");
  box.checked = !box.checked;
  updateSelection();
}

// --- live changes ---------------------------------------------------------------------------

const view = () => ({ status: state.status, ...state.filters });

function applyChanges(out) {
  const byId = new Map(items().map((n) => [n.dataset.id, n]));
  for (const change of out.changed) {
    const node = byId.get(change.id);
    if (!node || Number(node.dataset.version) >= change.version) continue;
    node.dataset.version = String(change.version);
    if (change.status !== node.dataset.status && !node.classList.contains("done")) {
      node.classList.add("gone");
      const gone = node.querySelector(".gone");
      gone.hidden = false;
      gone.textContent = `تغيّرت حالته في مكان آخر إلى «${STATUS[change.status] || change.status}»`;
      if (state.current === node) move(1);
    }
  }
  const fresh = out.items.filter((item) => !byId.has(item.id));
  const appendable = state.filters.sort !== "newest" && !state.cursor;
  for (const item of fresh) {
    if (!appendable) { state.unseen += 1; continue; }
    const node = render(item);
    node.classList.add("is-new");
    node.querySelector(".new").hidden = false;
    $("#queue").append(node); // at the end: nothing above moves
    state.unseen += 1;
  }
  if (state.unseen) {
    const banner = $("#new-banner");
    banner.hidden = false;
    banner.textContent = `${plural("newComment", state.unseen)} — ${appendable ? "انتقل إليها" : "اعرضها"}`;
    banner.dataset.mode = appendable ? "scroll" : "reload";
  }
  if (out.more) { $("#new-banner").hidden = false; $("#new-banner").dataset.mode = "reload"; }
  summary();
}

function onChanges(out) {
  setCounts(out.counts);
  applyChanges(out);
}

export const setActive = (active) => live.setActive(active);

export function current() { return state.current; }

function fillReasonFilter() {
  const select = $("#reason-filter");
  for (const [code, label] of Object.entries(REASONS)) select.append(new Option(label, code));
  for (const [code, label] of REJECT) {
    if (!REASONS[code]) select.append(new Option(`رفض: ${label}`, code));
  }
}

export function setup(reporter) {
  say = reporter;
  fillReasonFilter();
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => {
      document.querySelectorAll("[role=tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
      state.status = tab.dataset.status;
      load();
    });
  }
  $("#filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("#filters").addEventListener("reset", () => setTimeout(() => load(), 0));
  $("#more").addEventListener("click", () => load(false));
  $("#new-banner").addEventListener("click", () => {
    const first = document.querySelector("#queue .is-new");
    if ($("#new-banner").dataset.mode === "scroll" && first) {
      setCurrent(first); state.unseen = 0; $("#new-banner").hidden = true;
    } else load();
  });
  $("#select-all").addEventListener("change", (event) => {
    handling().forEach((n) => { n.querySelector(".pick").checked = event.target.checked; });
    updateSelection();
  });
  $("#queue").addEventListener("change", updateSelection);
  $("#queue").addEventListener("click", (event) => {
    const node = event.target.closest(".item");
    const only = event.target.closest(".only-article");
    if (only) {
      $("#filters").elements.article_id.value = only.dataset.article;
      $("#filters-box").open = true;
      load();
      return;
    }
    const button = event.target.closest("[data-action]");
    if (button) { setCurrent(node, false); act(node, button.dataset.action); }
  });
  for (const button of document.querySelectorAll("[data-bulk]")) {
    button.addEventListener("click", () => bulk(button.dataset.bulk));
  }
  $("#undo").addEventListener("click", undo);
  live.setup(onChanges, (err) => say(`تعذّر التحديث التلقائي: ${err.message}`, true));
}

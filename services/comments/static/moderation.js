// The moderators' page: vanilla JS over the same HTTP API (no dependencies, no CDN).
"use strict";

(() => {
  const TOKEN_KEY = "akhbar.moderatorToken";
  const base = new URL(".", window.location.href); // works at / and behind the gateway's /api/
  const $ = (sel) => document.querySelector(sel);

  const REASONS = {
    honeypot: "حقل الفخ ممتلئ", banned_author: "كاتب محظور", banned_word: "كلمة محظورة",
    suspect_word: "كلمة مشبوهة", too_many_links: "روابط كثيرة", premoderation: "إشراف مسبق للموقع",
    article_premoderation: "إشراف مسبق للمقال", trusted_author: "كاتب موثوق",
    default_policy: "سياسة الموقع", reader_reports: "بلاغات القراء",
  };
  const STATUS = {
    pending: "بانتظار المراجعة", approved: "منشور", spam: "مزعج", rejected: "مرفوض",
    reported: "مُبلَّغ عنه", new: "جديد",
  };
  const REJECT = [
    ["abusive", "مسيء"], ["off_topic", "خارج الموضوع"], ["spam_like", "دعائي"],
    ["personal_data", "بيانات شخصية"], ["illegal", "مخالف للقانون"],
    ["duplicate", "مكرر"], ["other", "سبب آخر"],
  ];
  const when = new Intl.DateTimeFormat("ar", { dateStyle: "medium", timeStyle: "short" });

  const state = { status: "pending", cursor: null };

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function say(text, isError = false) {
    const el = $("#status");
    el.textContent = text;
    el.classList.toggle("error", isError);
  }

  async function api(path, options = {}) {
    const response = await fetch(new URL(path, base), {
      ...options,
      headers: { "Authorization": `Bearer ${token()}`, "Accept-Language": "ar",
        ...(options.body ? { "Content-Type": "application/json" } : {}) },
    });
    if (response.status === 401) { logout("الرمز غير صالح أو منتهٍ."); throw new Error("401"); }
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      const message = (data && data.error && (data.error.message_ar || data.error.message)) || response.status;
      throw new Error(String(message));
    }
    return data;
  }

  function showLogin(message) {
    $("#login").hidden = false; $("#app").hidden = true; $("#logout").hidden = true;
    if (message) say(message, true);
    $("#token").focus();
  }

  function logout(message) { sessionStorage.removeItem(TOKEN_KEY); showLogin(message); }

  function historyText(counts) {
    const parts = Object.entries(counts || {}).map(([s, n]) => `${STATUS[s] || s}: ${n}`);
    return parts.length ? `(${parts.join("، ")})` : "";
  }

  function render(item) {
    const node = $("#item-template").content.firstElementChild.cloneNode(true);
    node.dataset.id = item.id;
    node.querySelector(".pick").value = item.id;
    node.querySelector(".name").textContent = item.author_name;
    node.querySelector(".email").textContent = item.author_email;
    node.querySelector(".history").textContent = historyText(item.author_history);
    const time = node.querySelector(".when");
    time.dateTime = item.created_at;
    time.textContent = when.format(new Date(item.created_at));
    node.querySelector(".article").textContent =
      `المقال: ${item.article_id}` + (item.parent_id ? ` — رد على ${item.parent_id}` : "") +
      (item.report_count ? ` — بلاغات: ${item.report_count}` : "");
    const reasons = node.querySelector(".reasons");
    for (const code of item.reasons) {
      const li = document.createElement("li");
      li.textContent = REASONS[code] || code;
      li.title = code;
      reasons.append(li);
    }
    for (const [key, value] of Object.entries(item.details || {})) {
      const li = document.createElement("li");
      const label = { links: "عدد الروابط", banned_words: "محظورة", suspect_words: "مشبوهة" }[key] || key;
      li.textContent = `${label}: ${Array.isArray(value) ? value.join("، ") : value}`;
      reasons.append(li);
    }
    node.querySelector(".body").textContent = item.body;
    const select = node.querySelector(".reason");
    for (const [value, label] of REJECT) select.append(new Option(label, value));
    return node;
  }

  async function load(reset = true) {
    if (reset) { state.cursor = null; $("#queue").replaceChildren(); }
    const params = new URLSearchParams({ status: state.status, limit: "20" });
    const article = $("#article").value.trim();
    if (article) params.set("article_id", article);
    if (state.cursor) params.set("cursor", state.cursor);
    try {
      const page = await api(`moderation/queue?${params}`);
      for (const item of page.items) $("#queue").append(render(item));
      state.cursor = page.next_cursor;
      $("#more").hidden = !page.next_cursor;
      $("#empty").hidden = $("#queue").children.length > 0;
      say(`${$("#queue").children.length} تعليق — ${STATUS[state.status]}`);
      updateSelection();
    } catch (err) { if (err.message !== "401") say(`تعذّر التحميل: ${err.message}`, true); }
  }

  async function act(item, action) {
    const id = item.dataset.id;
    if (action === "history") return toggleHistory(item);
    const body = action === "reject" ? { reason: item.querySelector(".reason").value } : undefined;
    try {
      const result = await api(`moderation/comments/${encodeURIComponent(id)}/${action}`,
        { method: "POST", body: body && JSON.stringify(body) });
      if (result.status !== state.status) item.remove();
      say(`صار التعليق: ${STATUS[result.status] || result.status}`);
      $("#empty").hidden = $("#queue").children.length > 0;
      updateSelection();
    } catch (err) { if (err.message !== "401") say(`تعذّر الإجراء: ${err.message}`, true); }
  }

  async function toggleHistory(item) {
    const list = item.querySelector(".audit");
    if (!list.hidden) { list.hidden = true; return; }
    const trail = await api(`moderation/comments/${encodeURIComponent(item.dataset.id)}/history`);
    list.replaceChildren(...trail.items.map((r) => {
      const li = document.createElement("li");
      li.textContent = `${when.format(new Date(r.at))} — ${r.actor}: ${STATUS[r.from_status] || r.from_status}` +
        ` ← ${STATUS[r.to_status] || r.to_status}` + (r.reason ? ` (${REASONS[r.reason] || r.reason})` : "");
      return li;
    }));
    list.hidden = false;
  }

  function picked() { return [...document.querySelectorAll(".pick:checked")].map((c) => c.value); }

  function updateSelection() { $("#selected-count").textContent = `${picked().length} محدد`; }

  async function bulk(action) {
    const ids = picked();
    if (!ids.length) { say("لم تحدد أي تعليق.", true); return; }
    const payload = { ids, action };
    if (action === "reject") payload.reason = $("#bulk-reason").value;
    try {
      const out = await api("moderation/comments/bulk", { method: "POST", body: JSON.stringify(payload) });
      const failed = out.results.filter((r) => !r.ok).length;
      say(`نُفّذ على ${out.results.length - failed} تعليق` + (failed ? `، وتعذّر على ${failed}` : ""), failed > 0);
      await load();
    } catch (err) { if (err.message !== "401") say(`تعذّر الإجراء: ${err.message}`, true); }
  }

  function start() {
    $("#login").hidden = true; $("#app").hidden = false; $("#logout").hidden = false;
    load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("#login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $("#token").value.trim());
      $("#token").value = "";
      start();
    });
    $("#logout").addEventListener("click", () => logout());
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.addEventListener("click", () => {
        document.querySelectorAll("[role=tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
        state.status = tab.dataset.status;
        $("#select-all").checked = false;
        load();
      });
    }
    $("#refresh").addEventListener("click", () => load());
    $("#article").addEventListener("change", () => load());
    $("#more").addEventListener("click", () => load(false));
    $("#select-all").addEventListener("change", (event) => {
      document.querySelectorAll(".pick").forEach((c) => { c.checked = event.target.checked; });
      updateSelection();
    });
    $("#queue").addEventListener("change", updateSelection);
    $("#queue").addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (button) act(button.closest(".item"), button.dataset.action);
    });
    for (const button of document.querySelectorAll("[data-bulk]")) {
      button.addEventListener("click", () => bulk(button.dataset.bulk));
    }
    if (token()) start(); else showLogin();
  });
})();

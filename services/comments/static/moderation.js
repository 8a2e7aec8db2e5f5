// The moderators' page: plain ES modules over the service's HTTP API (no dependencies, no CDN).
import { api, clearToken, setToken, token, whenUnauthorized } from "./api.js";
import * as bans from "./bans.js";
import * as keys from "./keys.js";
import * as queue from "./queue.js";
import * as settings from "./settings.js";

const $ = (sel) => document.querySelector(sel);
const VIEWS = { queue, bans, settings };
let view = "queue";

function say(text, isError = false) {
  const el = $("#status");
  el.textContent = text;
  el.classList.toggle("error", isError);
}

function showLogin(message) {
  $("#login").hidden = false; $("#views").hidden = true; $("#logout").hidden = true;
  $("#who").textContent = "";
  for (const name of Object.keys(VIEWS)) $(`#${name}-view`).hidden = true;
  queue.setActive(false);
  if (message) say(message, true);
  $("#token").focus();
}

function logout(message) { clearToken(); showLogin(message); }

function show(name) {
  view = name;
  for (const other of Object.keys(VIEWS)) $(`#${other}-view`).hidden = other !== name;
  document.querySelectorAll("[data-view]").forEach((b) => {
    if (b.dataset.view === name) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  });
  queue.setActive(name === "queue");
  VIEWS[name].load();
}

async function start() {
  try {
    const me = await api("moderation/me");
    $("#login").hidden = true; $("#views").hidden = false; $("#logout").hidden = false;
    $("#who").textContent = me.name;
    $('[data-view="settings"]').hidden = me.role !== "admin";
    show("queue");
  } catch (err) {
    if (err.status !== 401) showLogin(`تعذّر الاتصال: ${err.message}`);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  whenUnauthorized(() => logout("الرمز غير صالح أو منتهٍ."));
  queue.setup(say); bans.setup(say); settings.setup(say);
  keys.setup(() => view === "queue");
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("#token").value.trim());
    $("#token").value = "";
    say("");
    start();
  });
  $("#logout").addEventListener("click", () => logout());
  document.querySelectorAll("[data-view]").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
  if (token()) start(); else showLogin();
});

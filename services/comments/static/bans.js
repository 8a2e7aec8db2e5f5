// The bans view: who is banned, why, until when; ban by email; lift a ban.
import { api } from "./api.js";
import { expiry, fillBanDays } from "./dialogs.js";
import { el, when } from "./format.js";

const $ = (sel) => document.querySelector(sel);
const state = { cursor: null };
let say = () => {};

function row(ban) {
  const li = el("li", null, "ban");
  li.dataset.id = ban.id;
  const head = el("p");
  const email = el("strong", ban.email, "email");
  email.dir = "ltr";
  head.append(email);
  const expired = ban.expires_at && new Date(ban.expires_at) <= new Date();
  head.append(el("span", ban.expires_at
    ? (expired ? ` — انتهى في ${when(ban.expires_at)}` : ` — حتى ${when(ban.expires_at)}`)
    : " — دائم", expired ? "hint expired" : "hint"));
  const reason = el("p", ban.reason || "بلا سبب مذكور", "ban-reason");
  reason.dir = "auto";
  const by = el("p", `بواسطة ${ban.created_by} في ${when(ban.created_at)}`, "hint");
  const lift = el("button", "رفع الحظر");
  lift.type = "button";
  lift.dataset.lift = ban.id;
  li.append(head, reason, by, lift);
  return li;
}

export async function load(reset = true) {
  if (reset) { state.cursor = null; $("#bans").replaceChildren(); }
  try {
    const page = await api("moderation/bans", { params: { limit: 50, cursor: state.cursor } });
    $("#bans").append(...page.items.map(row));
    state.cursor = page.next_cursor;
    $("#bans-more").hidden = !page.next_cursor;
    $("#bans-empty").hidden = $("#bans").children.length > 0;
  } catch (err) { say(`تعذّر تحميل قائمة الحظر: ${err.message}`, true); }
}

export function setup(reporter) {
  say = reporter;
  const form = $("#ban-form");
  fillBanDays(form.elements.days);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      email: form.elements.email.value.trim(),
      reason: form.elements.reason.value.trim() || null,
      expires_at: expiry(form.elements.days.value),
    };
    try {
      await api("moderation/bans", { method: "POST", body });
      form.reset(); fillBanDays(form.elements.days);
      say("حُظر البريد.");
      load();
    } catch (err) { say(`تعذّر الحظر: ${err.message}`, true); }
  });
  $("#bans-more").addEventListener("click", () => load(false));
  $("#bans").addEventListener("click", async (event) => {
    const button = event.target.closest("[data-lift]");
    if (!button) return;
    try {
      await api(`moderation/bans/${encodeURIComponent(button.dataset.lift)}`, { method: "DELETE" });
      button.closest(".ban").remove();
      $("#bans-empty").hidden = $("#bans").children.length > 0;
      say("رُفع الحظر.");
    } catch (err) { say(`تعذّر رفع الحظر: ${err.message}`, true); }
  });
}

// Modal questions: the reject reason (never a default) and a ban's reason and duration.
import { REJECT, num, plural } from "./format.js";

const $ = (sel) => document.querySelector(sel);
export const BAN_DAYS = [1, 7, 30, 365, 0]; // 0: no expiry

export function fillBanDays(select) {
  select.replaceChildren(...BAN_DAYS.map((days) =>
    new Option(days ? plural("day", days) : "دائم", String(days))));
  select.value = "7";
}

export function expiry(days) {
  return Number(days) ? new Date(Date.now() + Number(days) * 86400000).toISOString() : null;
}

function ask(dialog, onClose) {
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(onClose(dialog.returnValue)), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

/** Resolves to a reject reason code, or null when the moderator cancels. */
export function askRejectReason() {
  const box = $("#reject-reasons");
  box.replaceChildren(...REJECT.map(([value, label], index) => {
    const row = document.createElement("label");
    const radio = Object.assign(document.createElement("input"),
      { type: "radio", name: "reject-reason", value });
    row.append(radio, ` ${num(index + 1)}. ${label}`);
    return row;
  }));
  const confirm = $("#reject-confirm");
  confirm.disabled = true;
  box.onchange = () => { confirm.disabled = !box.querySelector(":checked"); };
  const dialog = $("#reject-dialog");
  dialog.onkeydown = (event) => {
    const index = Number(event.key) - 1;
    if (index >= 0 && index < REJECT.length) {
      box.querySelectorAll("input")[index].checked = true;
      confirm.disabled = false;
      confirm.focus();
      event.preventDefault();
    }
  };
  return ask(dialog, (value) => {
    const picked = box.querySelector(":checked");
    return value === "ok" && picked ? picked.value : null;
  });
}

/** Resolves to {reason, expires_at} for a ban, or null when cancelled. */
export function askBan(who) {
  const form = $("#ban-dialog-form");
  form.reset();
  fillBanDays(form.elements.days);
  $("#ban-who").textContent = who;
  return ask($("#ban-dialog"), (value) => (value === "ok"
    ? { reason: form.elements.reason.value.trim(), expires_at: expiry(form.elements.days.value) }
    : null));
}

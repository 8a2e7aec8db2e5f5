// Live updates by short polling of GET /moderation/changes: every replica answers alike.
import { api } from "./api.js";

const POLL_MS = 4000;
const state = { cursor: null, timer: null, active: false, view: () => ({}), apply: () => {}, onError: () => {} };

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(poll, POLL_MS);
}

async function poll() {
  if (!state.active || document.hidden || !state.cursor) { schedule(); return; }
  try {
    const out = await api("moderation/changes", { params: { ...state.view(), cursor: state.cursor } });
    state.cursor = out.cursor;
    state.apply(out);
  } catch (err) { if (err.status !== 401) state.onError(err); }
  schedule();
}

/** Start over for a view: the first call only gives the cursor (and the counts). */
export async function restart(view) {
  clearTimeout(state.timer);
  state.view = view;
  const first = await api("moderation/changes", { params: view() });
  state.cursor = first.cursor;
  schedule();
  return first;
}

export function setActive(active) {
  state.active = active;
  if (active) schedule(); else clearTimeout(state.timer);
}

export function setup(apply, onError) {
  state.apply = apply;
  state.onError = onError;
  document.addEventListener("visibilitychange", () => { if (!document.hidden && state.active) poll(); });
}

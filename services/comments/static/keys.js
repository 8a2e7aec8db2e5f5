// Keyboard: j/k move, a/r/s act on the current comment, x selects, u undoes, ? shows help.
import { act, current, move, toggleSelected, undo } from "./queue.js";

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

// The letter pressed, also under an Arabic layout (event.code names the physical key).
function letter(event) {
  if (/^[a-z?]$/i.test(event.key)) return event.key.toLowerCase();
  if (event.code === "Slash" && event.shiftKey) return "?";
  return event.code.startsWith("Key") ? event.code.slice(3).toLowerCase() : "";
}

export function setup(isQueueShown) {
  const help = document.querySelector("#help-dialog");
  document.querySelector("#help-open").addEventListener("click", () => help.showModal());
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (TYPING.has(event.target.tagName) || event.target.isContentEditable) return;
    if (document.querySelector("dialog[open]")) return;
    const key = letter(event);
    if (key === "?") { help.showModal(); event.preventDefault(); return; }
    if (!isQueueShown()) return;
    const handlers = {
      j: () => move(1),
      k: () => move(-1),
      a: () => act(current(), "approve"),
      r: () => act(current(), "reject"),
      s: () => act(current(), "spam"),
      x: () => toggleSelected(current()),
      u: () => undo(),
    };
    if (handlers[key]) { event.preventDefault(); handlers[key](); }
  });
}

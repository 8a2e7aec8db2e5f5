// The admin's policy screen, drawn from the policy's JSON Schema (new fields appear by
// themselves), and the "test this text" box that runs the pipeline dry on the draft.
import { api } from "./api.js";
import { STATUS, detailText, el, reasonLabel } from "./format.js";

const $ = (sel) => document.querySelector(sel);
const LABELS = {
  premoderation: ["إشراف مسبق على كل التعليقات", "يُحجز كل تعليق جديد للمراجعة."],
  default_status: ["حالة تعليقات الكتّاب الجدد", "لمن ليس له تعليق منشور من قبل."],
  trusted_author_autoapprove: ["نشر تعليقات الكتّاب الموثوقين فوراً", "من له تعليق منشور سابق."],
  link_limit: ["حد الروابط", "يُحجز التعليق إذا بلغ عدد روابطه هذا الحد (0 يعطّل الفحص)."],
  banned_words: ["كلمات محظورة", "كلمة أو عبارة في كل سطر؛ التعليق الذي يحويها يُعدّ مزعجاً."],
  suspect_words: ["كلمات مشبوهة", "كلمة أو عبارة في كل سطر؛ التعليق الذي يحويها يُحجز للمراجعة."],
  words: ["كلمات بإجراء لكل منها", 'JSON: قائمة من {"word": "…", "action": "hold" أو "spam", "forms": […], "ambiguous": true أو false, "advert": true أو false}؛ تتقدّم على القائمتين. ambiguous: اسم شائع هو أيضاً شتيمة (حيوان)، لا يُحتسب إلا في سياق الشتم (نداء، تشبيه، مخاطبة، «ابن …»). advert: كلمة سبام هي أيضاً موضوع أخبار (كازينو، مراهنات)، لا تُحتسب إلا في تعليق يشبه الإعلان (رابط، رقم هاتف، دعوة مثل «سجّل الآن» أو «واتساب»، أو تكرارها ثلاث مرات).'],
  allowed_phrases: ["عبارات مسموحة", "عبارة في كل سطر؛ الكلمة المدرجة داخلها لا تُحتسب (بأي عدد أو جمع)؛ * تعني أي كلمة مدرجة: «لحم *»."],
  news_sites: ["مواقع إخبارية يُستشهد بها", "نطاق في كل سطر (مثل hespress.com، ويُقبل رابط كامل): رابط إليه في تعليق ذكرٌ لمصدر لا رابطُ إعلان. يُضاف إلى القائمة المدمجة (reuters.com، aljazeera.net، bbc.com…)."],
  flood_interval_seconds: ["الفاصل بين تعليقين (ثوانٍ)", "لكل بريد ولكل عنوان IP (0 يعطّل الفحص)."],
  report_threshold: ["حد البلاغات", "عدد بلاغات القرّاء التي تعيد التعليق المنشور إلى المراجعة."],
};
const STEPS = {
  honeypot: "حقل الفخ", banned_author: "كاتب محظور", flood: "التعليقات المتلاحقة",
  duplicate: "التكرار", words: "قوائم الكلمات", links: "الروابط", premoderation: "الإشراف المسبق",
  author_policy: "سياسة الكاتب",
};
const state = { schema: null, saved: {} };
let say = () => {};

const plain = (spec) => (spec.anyOf ? spec.anyOf.find((s) => s.type !== "null") || {} : spec);
const kind = (spec) => {
  const s = plain(spec);
  if (s.enum) return "enum";
  if (s.type === "boolean") return "bool";
  if (s.type === "integer" || s.type === "number") return "number";
  if (s.type === "string") return "text";
  if (s.type === "array" && s.items && s.items.type === "string") return "lines";
  return "json";
};

function input(name, spec, value) {
  const s = plain(spec);
  switch (kind(spec)) {
    case "bool": return Object.assign(el("input"), { type: "checkbox", checked: Boolean(value) });
    case "number": {
      const box = Object.assign(el("input"), { type: "number", value: value ?? "" });
      if (s.minimum !== undefined) box.min = s.minimum;
      if (s.maximum !== undefined) box.max = s.maximum;
      if (s.type === "integer") box.step = "1";
      return box;
    }
    case "enum": {
      const select = el("select");
      for (const option of s.enum) select.append(new Option(STATUS[option] || option, option));
      select.value = value;
      return select;
    }
    case "text": return Object.assign(el("input"), { value: value ?? "" });
    case "lines": return Object.assign(el("textarea"), { rows: 5, value: (value || []).join("\n"), dir: "auto" });
    default: return Object.assign(el("textarea"), { rows: 4, value: JSON.stringify(value ?? null, null, 2), dir: "ltr" });
  }
}

function read(name) {
  const spec = state.schema.properties[name];
  const box = document.querySelector(`[data-field="${CSS.escape(name)}"] .value`);
  switch (kind(spec)) {
    case "bool": return box.checked;
    case "number": return box.value === "" ? null : Number(box.value);
    case "lines": return box.value.split("\n").map((w) => w.trim()).filter(Boolean);
    case "json": return JSON.parse(box.value || "null");
    default: return box.value;
  }
}

function draw(values) {
  const holder = $("#settings-fields");
  holder.replaceChildren();
  for (const [name, spec] of Object.entries(state.schema.properties)) {
    const [label, hint] = LABELS[name] || [spec.title || name, spec.description || ""];
    const row = el("div", null, `field field-${kind(spec)}`);
    row.dataset.field = name;
    const id = `setting-${name}`;
    const caption = el("label", label);
    caption.htmlFor = id;
    const box = input(name, spec, values[name]);
    box.id = id;
    box.classList.add("value");
    box.name = name;
    row.append(caption, box, el("p", hint, "hint"), el("p", "", "field-error"));
    holder.append(row);
  }
}

function draft() {
  const changed = {};
  for (const name of Object.keys(state.schema.properties)) {
    const value = read(name);
    if (JSON.stringify(value) !== JSON.stringify(state.saved[name])) changed[name] = value;
  }
  return changed;
}

function showErrors(fields) {
  document.querySelectorAll("#settings-fields .field-error").forEach((p) => { p.textContent = ""; });
  for (const [path, message] of Object.entries(fields || {})) {
    const name = path.replace(/^policy\./, "").split(".")[0];
    const row = document.querySelector(`[data-field="${CSS.escape(name)}"] .field-error`);
    if (row) row.textContent = message;
  }
}

export async function load() {
  try {
    state.schema = state.schema || await api("moderation/settings/schema");
    state.saved = await api("moderation/settings");
    draw(state.saved);
    $("#settings-state").textContent = "";
  } catch (err) { say(`تعذّر تحميل الإعدادات: ${err.message}`, true); }
}

async function save(event) {
  event.preventDefault();
  let changed;
  try { changed = draft(); } catch { say("قيمة JSON غير صالحة.", true); return; }
  if (!Object.keys(changed).length) { $("#settings-state").textContent = "لا تغييرات."; return; }
  try {
    state.saved = await api("moderation/settings", { method: "PUT", body: changed });
    draw(state.saved); showErrors({});
    $("#settings-state").textContent = "حُفظت الإعدادات؛ تسري على التعليق التالي.";
    say("حُفظت الإعدادات.");
  } catch (err) { showErrors(err.fields); say(`تعذّر الحفظ: ${err.message}`, true); }
}

function showResult(out) {
  const box = $("#tester-result");
  const decision = out.status === "refused" ? `يُرفض دون تخزين (HTTP ${out.http_status})`
    : `يُخزَّن بحالة «${STATUS[out.status] || out.status}»، ويرى الكاتب «${STATUS[out.public_status] || out.public_status}»`;
  const reasons = el("ul", null, "reasons");
  for (const code of out.reasons) reasons.append(el("li", reasonLabel(code)));
  for (const [key, value] of Object.entries(out.details)) reasons.append(el("li", detailText(key, value)));
  const steps = el("ol", null, "steps");
  for (const step of out.steps) {
    let said = "لا ملاحظة";
    if (step.status) {
      said = `${STATUS[step.status] || step.status} — ${step.reasons.map(reasonLabel).join("، ")}`;
      if (!step.counted) said += " (لم يُعتمد: حسمت خطوة قبلها)";
    }
    const className = !step.status ? "silent" : step.counted ? "counted" : "unused";
    steps.append(el("li", `${STEPS[step.step] || step.step}: ${said}`, className));
  }
  box.replaceChildren(el("p", `القرار: ${decision}`, "decision"), reasons, el("h4", "الخطوات"), steps);
}

async function test(event) {
  event.preventDefault();
  const form = event.target.elements;
  let policy;
  try { policy = draft(); } catch { say("قيمة JSON غير صالحة.", true); return; }
  const body = {
    body: form.body.value, ...(form.author_email.value.trim() ? { author_email: form.author_email.value.trim() } : {}),
    ...(form.article_id.value.trim() ? { article_id: form.article_id.value.trim() } : {}),
    ...(Object.keys(policy).length ? { policy } : {}),
  };
  try { showResult(await api("moderation/settings/test", { method: "POST", body })); showErrors({}); }
  catch (err) { showErrors(err.fields); say(`تعذّر الاختبار: ${err.message}`, true); }
}

export function setup(reporter) {
  say = reporter;
  $("#settings-form").addEventListener("submit", save);
  $("#tester-form").addEventListener("submit", test);
}

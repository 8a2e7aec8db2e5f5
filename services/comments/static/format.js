// Arabic wording: plural forms by Intl.PluralRules("ar"), numbers and dates in Arabic.
const rules = new Intl.PluralRules("ar");
const number = new Intl.NumberFormat("ar");
const dateTime = new Intl.DateTimeFormat("ar", {
  year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
  timeZoneName: "short",
});

export const num = (n) => number.format(n);

// Each noun: its form per plural category ({n} is the number in Arabic digits).
const NOUNS = {
  comment: {
    zero: "لا تعليقات", one: "تعليق واحد", two: "تعليقان", few: "{n} تعليقات",
    many: "{n} تعليقًا", other: "{n} تعليق",
  },
  newComment: {
    zero: "لا تعليقات جديدة", one: "تعليق جديد واحد", two: "تعليقان جديدان",
    few: "{n} تعليقات جديدة", many: "{n} تعليقًا جديدًا", other: "{n} تعليق جديد",
  },
  selected: {
    zero: "لم يُحدَّد شيء", one: "تعليق واحد محدد", two: "تعليقان محددان",
    few: "{n} تعليقات محددة", many: "{n} تعليقًا محددًا", other: "{n} تعليق محدد",
  },
  report: {
    zero: "لا بلاغات", one: "بلاغ واحد", two: "بلاغان", few: "{n} بلاغات",
    many: "{n} بلاغًا", other: "{n} بلاغ",
  },
  reader: {
    zero: "لا أحد", one: "قارئ واحد", two: "قارئان", few: "{n} قرّاء",
    many: "{n} قارئًا", other: "{n} قارئ",
  },
  day: {
    zero: "صفر يوم", one: "يوم واحد", two: "يومان", few: "{n} أيام",
    many: "{n} يومًا", other: "{n} يوم",
  },
  second: {
    zero: "صفر ثانية", one: "ثانية واحدة", two: "ثانيتان", few: "{n} ثوانٍ",
    many: "{n} ثانية", other: "{n} ثانية",
  },
};

export function plural(noun, n) {
  const forms = NOUNS[noun];
  return forms[rules.select(n)].replace("{n}", num(n));
}

export function when(iso) {
  return dateTime.format(new Date(iso));
}

export const REASONS = {
  honeypot: "حقل الفخ ممتلئ", banned_author: "كاتب محظور", banned_word: "كلمة محظورة",
  suspect_word: "كلمة مشبوهة", too_many_links: "روابط كثيرة", premoderation: "إشراف مسبق للموقع",
  article_premoderation: "إشراف مسبق للمقال", trusted_author: "كاتب موثوق",
  default_policy: "سياسة الموقع", reader_reports: "بلاغات القراء", flood: "تعليقات متلاحقة",
  duplicate: "مكرر",
};

export const REJECT = [
  ["abusive", "مسيء"], ["off_topic", "خارج الموضوع"], ["spam_like", "دعائي"],
  ["personal_data", "بيانات شخصية"], ["illegal", "مخالف للقانون"],
  ["duplicate", "مكرر"], ["other", "سبب آخر"],
];

export const STATUS = {
  pending: "بانتظار المراجعة", approved: "منشور", spam: "مزعج", rejected: "مرفوض",
  reported: "مُبلَّغ عنه", new: "جديد", refused: "مرفوض دون تخزين",
};

export const DETAILS = {
  links: "عدد الروابط", banned_words: "كلمات محظورة", suspect_words: "كلمات مشبوهة",
  matches: "ما طابق",
};

const ACTION = { hold: "حجز", spam: "مزعج", allow: "مسموح" };

/** One detail of a decision as text: numbers, word lists, matched words with their rule. */
export function detailText(key, value) {
  const label = DETAILS[key] || key;
  if (!Array.isArray(value)) return `${label}: ${typeof value === "number" ? num(value) : String(value)}`;
  const parts = value.map((v) => (v && typeof v === "object"
    ? `${v.word}${v.form && v.form !== v.word ? ` (${v.form})` : ""}${v.action ? ` — ${ACTION[v.action] || v.action}` : ""}`
    : String(v)));
  return `${label}: ${parts.join("، ")}`;
}

export function reasonLabel(code) {
  const reject = REJECT.find(([value]) => value === code);
  return REASONS[code] || (reject && reject[1]) || code;
}

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

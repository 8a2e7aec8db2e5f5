// Approved comments with their replies, and the comment form ("اترك تعليقاً") that shows
// the pipeline's answer: published, held for review, or what to fix.

import { api, ApiError, h, timeEl } from "./dom.js";

const FIELD_LABELS = { body: "التعليق", author_name: "الاسم", author_email: "البريد الإلكتروني" };

/** A reader's key for reports, kept in this browser only (one reader, one report). */
function readerKey() {
  try {
    let key = localStorage.getItem("akhbar.readerKey");
    if (!key) {
      key = crypto.randomUUID();
      localStorage.setItem("akhbar.readerKey", key);
    }
    return key;
  } catch {
    return crypto.randomUUID();
  }
}

function reportButton(comment) {
  const note = h("span", { class: "report-note", role: "status" });
  const button = h("button", { type: "button", class: "link report" }, "إبلاغ");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const answer = await api(`/comments/${encodeURIComponent(comment.id)}/report`, {
        method: "POST",
        body: { reader_key: readerKey() },
      });
      note.textContent = answer.message_ar || "شكراً، سنراجع التعليق.";
      button.remove();
    } catch (err) {
      note.textContent = err instanceof ApiError ? err.messageAr : "تعذّر الإبلاغ.";
      button.disabled = false;
    }
  });
  return [button, note];
}

function commentEl(comment, onReply) {
  const replies = (comment.replies || []).map((r) => commentEl(r, onReply));
  if (comment.removed) {
    // A thread start hidden by the moderators after replies to it were approved: its place only.
    return h(
      "li",
      { class: "comment comment-removed", id: `comment-${comment.id}`, dataset: { id: comment.id } },
      h("p", { class: "comment-body" }, "تعليق غير متاح"),
      replies.length ? h("ol", { class: "replies" }, replies) : null,
    );
  }
  return h(
    "li",
    { class: "comment", id: `comment-${comment.id}`, dataset: { id: comment.id } },
    h(
      "div",
      { class: "comment-head" },
      h("strong", { class: "comment-author" }, comment.author_name || "قارئ"),
      timeEl(comment.created_at),
    ),
    h("p", { class: "comment-body" }, comment.body || ""),
    h(
      "p",
      { class: "comment-actions" },
      onReply
        ? h("button", { type: "button", class: "link reply", onclick: () => onReply(comment) }, "رد")
        : null,
      reportButton(comment),
    ),
    replies.length ? h("ol", { class: "replies" }, replies) : null,
  );
}

function field(name, label, control, required = true) {
  control.id = `c-${name}`;
  control.name = name;
  if (required) control.required = true;
  return h(
    "p",
    { class: "field" },
    h("label", { for: control.id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    control,
    h("span", { class: "field-error", id: `c-${name}-error`, role: "alert" }),
  );
}

function commentForm(article, onPosted) {
  const status = h("div", { class: "form-status", role: "status", "aria-live": "polite" });
  const replyNote = h("p", { class: "reply-note", hidden: true });
  const parent = { id: null };
  const form = h(
    "form",
    { class: "comment-form", id: "comment-form", novalidate: true },
    h(
      "p",
      { class: "form-note" },
      "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ ",
      h("span", { class: "req" }, "*"),
    ),
    replyNote,
    field("body", "التعليق", h("textarea", { rows: 6, maxlength: 5000 })),
    field("author_name", "الاسم", h("input", { type: "text", maxlength: 100, autocomplete: "name" })),
    field(
      "author_email",
      "البريد الإلكتروني",
      h("input", { type: "email", maxlength: 254, autocomplete: "email", dir: "ltr" }),
    ),
    // Honeypot: people never see it; bots that fill it in are dropped by the pipeline.
    h(
      "p",
      { class: "hp", "aria-hidden": "true" },
      h("label", { for: "c-website" }, "موقعك"),
      h("input", { id: "c-website", name: "website", type: "text", tabindex: "-1", autocomplete: "off" }),
    ),
    h("p", {}, h("button", { type: "submit", class: "submit" }, "إرسال التعليق")),
    status,
  );

  function replyTo(comment) {
    parent.id = comment.id;
    replyNote.replaceChildren(
      "رداً على ",
      h("bdi", {}, comment.author_name || ""),
      " ",
      h("button", { type: "button", class: "link", onclick: cancelReply }, "إلغاء الرد"),
    );
    replyNote.hidden = false;
    form.scrollIntoView({ block: "start" });
    form.elements.body.focus();
  }
  function cancelReply() {
    parent.id = null;
    replyNote.hidden = true;
  }
  function clearErrors() {
    for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }
  function showError(err) {
    const lines = [err.messageAr];
    for (const [name, why] of Object.entries(err.fields || {})) {
      const slot = form.querySelector(`#c-${CSS.escape(name)}-error`);
      if (slot) {
        slot.textContent = why;
        form.elements[name].setAttribute("aria-invalid", "true");
      } else {
        lines.push(`${FIELD_LABELS[name] || name}: ${why}`);
      }
    }
    if (err.retryAfter) lines.push(`حاول مجدداً بعد ${err.retryAfter} ثانية.`);
    status.className = "form-status error";
    status.replaceChildren(...lines.map((line) => h("p", {}, line)));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const data = Object.fromEntries(new FormData(form));
    const missing = ["body", "author_name", "author_email"].filter((k) => !String(data[k] || "").trim());
    if (missing.length) {
      showError(new ApiError(422, { error: {
        message_ar: "بعض الحقول ناقصة أو غير صالحة.",
        fields: Object.fromEntries(missing.map((k) => [k, "هذا الحقل مطلوب."])),
      } }));
      return;
    }
    const payload = {
      author_name: data.author_name,
      author_email: data.author_email,
      body: data.body,
      website: data.website || "",
    };
    if (parent.id) payload.parent_id = parent.id;
    const button = form.querySelector(".submit");
    button.disabled = true;
    try {
      const answer = await api(`/articles/${encodeURIComponent(article.id)}/comments`, {
        method: "POST",
        body: payload,
      });
      const held = answer.status !== "approved";
      status.className = `form-status ${held ? "held" : "published"}`;
      status.replaceChildren(h("p", {}, answer.message_ar || (held
        ? "تعليقك بانتظار المراجعة وسيظهر بعد موافقة المشرفين."
        : "نُشر تعليقك.")));
      form.elements.body.value = "";
      cancelReply();
      if (!held) onPosted();
    } catch (err) {
      showError(err instanceof ApiError ? err : new ApiError(0, null, null));
    } finally {
      button.disabled = false;
    }
  });
  return { form, replyTo };
}

/** The discussion: count, threaded approved comments ("اظهر المزيد" pages), the form. */
export async function comments(article) {
  const title = h("h2", { id: "comments-title" }, "التعليقات");
  const list = h("ol", { class: "comments" });
  const more = h("button", { type: "button", class: "more", hidden: true }, "اظهر المزيد");
  const note = h("p", { class: "list-status" });
  let cursor = null;
  const open = article.comments_open !== false;
  const { form, replyTo } = commentForm(article, () => reload());

  async function load(reset) {
    if (reset) cursor = null;
    try {
      const page = await api(`/articles/${encodeURIComponent(article.id)}/comments`, {
        params: { sort: "oldest", limit: 50, cursor },
        fresh: true, // a discussion moves: never show a list older than the reader's own post
      });
      const items = (page.items || []).map((c) => commentEl(c, open ? replyTo : null));
      if (reset) list.replaceChildren(...items);
      else list.append(...items);
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      const count = Number.isInteger(page.count) ? page.count : list.children.length;
      title.textContent = count ? `التعليقات (${count})` : "التعليقات";
      note.textContent = list.children.length ? "" : "لا توجد تعليقات بعد. كن أول من يعلّق.";
    } catch (err) {
      note.textContent = err instanceof ApiError ? err.messageAr : "تعذّر تحميل التعليقات.";
    }
  }
  const reload = () => load(true);
  more.addEventListener("click", () => load(false));
  await load(true);

  return h(
    "section",
    { class: "discussion", "aria-labelledby": "comments-title" },
    title,
    list,
    note,
    more,
    h("h2", { class: "leave" }, "اترك تعليقاً"),
    open ? form : h("p", { class: "notice" }, "التعليقات مغلقة على هذا المقال."),
  );
}

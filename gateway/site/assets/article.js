// The article page, like the seed: breadcrumb, title, lead image, sections with
// "اظهر المزيد", tags, related articles, then the comments and the comment form.

import { comments } from "./comments.js";
import { api, ApiError, errorBox, figure, h, links, render, setTitle, timeEl } from "./dom.js";
import { crumbTrail } from "./lists.js";

let sectionIds = 0;

/** Body blocks grouped into sections: the intro, then one per heading. */
export function sections(blocks) {
  const groups = [{ heading: null, blocks: [] }];
  for (const block of blocks || []) {
    if (block && block.type === "heading") groups.push({ heading: block.text || "", blocks: [] });
    else if (block) groups[groups.length - 1].blocks.push(block);
  }
  return groups.filter((g) => g.heading !== null || g.blocks.length);
}

function blockEl(block) {
  if (block.type === "image") return figure(block, "figure body-image");
  if (block.type === "paragraph" && block.text) return h("p", {}, block.text);
  return null;
}

/** A section shows its first block; the rest stays folded behind "اظهر المزيد". */
function sectionEl(group, index) {
  const shown = index === 0 ? group.blocks : group.blocks.slice(0, 1);
  const folded = index === 0 ? [] : group.blocks.slice(1);
  const section = h(
    "section",
    { class: "article-section" },
    group.heading ? h("h2", {}, group.heading) : null,
    shown.map(blockEl),
  );
  if (folded.length) {
    const id = `section-more-${++sectionIds}`;
    const rest = h("div", { class: "section-more", id, hidden: true }, folded.map(blockEl));
    const button = h(
      "button",
      { type: "button", class: "more", "aria-expanded": "false", "aria-controls": id },
      "اظهر المزيد",
    );
    button.addEventListener("click", () => {
      rest.hidden = false;
      button.remove();
    });
    section.append(rest, button);
  }
  return section;
}

/** Arabic number agreement: دقيقة واحدة، دقيقتان، 3-10 دقائق، 11+ دقيقة. */
export function readingTime(n) {
  if (n <= 1) return "قراءة في دقيقة واحدة";
  if (n === 2) return "قراءة في دقيقتين";
  return n <= 10 ? `قراءة في ${n} دقائق` : `قراءة في ${n} دقيقة`;
}

function meta(article) {
  const parts = [
    article.author && article.author.name ? h("span", { class: "author" }, article.author.name) : null,
    timeEl(article.published_at),
    Number.isInteger(article.reading_time_minutes)
      ? h("span", { class: "reading-time" }, readingTime(article.reading_time_minutes))
      : null,
  ].filter(Boolean);
  return parts.length ? h("p", { class: "meta" }, parts) : null;
}

function tagList(tags) {
  const items = (tags || []).filter((t) => typeof t === "string" && t);
  if (!items.length) return null;
  return h(
    "ul",
    { class: "tags", "aria-label": "الوسوم" },
    items.map((t) => h("li", {}, h("a", { href: links.tag(t) }, t))),
  );
}

function relatedItem(item) {
  const category = item.category && item.category.slug ? item.category : null;
  return h(
    "li",
    { class: "related-item" },
    item.lead_image ? figure(item.lead_image, "related-image") : null,
    h(
      "div",
      {},
      h(
        "p",
        { class: "related-meta" },
        timeEl(item.published_at),
        category ? h("a", { class: "kicker", href: links.category(category.slug) }, category.name) : null,
      ),
      h("h3", {}, h("a", { href: links.article(item) }, item.title || "")),
      item.summary ? h("p", { class: "summary" }, item.summary) : null,
    ),
  );
}

async function related(article) {
  const box = h("aside", { class: "related", "aria-labelledby": "related-title" });
  box.append(h("h2", { id: "related-title" }, "مقالات ذات صلة"));
  try {
    const page = await api(`/articles/${encodeURIComponent(article.id)}/related`, {
      params: { limit: 4 },
    });
    const items = (page.items || []).filter((i) => i && (i.slug || i.id || i.article_id));
    if (!items.length) return null;
    box.append(h("ul", { class: "related-list" }, items.map(relatedItem)));
  } catch {
    return null; // the article stands without its related box
  }
  return box;
}

export async function article(key) {
  let data;
  try {
    data = await api(`/articles/${encodeURIComponent(key)}`);
  } catch (err) {
    const gone = err instanceof ApiError && err.status === 404;
    setTitle(gone ? "غير موجود" : "خطأ");
    render(gone ? h("div", { class: "notice" }, h("h1", {}, "المقال غير موجود"),
      h("p", {}, h("a", { href: "/" }, "العودة إلى الرئيسية"))) : errorBox(err));
    return;
  }
  if (data.slug && data.slug !== key) {
    history.replaceState(null, "", links.article(data)); // an old slug or an id: the canonical URL
  }
  setTitle(data.title);
  const body = h(
    "article",
    { class: "article", dataset: { id: data.id } },
    h("nav", { class: "breadcrumb", "aria-label": "مسار التنقل" }, crumbTrail(data.breadcrumb)),
    h("h1", { class: "article-title" }, data.title || ""),
    meta(data),
    figure(data.lead_image, "figure lead-image"),
    h("div", { class: "article-body" }, sections(data.body).map(sectionEl)),
    tagList(data.tags),
  );
  const [box, discussion] = await Promise.all([related(data), comments(data)]);
  render(body, box, discussion);
}

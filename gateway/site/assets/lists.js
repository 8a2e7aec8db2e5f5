// Lists of articles: home (latest), a category, a tag, search results. Each is a paged list
// whose "اظهر المزيد" button asks for the next_cursor page.

import { api, errorBox, figure, h, links, render, setTitle, timeEl } from "./dom.js";

const PAGE = 12;

/** A card: image, category, title, summary, date. Optional fields are simply left out. */
export function card(item, { snippet = null } = {}) {
  const category = item.category && item.category.slug ? item.category : null;
  return h(
    "article",
    { class: "card", dataset: { id: item.id || item.article_id || "" } },
    item.lead_image ? figure(item.lead_image, "card-image") : null,
    h(
      "div",
      { class: "card-text" },
      category ? h("a", { class: "kicker", href: links.category(category.slug) }, category.name) : null,
      h("h3", { class: "card-title" }, h("a", { href: links.article(item) }, item.title || "")),
      snippet || (item.summary ? h("p", { class: "summary" }, item.summary) : null),
      timeEl(item.published_at),
    ),
  );
}

/** Highlighted search snippet: plain text split at [start, end) offsets into <mark> nodes.
 * Offsets count characters (code points), as the API counts them. */
export function highlighted(snippet, ranges) {
  const chars = Array.from(snippet);
  const text = (from, to) => chars.slice(from, to).join("");
  const p = h("p", { class: "summary snippet" });
  let at = 0;
  const sorted = (Array.isArray(ranges) ? ranges : [])
    .filter((r) => Array.isArray(r) && r[0] >= 0 && r[1] > r[0] && r[1] <= chars.length)
    .sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < at) continue;
    p.append(text(at, start), h("mark", {}, text(start, end)));
    at = end;
  }
  p.append(text(at));
  return p;
}

/** A list that loads page after page from `path` with `params`; returns its section. */
async function pagedList({ heading, path, params, empty, toCard = card }) {
  const list = h("div", { class: "cards" });
  const more = h("button", { type: "button", class: "more", hidden: true }, "اظهر المزيد");
  const status = h("p", { class: "list-status", role: "status" });
  const section = h("section", { class: "list" }, heading, list, status, more);
  let cursor = null;

  async function load() {
    more.disabled = true;
    try {
      const page = await api(path, { params: { ...params, limit: PAGE, cursor } });
      const items = page.items || [];
      list.append(...items.map(toCard));
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      if (!list.children.length) status.textContent = empty;
      else status.textContent = "";
    } catch (err) {
      status.replaceChildren(errorBox(err));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", load);
  await load();
  return section;
}

export async function home() {
  setTitle();
  const section = await pagedList({
    heading: h("h1", { class: "page-title" }, "آخر الأخبار"),
    path: "/articles",
    params: {},
    empty: "لا توجد مقالات منشورة بعد.",
  });
  render(section, await tagCloud());
}

async function tagCloud() {
  try {
    const page = await api("/tags", { params: { limit: 30 } });
    const items = (page.items || []).filter((t) => t && t.tag);
    if (!items.length) return null;
    return h(
      "aside",
      { class: "tags-box", "aria-label": "الوسوم" },
      h("h2", {}, "وسوم"),
      h("ul", { class: "tags" }, items.map((t) => h("li", {}, h("a", { href: links.tag(t.tag) }, t.tag)))),
    );
  } catch {
    return null; // tags are an extra on the home page
  }
}

export async function category(slug, categories) {
  const known = categories.find((c) => c.slug === slug);
  const name = known ? known.name : slug;
  setTitle(name);
  const crumbs = known && known.breadcrumb ? known.breadcrumb : [{ slug, name }];
  const section = await pagedList({
    heading: h(
      "div",
      {},
      h("nav", { class: "breadcrumb", "aria-label": "مسار التنقل" }, crumbTrail(crumbs)),
      h("h1", { class: "page-title" }, name),
    ),
    path: "/articles",
    params: { category: slug },
    empty: "لا توجد مقالات في هذا القسم.",
  });
  render(section);
}

export async function tag(name) {
  setTitle(`وسم: ${name}`);
  render(
    await pagedList({
      heading: h("h1", { class: "page-title" }, "وسم: ", h("bdi", {}, name)),
      path: "/articles",
      params: { tag: name },
      empty: "لا توجد مقالات بهذا الوسم.",
    }),
  );
}

export async function search(q) {
  const input = document.getElementById("site-q");
  if (input) input.value = q;
  if (!q.trim()) {
    setTitle("بحث");
    render(h("h1", { class: "page-title" }, "بحث"), h("p", {}, "اكتب كلمة في خانة البحث."));
    return;
  }
  setTitle(`بحث: ${q}`);
  render(
    await pagedList({
      heading: h("h1", { class: "page-title" }, "نتائج البحث عن: ", h("bdi", {}, q)),
      path: "/search",
      params: { q },
      empty: "لا توجد نتائج.",
      toCard: (item) =>
        card(item, {
          snippet: typeof item.snippet === "string" ? highlighted(item.snippet, item.highlights) : null,
        }),
    }),
  );
}

/** الرئيسية › a › b, each a link to its category page. */
export function crumbTrail(breadcrumb) {
  const items = [h("li", {}, h("a", { href: "/" }, "الرئيسية"))];
  for (const crumb of breadcrumb || []) {
    if (crumb && crumb.slug) {
      items.push(h("li", {}, h("a", { href: links.category(crumb.slug) }, crumb.name || crumb.slug)));
    }
  }
  return h("ol", {}, items);
}

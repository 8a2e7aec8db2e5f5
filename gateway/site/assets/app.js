// The reference site's entry point: the section menu, then the page the URL names.
//   /                    latest articles          /category/<slug>   a category
//   /article/<id|slug>   an article               /tag/<tag>         a tag
//   /search?q=           search results

import { article } from "./article.js";
import { api, h, links, render, setTitle } from "./dom.js";
import { category, home, search, tag } from "./lists.js";

async function loadCategories() {
  try {
    const page = await api("/categories");
    return (page.items || []).filter((c) => c && c.slug);
  } catch {
    return [];
  }
}

function menu(categories, current) {
  const top = categories.filter((c) => !c.parent);
  const list = document.getElementById("nav-sections");
  list.replaceChildren(
    ...top.map((c) =>
      h(
        "li",
        {},
        h("a", { href: links.category(c.slug), "aria-current": c.slug === current ? "page" : null }, c.name),
      ),
    ),
  );
}

function segment(path, prefix) {
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  if (!rest || rest.includes("/")) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}

async function route() {
  const path = location.pathname;
  const categories = loadCategories();
  const categorySlug = segment(path, "/category/");
  categories.then((items) => menu(items, categorySlug));
  const articleKey = segment(path, "/article/");
  const tagName = segment(path, "/tag/");
  if (path === "/") return home();
  if (articleKey) return article(articleKey);
  if (categorySlug) return category(categorySlug, await categories);
  if (tagName) return tag(tagName);
  if (path === "/search") return search(new URLSearchParams(location.search).get("q") || "");
  setTitle("غير موجود");
  render(h("div", { class: "notice" }, h("h1", {}, "الصفحة غير موجودة"),
    h("p", {}, h("a", { href: "/" }, "العودة إلى الرئيسية"))));
}

route()
  .catch((err) => {
    render(h("div", { class: "notice error", role: "alert" }, "تعذّر عرض الصفحة."));
    console.error(err);
  })
  .finally(() => document.documentElement.setAttribute("data-ready", "true"));

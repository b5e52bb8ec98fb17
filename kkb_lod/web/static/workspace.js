// The query page's workspace, kept in this browser only (localStorage: nothing of it goes to the
// server), as YASGUI keeps its tabs:
// - Tabs (shared by the site's windows, each showing its own): each keeps its query as typed and
//   its address (the query run with its view, page and endpoint); choosing a tab opens its address. Add, rename (F2), close (Delete), reopen the
//   last closed, reorder (Ctrl+Shift+←/→, or the buttons); ←/→/Home/End move between tabs (a
//   role=tablist).
// - Query history: every query run (by this page, or sent from the Request panel), newest first,
//   without repeats, at most 100; searchable; each reopened in this tab or a new one; a button
//   clears it.
// request.js (the Request panel) keeps its choices in the tab through window.kkbWorkspace.
"use strict";

(function () {
  const holder = document.getElementById("workspace-data");
  const area = document.getElementById("query");
  const workbench = document.querySelector(".workbench");
  if (!holder || !area || !workbench) return;
  const DATA = JSON.parse(holder.textContent);
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const T = {
    id: { tabs: "Tab kueri", tools: "Tab ini", add: "+ Tab baru", rename: "Ganti nama", close: "Tutup tab", reopen: "Buka lagi tab tertutup",
      left: "← Geser", right: "Geser →", untitled: (n) => `Kueri ${n}`, name: "Nama tab", save: "Simpan", cancel: "Batal",
      keys: "← → pindah tab · Enter membuka · Ctrl+Shift+← → menggeser · F2 ganti nama · Delete menutup",
      history: "Riwayat kueri", kept: "Disimpan hanya di peramban ini (localStorage), tidak dikirim ke server; paling banyak 100 kueri.",
      search: "Cari di riwayat", open: "Buka di tab ini", openNew: "Buka di tab baru", clear: "Hapus riwayat",
      cleared: "Riwayat dihapus", empty: "Belum ada kueri yang dijalankan.", none: "Tidak ada yang cocok.",
      shown: (n, all) => `${n} dari ${all} kueri`, opened: "Kueri dibuka di tab ini", noStore: "Peramban ini tidak mengizinkan penyimpanan lokal: tab dan riwayat hilang saat halaman ditutup." },
    en: { tabs: "Query tabs", tools: "This tab", add: "+ New tab", rename: "Rename", close: "Close tab", reopen: "Reopen closed tab",
      left: "← Move", right: "Move →", untitled: (n) => `Query ${n}`, name: "Tab name", save: "Save", cancel: "Cancel",
      keys: "← → move between tabs · Enter opens · Ctrl+Shift+← → reorders · F2 renames · Delete closes",
      history: "Query history", kept: "Kept in this browser only (localStorage), never sent to the server; 100 queries at most.",
      search: "Search the history", open: "Open in this tab", openNew: "Open in a new tab", clear: "Clear history",
      cleared: "History cleared", empty: "No query run yet.", none: "Nothing matches.",
      shown: (n, all) => `${n} of ${all} queries`, opened: "Query opened in this tab", noStore: "This browser allows no local storage: tabs and history go when the page closes." },
  }[LANG];
  const TABS = "kkb-lod:tabs", HISTORY = "kkb-lod:history", OPEN = "kkb-lod:open", MOST = 100;
  const DEFAULT = "SELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10";

  const editor = () => window.kkbEditor;  // edcode's contract; the textarea when it is absent
  const text = () => (editor() ? editor().text() : area.value);
  function setText(value) {
    if (editor()) editor().set(value);
    else { area.value = value; area.dispatchEvent(new Event("input")); }
  }
  let stored = true;
  function read(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(key));
      return value && typeof value === "object" ? value : fallback;
    } catch (e) { stored = false; return fallback; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { stored = false; }
  }
  function el(name, attrs = {}, ...children) {
    const node = document.createElement(name);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    node.append(...children);
    return node;
  }
  /** The page's address without the language (the cookie keeps that): what a tab reopens. */
  function here() {
    const p = new URLSearchParams(location.search);
    p.delete("lang");
    return location.pathname + (p.toString() ? `?${p}` : "");
  }
  const parts = (url) => new URL(url || "/", location.origin);
  /** Where a tab's address leads: this site's query pages only (the store is the user's to edit). */
  const target = (url) => (parts(url).origin === location.origin && /\/sparql$/u.test(parts(url).pathname) ? url : location.pathname);

  // The tabs: {id, name, url, text, request}; the active one is the page's.
  let ws = read(TABS, null);
  if (!ws || !Array.isArray(ws.tabs)) ws = { tabs: [], active: 0, next: 1 };
  ws.tabs = ws.tabs.filter((t) => t && Number.isInteger(t.id));
  ws.next = Math.max(Number(ws.next) || 1, ...ws.tabs.map((t) => t.id + 1));
  const fresh = (value, url) => ({ id: ws.next++, name: "", url, text: value, request: {} });
  const asked = new URLSearchParams(location.search).get("query");  // null: no query ran
  const ran = text();
  // The tab this window shows (sessionStorage: each window its own), else the one used last.
  const ACTIVE = "kkb-lod:active";
  const mine = (id) => { try { sessionStorage.setItem(ACTIVE, String(id)); } catch (e) { /* kept for the page only */ } ws.active = id; };
  let showing = null;
  try { showing = Number(sessionStorage.getItem(ACTIVE)); } catch (e) { /* none */ }
  let tab = ws.tabs.find((t) => t.id === showing) || ws.tabs.find((t) => t.id === ws.active);
  if (!tab) { tab = fresh(ran, here()); ws.tabs.push(tab); }
  // A query linked from elsewhere (a shared link, a bookmark) does not overwrite the tab shown:
  // it opens in the tab that has it already, else in a new one, as YASGUI does.
  const has = (t) => parts(t.url).searchParams.get("query") === asked && parts(t.url).pathname === location.pathname;
  let fromHere = false;
  try {
    const from = new URL(document.referrer);
    fromHere = from.origin === location.origin && /\/sparql$/u.test(from.pathname);  // run, example, tab
  } catch (e) { /* no referrer */ }
  if (asked !== null && !fromHere && !has(tab) && (tab.text || "").trim()) {
    tab = ws.tabs.find(has) || fresh(ran, here());
    if (!ws.tabs.includes(tab)) ws.tabs.push(tab);
  }
  mine(tab.id);
  const same = has(tab);
  if (typeof tab.text === "string" && tab.text !== ran && (asked === null || same)) setText(tab.text);  // its draft
  /** The tab keeps the page's address (but a page without a query keeps the last one run). */
  function save() {
    if (asked !== null || !parts(tab.url).searchParams.has("query")) tab.url = here();
    tab.text = text();
    write(TABS, ws);
  }
  save();

  function open(id) {
    if (id === tab.id) return;
    save();
    mine(id);
    write(TABS, ws);
    location.assign(target(ws.tabs.find((t) => t.id === id).url));
  }
  function add(value = DEFAULT, url = location.pathname) {
    const made = fresh(value, url);
    ws.tabs.push(made);
    open(made.id);
  }
  function close(id) {
    if (ws.tabs.length < 2) return;
    const at = ws.tabs.findIndex((t) => t.id === id);
    if (id === tab.id) save();
    ws.closed = { at, tab: ws.tabs.splice(at, 1)[0] };  // the last one closed can be reopened
    if (id !== tab.id) { write(TABS, ws); return drawTabs(tab.id); }
    const next = ws.tabs[Math.min(at, ws.tabs.length - 1)];
    mine(next.id);
    write(TABS, ws);
    location.assign(target(next.url));
  }
  function reopen() {
    const { at, tab: again } = ws.closed;
    ws.closed = null;
    ws.tabs.splice(Math.min(at, ws.tabs.length), 0, again);
    open(again.id);
  }
  function move(id, by) {
    const at = ws.tabs.findIndex((t) => t.id === id), to = at + by;
    if (to < 0 || to >= ws.tabs.length) return;
    [ws.tabs[at], ws.tabs[to]] = [ws.tabs[to], ws.tabs[at]];
    write(TABS, ws);
    drawTabs(id);
  }

  const bar = el("div", { class: "tabs-bar" });
  const list = el("div", { role: "tablist", "aria-label": T.tabs, class: "tabs", "aria-describedby": "tab-keys" });
  const tool = (label, id, act) => {
    const b = el("button", { type: "button", id }, label);
    b.addEventListener("click", act);
    return b;
  };
  const tools = el("div", { class: "tab-tools", role: "group", "aria-label": T.tools },
    tool(T.add, "tab-add", () => add()), tool(T.rename, "tab-rename", () => rename(tab.id)),
    tool(T.left, "tab-left", () => move(tab.id, -1)), tool(T.right, "tab-right", () => move(tab.id, 1)),
    tool(T.close, "tab-close", () => close(tab.id)), tool(T.reopen, "tab-reopen", reopen));
  bar.append(list, tools, el("p", { class: "tab-keys", id: "tab-keys" }, el("small", {}, T.keys)));
  if (!stored) bar.append(el("p", { class: "note" }, T.noStore));
  workbench.id = workbench.id || "workbench";
  workbench.setAttribute("role", "tabpanel");
  workbench.setAttribute("aria-labelledby", `tab-${tab.id}`);
  workbench.before(bar);

  function drawTabs(focus) {
    list.replaceChildren(...ws.tabs.map((t) => {
      const b = el("button", { type: "button", role: "tab", id: `tab-${t.id}`, "data-tab": String(t.id),
        "aria-selected": String(t.id === tab.id), "aria-controls": workbench.id, tabindex: t.id === tab.id ? "0" : "-1" },
      t.name || T.untitled(t.id));
      b.addEventListener("click", () => open(t.id));
      b.addEventListener("keydown", (event) => keys(event, t));
      return b;
    }));
    const at = ws.tabs.indexOf(tab);
    document.getElementById("tab-close").disabled = ws.tabs.length < 2;
    document.getElementById("tab-reopen").disabled = !(ws.closed && ws.closed.tab && Number.isInteger(ws.closed.tab.id));
    document.getElementById("tab-left").disabled = at <= 0;
    document.getElementById("tab-right").disabled = at === ws.tabs.length - 1;
    if (focus !== undefined) document.getElementById(`tab-${focus}`).focus();
  }
  function keys(event, t) {
    const at = ws.tabs.indexOf(t), last = ws.tabs.length - 1;
    const go = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: last }[event.key];
    if (event.ctrlKey && event.shiftKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      move(t.id, event.key === "ArrowLeft" ? -1 : 1);
    } else if (go !== undefined && !event.ctrlKey && !event.altKey) {
      const to = ws.tabs[(go + ws.tabs.length) % ws.tabs.length];
      list.querySelectorAll("[role=tab]").forEach((b) => b.setAttribute("tabindex", b.dataset.tab === String(to.id) ? "0" : "-1"));
      document.getElementById(`tab-${to.id}`).focus();
    } else if (event.key === "Delete") close(t.id);
    else if (event.key === "F2") rename(t.id);
    else return;
    event.preventDefault();
  }
  /** A small form in the bar names the tab; Enter keeps the name, Escape leaves it. */
  function rename(id) {
    const t = ws.tabs.find((x) => x.id === id);
    bar.querySelector("form.rename")?.remove();
    const input = el("input", { id: "tab-name", value: t.name || T.untitled(t.id), maxlength: "60" });
    const form = el("form", { class: "rename" }, el("label", { for: "tab-name" }, T.name), input,
      el("button", { type: "submit" }, T.save), el("button", { type: "button", class: "cancel" }, T.cancel));
    const done = (keep) => {
      if (keep) { t.name = input.value.trim(); write(TABS, ws); }
      form.remove();
      drawTabs(id);
    };
    form.addEventListener("submit", (event) => { event.preventDefault(); done(true); });
    form.querySelector(".cancel").addEventListener("click", () => done(false));
    input.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); done(false); } });
    tools.after(form);
    input.select();
  }
  drawTabs();

  // The history: [{query, endpoint, at}], newest first.
  const panels = el("div", { class: "workspace-panels", id: "workspace-panels" });
  workbench.after(panels);
  const count = el("span", { class: "count" });
  const search = el("input", { type: "search", id: "history-search" });
  const entries = el("ol", { class: "history-list", id: "history-list" });
  const status = el("p", { class: "status", role: "status", id: "history-status" });
  const clear = tool(T.clear, "history-clear", () => { write(HISTORY, []); drawHistory(); status.textContent = T.cleared; });
  panels.append(el("details", { class: "history", id: "history-panel" }, el("summary", {}, `${T.history} (`, count, ")"),
    el("p", { class: "note" }, T.kept), el("p", {}, el("label", { for: "history-search" }, T.search), " ", search),
    entries, el("p", {}, clear), status));
  /** A panel left open is open on the next page too. */
  function keepOpen(details) {
    if (read(OPEN, {})[details.id]) details.open = true;
    details.addEventListener("toggle", () => write(OPEN, { ...read(OPEN, {}), [details.id]: details.open }));
  }
  keepOpen(document.getElementById("history-panel"));
  const history = () => { const items = read(HISTORY, []); return Array.isArray(items) ? items.filter((e) => e && typeof e.query === "string") : []; };
  const endpointName = (path) => {
    const e = DATA.endpoints.find((x) => x.path === path);
    return e && !e.current ? `${e.id} · ${path}` : path;
  };
  function remember(query, endpoint) {
    if (!query.trim()) return;
    const items = history().filter((e) => e.query !== query || e.endpoint !== endpoint);
    items.unshift({ query, endpoint, at: new Date().toISOString() });
    write(HISTORY, items.slice(0, MOST));
    drawHistory();
  }
  function drawHistory() {
    const all = history(), wanted = search.value.trim().toLocaleLowerCase(LANG);
    const shown = all.filter((e) => !wanted || e.query.toLocaleLowerCase(LANG).includes(wanted));
    count.textContent = String(all.length);
    clear.disabled = !all.length;
    entries.replaceChildren(...shown.map((e, i) => {
      const id = `history-${i}`;
      const lines = e.query.split("\n");
      const short = lines.slice(0, 4).join("\n").slice(0, 300) + (lines.length > 4 || e.query.length > 300 ? "\n…" : "");
      const here_ = tool(T.open, null, () => { setText(e.query); status.textContent = T.opened; area.focus(); });
      const there = tool(T.openNew, null, () => add(e.query, e.endpoint || location.pathname));
      here_.setAttribute("aria-describedby", id);
      there.setAttribute("aria-describedby", id);
      return el("li", {}, el("pre", { id, class: "query-text" }, short),
        el("p", { class: "meta" }, `${new Date(e.at).toLocaleString(LANG === "id" ? "id-ID" : "en-GB")} · ${endpointName(e.endpoint)}`),
        el("p", { class: "actions" }, here_, " ", there));
    }));
    if (!shown.length) entries.append(el("li", { class: "none" }, all.length ? T.none : T.empty));
    if (wanted) status.textContent = T.shown(shown.length, all.length);
  }
  search.addEventListener("input", drawHistory);
  if (asked !== null && document.querySelector("section.answer, section.problem")) remember(ran, location.pathname);
  drawHistory();

  // Another window of this site changed the tabs or the history: follow it (this page's tab as
  // it is here), so that neither window writes over what the other did.
  window.addEventListener("storage", (event) => {
    if (event.key === HISTORY) return drawHistory();
    if (event.key !== TABS) return;
    const theirs = read(TABS, null);
    if (!theirs || !Array.isArray(theirs.tabs)) return;
    const tabs = theirs.tabs.filter((t) => t && Number.isInteger(t.id)).map((t) => (t.id === tab.id ? tab : t));
    if (!tabs.includes(tab)) tabs.push(tab);  // closed there, still open here
    ws = { ...theirs, tabs, next: Math.max(ws.next, Number(theirs.next) || 1, ...tabs.map((t) => t.id + 1)) };
    drawTabs();
  });

  let pause = 0;
  const later = () => { clearTimeout(pause); pause = setTimeout(save, 300); };
  area.addEventListener("input", later);  // every edit, set() too (the text is read when saved)
  window.addEventListener("pagehide", save);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(); });

  window.kkbWorkspace = { data: DATA, tab: () => tab, save, remember, text, setText, panels, keepOpen };
})();

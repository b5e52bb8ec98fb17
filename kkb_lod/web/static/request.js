// The Request panel: the query sent as a program would send it, and the raw answer shown, as
// YASGUI's request settings do, but to this server's endpoints only (the CSP allows no other):
// - endpoint: the current release's /sparql or an older release's /releases/<id>/sparql (the
//   page's data lists those served); Run opens the chosen endpoint's page too;
// - method: GET, POST form-encoded, POST application/sparql-query (SPARQL 1.1 Protocol 2.1);
// - Accept: a media type of the one format table; default-graph-uri / named-graph-uri (one IRI a
//   line); extra headers (name/value rows; those a browser forbids a page to set are said so)
//   and extra arguments (in the URL, or in the body of a form-encoded POST).
// "Send" shows the request, the status, the response headers and the body. The choices are kept
// in the tab (workspace.js) and, but for the headers and arguments (they may hold secrets), in
// the address.
"use strict";

(function () {
  const W = window.kkbWorkspace;
  if (!W) return;
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const T = {
    id: { title: "Permintaan (titik akhir, metode, header, graf)", endpoint: "Titik akhir", method: "Metode", accept: "Accept (format jawaban)",
      any: "*/* (server memilih)", results: "Hasil SELECT/ASK", graph: "Graf CONSTRUCT/DESCRIBE",
      current: (id) => (id ? `Rilis terkini ${id}` : "Rilis terkini"), older: (id, d) => `Rilis lama ${id}${d ? ` (${d})` : ""}`, self: "halaman ini",
      form: "POST, form-encoded", direct: "POST, application/sparql-query", defaults: "default-graph-uri (satu IRI per baris)",
      named: "named-graph-uri (satu IRI per baris)", headers: "Header permintaan tambahan", args: "Argumen tambahan", addArg: "+ Argumen", name: "Nama", value: "Nilai",
      addHeader: "+ Header", remove: "Hapus", send: "Kirim", sending: "Mengirim…", answer: "Jawaban permintaan", sent: "Dikirim", curl: "Permintaan yang sama dengan curl",
      got: "Header jawaban", body: "Isi jawaban", failed: (m) => `Gagal: ${m}`, forbidden: (n) => `“${n}” tidak dikirim: peramban melarang halaman mengaturnya.`,
      bad: (n) => `“${n}” bukan nama header yang sah.`, cut: (n) => `${n} karakter pertama ditampilkan.`,
      explain: "Kirim membuat permintaan SPARQL seperti sebuah program dan menunjukkan jawaban mentahnya; Jalankan menampilkan jawaban sebagai halaman." },
    en: { title: "Request (endpoint, method, headers, graphs)", endpoint: "Endpoint", method: "Method", accept: "Accept (answer format)",
      any: "*/* (the server chooses)", results: "SELECT/ASK results", graph: "CONSTRUCT/DESCRIBE graphs",
      current: (id) => (id ? `Current release ${id}` : "Current release"), older: (id, d) => `Older release ${id}${d ? ` (${d})` : ""}`, self: "this page",
      form: "POST, form-encoded", direct: "POST, application/sparql-query", defaults: "default-graph-uri (one IRI a line)",
      named: "named-graph-uri (one IRI a line)", headers: "Extra request headers", args: "Extra arguments", addArg: "+ Argument", name: "Name", value: "Value",
      addHeader: "+ Header", remove: "Remove", send: "Send", sending: "Sending…", answer: "Answer to the request", sent: "Sent", curl: "The same request with curl",
      got: "Response headers", body: "Response body", failed: (m) => `Failed: ${m}`, forbidden: (n) => `“${n}” not sent: browsers forbid a page to set it.`,
      bad: (n) => `“${n}” is not a valid header name.`, cut: (n) => `The first ${n} characters are shown.`,
      explain: "Send makes the SPARQL request as a program would and shows its raw answer; Run shows the answer as a page." },
  }[LANG];
  const MOST_SHOWN = 200000;
  const METHODS = { get: "GET", form: T.form, direct: T.direct };
  // Fetch's forbidden request headers (a page cannot set them; the browser drops them).
  const FORBIDDEN = /^(accept-charset|accept-encoding|access-control-request-headers|access-control-request-method|connection|content-length|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/iu;
  const { endpoints, formats } = W.data;
  const own = (endpoints.find((e) => e.self) || endpoints[0]).path;
  const form = document.getElementById("query-form");

  // The choices: the tab's, then the address's (a shared link wins); the endpoint is the page's
  // own unless the address names another (rq-endpoint: a choice made here, a tab's address), so
  // the page one opens is the endpoint one asks.
  const tab = W.tab();
  const pairsOf = (list) => (Array.isArray(list) ? list.filter((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === "string")) : []);
  const params = new URLSearchParams(location.search);
  const kept = tab.request && typeof tab.request === "object" ? tab.request : {};
  const state = {
    method: kept.method, accept: kept.accept,
    defaults: Array.isArray(kept.defaults) ? kept.defaults : [], named: Array.isArray(kept.named) ? kept.named : [],
    headers: pairsOf(kept.headers), args: pairsOf(kept.args),
  };
  state.endpoint = params.get("rq-endpoint") || own;
  if (params.has("rq-method")) state.method = params.get("rq-method");
  if (params.has("rq-accept")) state.accept = params.get("rq-accept");
  if (params.has("rq-default-graph-uri")) state.defaults = params.getAll("rq-default-graph-uri");
  if (params.has("rq-named-graph-uri")) state.named = params.getAll("rq-named-graph-uri");
  if (!endpoints.some((e) => e.path === state.endpoint)) state.endpoint = own;
  if (!(state.method in METHODS)) state.method = "get";
  if (state.accept !== "*/*" && !formats.some((f) => f.type === state.accept)) state.accept = "*/*";

  function el(name, attrs = {}, ...children) {
    const node = document.createElement(name);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    node.append(...children);
    return node;
  }
  const field = (label, control) => el("p", { class: "field" }, el("label", { for: control.id }, label), control);
  const endpoint = el("select", { id: "request-endpoint" }, ...endpoints.map((e) => el("option",
    { value: e.path, selected: e.path === state.endpoint }, `${e.current ? T.current(e.id) : T.older(e.id, e.created)}${e.self ? ` (${T.self})` : ""} — ${e.path}`)));
  const method = el("select", { id: "request-method" }, ...Object.entries(METHODS).map(([k, v]) => el("option", { value: k, selected: k === state.method }, v)));
  const group = (kind, label) => el("optgroup", { label }, ...formats.filter((f) => f.kind === kind)
    .map((f) => el("option", { value: f.type, selected: f.type === state.accept }, `${f.type} (${f.name})`)));
  const accept = el("select", { id: "request-accept" }, el("option", { value: "*/*", selected: state.accept === "*/*" }, T.any),
    group("results", T.results), group("graph", T.graph));
  const defaults = el("textarea", { id: "request-default", rows: "2", spellcheck: "false", autocapitalize: "off" });
  const named = el("textarea", { id: "request-named", rows: "2", spellcheck: "false", autocapitalize: "off" });
  defaults.value = state.defaults.join("\n");
  named.value = state.named.join("\n");
  /** Name/value rows (request headers, or extra arguments): the fieldset and its values. */
  function pairs(kind, legend, addLabel) {
    const rows = el("div", { class: "pair-rows", id: `request-${kind}s` });
    const add = el("button", { type: "button", id: `request-add-${kind}` }, addLabel);
    let count = 0;
    function row(name = "", value = "") {
      const n = ++count;
      const nameBox = el("input", { id: `request-${kind}-name-${n}`, class: `${kind}-name`, value: name, autocapitalize: "off", spellcheck: "false" });
      const valueBox = el("input", { id: `request-${kind}-value-${n}`, class: `${kind}-value`, value, autocapitalize: "off", spellcheck: "false" });
      const remove = el("button", { type: "button", class: "remove", "aria-label": `${T.remove} ${legend} ${n}` }, T.remove);
      const line = el("div", { class: "pair-row" }, el("label", { for: nameBox.id }, T.name), nameBox,
        el("label", { for: valueBox.id }, T.value), valueBox, remove);
      remove.addEventListener("click", () => { line.remove(); changed(); add.focus(); });
      [nameBox, valueBox].forEach((b) => b.addEventListener("input", changed));
      rows.append(line);
      return nameBox;
    }
    add.addEventListener("click", () => row().focus());
    const values = () => [...rows.querySelectorAll(".pair-row")]
      .map((r) => [r.querySelector(`.${kind}-name`).value.trim(), r.querySelector(`.${kind}-value`).value]).filter(([n]) => n);
    return { set: el("fieldset", { class: "pairs" }, el("legend", {}, legend), rows, add), row, values };
  }
  const headerRows = pairs("header", T.headers, T.addHeader), argRows = pairs("arg", T.args, T.addArg);
  const send = el("button", { type: "button", id: "request-send" }, T.send);
  const status = el("p", { class: "status", role: "status", id: "request-status" });
  const out = el("div", { class: "request-answer", id: "request-answer", hidden: true });
  const panel = el("details", { class: "request", id: "request-panel" }, el("summary", {}, T.title),
    el("p", { class: "note" }, T.explain), field(T.endpoint, endpoint), field(T.method, method), field(T.accept, accept),
    field(T.defaults, defaults), field(T.named, named), headerRows.set, argRows.set,
    el("p", {}, send), status, out);
  W.panels.prepend(panel);
  W.keepOpen(panel);
  state.headers.forEach(([n, v]) => headerRows.row(n, v));
  state.args.forEach(([n, v]) => argRows.row(n, v));
  const iris = (box) => box.value.split(/\s+/u).filter(Boolean);

  /** The choices kept: in the tab, and (not the headers) in the address. */
  function changed() {
    Object.assign(state, { endpoint: endpoint.value, method: method.value, accept: accept.value, defaults: iris(defaults), named: iris(named),
      headers: headerRows.values(), args: argRows.values() });
    tab.request = { ...state };
    form.setAttribute("action", state.endpoint);  // Run opens the chosen endpoint's page
    const p = new URLSearchParams(location.search);
    ["rq-endpoint", "rq-method", "rq-accept", "rq-default-graph-uri", "rq-named-graph-uri"].forEach((k) => p.delete(k));
    if (state.endpoint !== own) p.set("rq-endpoint", state.endpoint);
    if (state.method !== "get") p.set("rq-method", state.method);
    if (state.accept !== "*/*") p.set("rq-accept", state.accept);
    state.defaults.forEach((g) => p.append("rq-default-graph-uri", g));
    state.named.forEach((g) => p.append("rq-named-graph-uri", g));
    history.replaceState(history.state, "", `${location.pathname}${p.toString() ? `?${p}` : ""}`);
    W.save();
  }
  [endpoint, method, accept].forEach((c) => c.addEventListener("change", changed));
  [defaults, named].forEach((c) => c.addEventListener("change", changed));
  changed();

  /** The request as the chosen method makes it: [url, fetch options, what is said of it]. */
  function request(query) {
    const graphs = new URLSearchParams();  // the graphs, then the extra arguments
    state.defaults.forEach((g) => graphs.append("default-graph-uri", g));
    state.named.forEach((g) => graphs.append("named-graph-uri", g));
    state.args.forEach(([n, v]) => graphs.append(n, v));
    const sent = new Headers(), notes = [];
    sent.set("Accept", state.accept);
    let url = state.endpoint, body = null;
    if (state.method === "get") {
      url += `?${new URLSearchParams([["query", query], ...graphs])}`;
    } else if (state.method === "form") {
      body = new URLSearchParams([["query", query], ...graphs]);
      sent.set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8");
    } else {
      body = query;
      sent.set("Content-Type", "application/sparql-query;charset=UTF-8");
      if ([...graphs].length) url += `?${graphs}`;
    }
    for (const [name, value] of state.headers) {
      if (FORBIDDEN.test(name)) { notes.push(T.forbidden(name)); continue; }
      try { sent.set(name, value); } catch (e) { notes.push(T.bad(name)); }
    }
    return [url, { method: state.method === "get" ? "GET" : "POST", headers: sent, body, cache: "no-store", credentials: "same-origin" }, notes];
  }

  let ticket = 0;
  send.addEventListener("click", async () => {
    changed();
    const query = W.text(), mine = ++ticket;
    const [url, init, notes] = request(query);
    status.textContent = T.sending;
    const said = `${init.method} ${url.length > 300 ? `${url.slice(0, 300)}…` : url}\n${[...init.headers].map(([n, v]) => `${n}: ${v}`).join("\n")}`;
    const quote = (x) => `'${String(x).replace(/'/gu, "'\\''")}'`;  // for a POSIX shell
    const curl = ["curl", "-sS", ...[...init.headers].flatMap(([n, v]) => ["-H", quote(`${n}: ${v}`)]),
      ...(init.body === null ? [] : ["--data-binary", quote(String(init.body))]), quote(new URL(url, location.href))].join(" ");
    W.remember(query, state.endpoint);
    let answer;
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      answer = { status: `HTTP ${response.status} ${response.statusText}`, headers: [...response.headers].map(([n, v]) => `${n}: ${v}`).join("\n"), text };
    } catch (error) {
      if (mine !== ticket) return;
      status.textContent = T.failed(error.message);
      return;
    }
    if (mine !== ticket) return;  // a later Send's answer wins
    const body = el("pre", { class: "raw", id: "request-body", tabindex: "0", role: "region", "aria-label": T.body }, answer.text.slice(0, MOST_SHOWN));
    out.replaceChildren(el("h3", {}, T.answer), ...notes.map((n) => el("p", { class: "note" }, n)),
      el("h4", {}, T.sent), el("pre", { class: "sent", id: "request-sent" }, said),
      el("details", { class: "curl" }, el("summary", {}, T.curl), el("pre", { id: "request-curl" }, curl)),
      el("p", { class: "status-line", id: "request-status-line" }, answer.status),
      el("h4", {}, T.got), el("pre", { class: "got", id: "request-got", tabindex: "0", role: "region", "aria-label": T.got }, answer.headers),
      el("h4", {}, T.body), body);
    if (answer.text.length > MOST_SHOWN) body.after(el("p", { class: "note" }, T.cut(MOST_SHOWN.toLocaleString(LANG))));
    out.hidden = false;
    status.textContent = answer.status;
  });
})();

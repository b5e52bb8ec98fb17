// The answer on the query page, drawn from the JSON data the server put in the page (the page
// works without it: a table of 100 rows a page, with links to the others).
// - Views: Table (paged, with the total; sorted by any column), BarChart and LineChart (the
//   label and value columns chosen by the reader), Map (when the answer has coordinates: lat/long
//   columns or WKT literals), chosen by "#defaultView:…" in the query as on the Wikidata Query
//   Service, else the map when there are coordinates, else the table.
// - The address keeps the view, page, sort and chart columns: a link reproduces what is shown.
// - The table's full-IRI switch, cut long cells and column widths are table.js's (kkbTable).
"use strict";

(function () {
  const holder = document.getElementById("answer-data");
  if (!holder) return;
  const DATA = JSON.parse(holder.textContent);
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const T = {
    id: { view: "Tampilan", Table: "Tabel", BarChart: "Grafik batang", LineChart: "Grafik garis", Map: "Peta",
      rows: "Baris", of: "dari", page: "Halaman", size: "Baris per halaman", first: "Pertama", prev: "Sebelumnya",
      next: "Berikutnya", last: "Terakhir", label: "Kolom label", values: "Kolom nilai", noNumbers: "Jawaban ini tidak memiliki kolom angka untuk grafik.",
      charted: (n, all) => `${n} baris pertama dari ${all} digambar.`, chart: "Grafik", map: (n) => `Peta ${n} lokasi`,
      pages: "Halaman jawaban", Response: "Jawaban mentah", format: "Format",
      cut: (n) => `${n} karakter pertama; unduh untuk selengkapnya.`, filter: "Saring baris", filtered: (n) => `dari ${n} seluruhnya` },
    en: { view: "View", Table: "Table", BarChart: "Bar chart", LineChart: "Line chart", Map: "Map",
      rows: "Rows", of: "of", page: "Page", size: "Rows per page", first: "First", prev: "Previous",
      next: "Next", last: "Last", label: "Label column", values: "Value columns", noNumbers: "This answer has no numeric column to chart.",
      charted: (n, all) => `The first ${n} of ${all} rows are drawn.`, chart: "Chart", map: (n) => `Map of ${n} places`,
      pages: "Pages of the answer", Response: "Raw response", format: "Format",
      cut: (n) => `The first ${n} characters; download it for the whole.`, filter: "Filter rows", filtered: (n) => `of ${n} in all` },
  }[LANG];
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f6f8b", "#c2410c", "#4d7c0f", "#7c3aed", "#b91c1c", "#0f766e"];
  const MOST_CHARTED = 200;
  const numeric = new Set(DATA.numeric);
  const columns = DATA.columns;
  const rows = DATA.rows;
  const isNumber = (c) => c && numeric.has(c[2]);
  const numberColumns = columns.map((_, i) => i).filter((i) => rows.some((r) => r[i]) && rows.every((r) => !r[i] || isNumber(r[i])));
  const WKT = /^\s*(?:<[^>]*>\s*)?(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON)\s*(Z\s*)?\(/iu;
  const wktColumns = columns.map((_, i) => i).filter((i) => rows.some((r) => r[i] && WKT.test(r[i][0])));
  const lat = columns.findIndex((c, i) => /^(lat|latitude|lintang)$|lat$/iu.test(c) && numberColumns.includes(i));
  const long = columns.findIndex((c, i) => /^(long|lon|lng|longitude|bujur)$|(long|lon|lng)$/iu.test(c) && numberColumns.includes(i));
  const hasMap = wktColumns.length > 0 || (lat >= 0 && long >= 0);
  const formats = [...document.querySelectorAll("section.answer a.download")].map((a) => ({ name: a.textContent.trim(), href: a.getAttribute("href") }));
  const VIEWS = ["Table", "BarChart", "LineChart", ...(hasMap ? ["Map"] : []), ...(formats.length ? ["Response"] : [])];
  const MOST_SHOWN = 200000;

  const params = new URLSearchParams(location.search);
  const TABLE = window.kkbTable;
  const query = (document.getElementById("query") || {}).value || params.get("query") || "";
  const asked = /#\s*defaultView\s*:\s*(\w+)/iu.exec(query);
  const wanted = params.get("view") || (asked && asked[1]);
  const state = {
    view: VIEWS.find((v) => wanted && v.toLowerCase() === wanted.toLowerCase()) || (hasMap ? "Map" : "Table"),
    page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
    size: [10, 25, 50, 100, 500].includes(Number(params.get("size"))) ? Number(params.get("size")) : 100,
    sort: params.get("sort") || "",
    filter: params.get("filter") || "",
    format: formats.some((f) => f.name === params.get("fmt")) ? params.get("fmt") : (formats[0] || {}).name,
    x: columns.includes(params.get("x")) ? columns.indexOf(params.get("x")) : columns.findIndex((_, i) => !numberColumns.includes(i)),
    y: (params.get("y") || "").split(",").filter((c) => numberColumns.includes(columns.indexOf(c))).map((c) => columns.indexOf(c)),
    iris: params.get("iris") === "full" ? "full" : "compact",
    widths: TABLE ? TABLE.readWidths(params.get("widths"), columns) : {},
  };
  if (!state.y.length && numberColumns.length) state.y = [numberColumns[0]];
  if (state.x < 0) state.x = 0;

  function remember() {
    const p = new URLSearchParams(location.search);
    p.set("view", state.view);
    p.set("page", String(state.page));
    state.size === 100 ? p.delete("size") : p.set("size", String(state.size));
    state.sort ? p.set("sort", state.sort) : p.delete("sort");
    state.filter ? p.set("filter", state.filter) : p.delete("filter");
    state.view === "Response" ? p.set("fmt", state.format) : p.delete("fmt");
    state.iris === "full" ? p.set("iris", "full") : p.delete("iris");
    const widths = TABLE ? TABLE.writeWidths(state.widths) : "";
    widths ? p.set("widths", widths) : p.delete("widths");
    if (TABLE) TABLE.carry({ iris: state.iris === "full" ? "full" : "", widths });
    if (state.view === "BarChart" || state.view === "LineChart") {
      p.set("x", columns[state.x]);
      p.set("y", state.y.map((i) => columns[i]).join(","));
    } else { p.delete("x"); p.delete("y"); }
    history.replaceState(null, "", `${location.pathname}?${p}`);
    // The language links keep what is shown too.
    document.querySelectorAll(".langs a[hreflang]").forEach((a) => {
      p.set("lang", a.getAttribute("hreflang"));
      a.setAttribute("href", `?${p}`);
    });
  }

  function el(name, attrs = {}, ...children) {
    const node = name.startsWith("svg:") ? document.createElementNS(SVG, name.slice(4)) : document.createElement(name);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  }

  /** A cell's text and note as the table shows them: IRIs compact, or in full (c[3], and the note's datatype). */
  const text = (c) => (state.iris === "full" && c.length > 3 ? c[3] : c[0]);
  const note = (c) => {
    const [prefix, local] = c[2].split(/:(.*)/su);
    return state.iris === "full" && local !== undefined && Object.hasOwn(DATA.prefixes, prefix) ? DATA.prefixes[prefix] + local : c[2];
  };

  /** The rows kept by the filter (any cell containing its text, case folded), in the chosen order. */
  function ordered() {
    const wanted = state.filter.trim().toLocaleLowerCase(LANG);
    const all = rows.map((row, i) => ({ row, i }))
      .filter(({ row }) => !wanted || row.some((c) => c && `${text(c)} ${note(c)}`.toLocaleLowerCase(LANG).includes(wanted)));
    if (!state.sort) return all;
    const descending = state.sort.startsWith("-");
    const column = columns.indexOf(state.sort.replace(/^-/u, ""));
    if (column < 0) return all;
    const asNumber = numberColumns.includes(column);
    const key = (r) => (r[column] ? (asNumber ? Number(r[column][0]) : text(r[column])) : null);
    all.sort((a, b) => {
      const p = key(a.row), q = key(b.row);
      const d = p === null ? (q === null ? 0 : 1) : q === null ? -1
        : asNumber ? p - q : String(p).localeCompare(String(q), LANG, { numeric: true });
      return (descending && p !== null && q !== null ? -d : d) || a.i - b.i;
    });
    return all;
  }

  function cell(c) {
    const td = el("td");
    if (!c) return td;
    if (isNumber(c)) td.dataset.num = c[0];
    if (TABLE) return TABLE.content(td, text(c), c[1], note(c));
    td.append(c[1] ? el("a", { href: c[1] }, text(c)) : text(c));
    if (note(c)) td.append(" ", el("small", {}, note(c)));
    return td;
  }

  function table(panel) {
    const kept = ordered();
    const pages = Math.max(1, Math.ceil(kept.length / state.size));
    state.page = Math.min(state.page, pages);
    const from = (state.page - 1) * state.size;
    const shown = kept.slice(from, from + state.size);
    const go = (n, id) => () => {
      state.page = n;
      draw(() => { const b = document.getElementById(id); (b && !b.disabled ? b : document.getElementById("page-number")).focus(); });
    };
    const button = (text, n, disabled, id) => el("button", { type: "button", id, disabled: disabled ? "" : null, "data-page": n }, text);
    const nav = el("nav", { class: "pager", "aria-label": T.pages });
    const first = button(`« ${T.first}`, 1, state.page === 1, "page-first");
    const prev = button(`‹ ${T.prev}`, state.page - 1, state.page === 1, "page-prev");
    const next = button(`${T.next} ›`, state.page + 1, state.page === pages, "page-next");
    const last = button(`${T.last} »`, pages, state.page === pages, "page-last");
    [first, prev, next, last].forEach((b) => b.addEventListener("click", go(Number(b.dataset.page), b.id)));
    const where = el("span", { class: "where" }, `${T.rows} ${shown.length ? from + 1 : 0}–${from + shown.length} ${T.of} `,
      el("span", { class: "total" }, kept.length.toLocaleString(LANG)),
      kept.length < rows.length ? ` (${T.filtered(rows.length.toLocaleString(LANG))})` : "");
    const filter = el("input", { type: "search", id: "result-filter", value: state.filter });
    filter.addEventListener("input", () => {
      state.filter = filter.value;
      state.page = 1;
      const at = filter.selectionStart;
      draw(() => { const f = document.getElementById("result-filter"); f.focus(); f.setSelectionRange(at, at); });
    });
    const number = el("input", { type: "number", min: "1", max: String(pages), value: String(state.page), id: "page-number" });
    number.addEventListener("change", () => { state.page = Math.max(1, Math.min(pages, Number(number.value) || 1)); draw(); });
    const size = el("select", { id: "page-size" }, ...[10, 25, 50, 100, 500].map((n) => el("option", { value: String(n), selected: n === state.size ? "" : null }, String(n))));
    size.addEventListener("change", () => { state.size = Number(size.value); state.page = Math.floor(from / state.size) + 1; draw(); });
    nav.append(first, prev, where, el("label", { for: "page-number" }, `${T.page} `), number, ` / ${pages}`, next, last,
      el("label", { for: "page-size" }, T.size), size);
    const head = el("tr");
    columns.forEach((name, i) => {
      const direction = state.sort === name ? "ascending" : state.sort === `-${name}` ? "descending" : null;
      const b = el("button", { type: "button" }, name);
      b.addEventListener("click", () => {
        state.sort = direction === "ascending" ? `-${name}` : name;
        state.page = 1;
        draw(() => panel.querySelectorAll("th button")[i].focus());
      });
      head.append(el("th", { scope: "col", "aria-sort": direction }, b));
    });
    const body = el("tbody", {}, ...shown.map(({ row }) => el("tr", {}, ...row.map(cell))));
    const tools = !TABLE ? [] : TABLE.tools(state.iris === "full", Object.keys(state.widths).length > 0,
      () => { state.iris = state.iris === "full" ? "compact" : "full"; draw(() => document.getElementById("iri-switch").focus()); },
      () => { state.widths = {}; draw(() => document.getElementById("iri-switch").focus()); });
    const drawn = el("table", { class: "results" }, el("thead", {}, head), body);
    panel.append(el("p", { class: "filter" }, el("label", { for: "result-filter" }, T.filter), " ", filter, ...tools),
      nav, el("div", { class: "scroll" }, drawn));
    if (TABLE) TABLE.sizable(drawn, columns, state.widths, () => { remember(); });
  }

  function chartControls(panel) {
    const pick = el("fieldset", { class: "columns" }, el("legend", {}, T.chart));
    const x = el("select", { id: "chart-x" }, ...columns.map((c, i) => el("option", { value: String(i), selected: i === state.x ? "" : null }, c)));
    x.addEventListener("change", () => { state.x = Number(x.value); draw(); });
    pick.append(el("label", { for: "chart-x" }, T.label), x);
    const values = el("fieldset", { class: "values" }, el("legend", {}, T.values));
    numberColumns.forEach((i) => {
      const box = el("input", { type: "checkbox", id: `chart-y-${i}`, value: String(i), checked: state.y.includes(i) ? "" : null });
      box.addEventListener("change", () => {
        state.y = numberColumns.filter((j) => (j === i ? box.checked : state.y.includes(j)));
        draw(() => document.getElementById(`chart-y-${i}`).focus());
      });
      values.append(el("label", { class: "pick" }, box, " ", el("span", { class: `swatch s${numberColumns.indexOf(i) % COLOURS.length}` }), columns[i]));
    });
    pick.append(values);
    panel.append(pick);
  }

  function chart(panel, kind) {
    if (!numberColumns.length) { panel.append(el("p", {}, T.noNumbers)); return; }
    chartControls(panel);
    const data = ordered().slice(0, MOST_CHARTED).map(({ row }) => row);
    const series = state.y;
    const width = Math.max(300, panel.clientWidth || 600);
    const names = data.map((r) => (r[state.x] ? r[state.x][0] : ""));
    const values = data.map((r) => series.map((i) => (r[i] ? Number(r[i][0]) : 0)));
    const top = Math.max(0, ...values.flat()), bottom = Math.min(0, ...values.flat());
    const left = Math.min(200, Math.max(60, width * 0.3));
    const title = `${T[kind]}: ${series.map((i) => columns[i]).join(", ")} / ${columns[state.x]}`;
    const svg = el("svg:svg", { class: `chart ${kind}`, role: "img", "aria-label": title, width: String(width) });
    svg.append(el("svg:title", {}, title));
    const scale = (v) => left + ((v - bottom) / ((top - bottom) || 1)) * (width - left - 50);
    if (kind === "BarChart") {
      const band = Math.max(16, series.length * 14 + 6);
      svg.setAttribute("height", String(data.length * band + 10));
      data.forEach((_, r) => {
        const y = 5 + r * band;
        svg.append(el("svg:text", { x: String(left - 6), y: String(y + band / 2 + 4), "text-anchor": "end", class: "name" }, names[r].slice(0, 28)));
        series.forEach((_, s) => {
          const v = values[r][s], x0 = scale(Math.min(0, v)), x1 = scale(Math.max(0, v));
          const bar = el("svg:rect", { x: String(x0), y: String(y + 2 + s * 14), width: String(Math.max(1, x1 - x0)), height: "12", class: `bar s${numberColumns.indexOf(series[s]) % COLOURS.length}` });
          bar.append(el("svg:title", {}, `${names[r]} · ${columns[series[s]]}: ${v.toLocaleString(LANG)}`));
          svg.append(bar, el("svg:text", { x: String(x1 + 4), y: String(y + 12 + s * 14), class: "value" }, v.toLocaleString(LANG)));
        });
      });
    } else {
      const height = 320, base = height - 60, span = (top - bottom) || 1;
      svg.setAttribute("height", String(height));
      const px = (r) => 60 + (data.length > 1 ? (r / (data.length - 1)) * (width - 90) : (width - 90) / 2);
      const py = (v) => 10 + (1 - (v - bottom) / span) * (base - 10);
      svg.append(el("svg:line", { x1: "60", x2: String(width - 30), y1: String(py(bottom)), y2: String(py(bottom)), class: "axis" }));
      [bottom, (top + bottom) / 2, top].forEach((v) => svg.append(el("svg:text", { x: "54", y: String(py(v) + 4), "text-anchor": "end", class: "value" }, Number(v.toPrecision(4)).toLocaleString(LANG))));
      const every = Math.max(1, Math.ceil(data.length / Math.max(1, Math.floor((width - 90) / 70))));
      names.forEach((n, r) => { if (r % every === 0) svg.append(el("svg:text", { x: String(px(r)), y: String(base + 20), "text-anchor": "middle", class: "name" }, n.slice(0, 12))); });
      series.forEach((column, s) => {
        const cls = `s${numberColumns.indexOf(column) % COLOURS.length}`;
        svg.append(el("svg:polyline", { points: values.map((v, r) => `${px(r)},${py(v[s])}`).join(" "), class: `line ${cls}` }));
        values.forEach((v, r) => {
          const dot = el("svg:circle", { cx: String(px(r)), cy: String(py(v[s])), r: "4", class: `dot ${cls}` });
          dot.append(el("svg:title", {}, `${names[r]} · ${columns[column]}: ${v[s].toLocaleString(LANG)}`));
          svg.append(dot);
        });
      });
    }
    panel.append(el("div", { class: "scroll" }, svg));
    if (rows.length > MOST_CHARTED) panel.append(el("p", { class: "note" }, T.charted(MOST_CHARTED, rows.length)));
  }

  /** The shapes of a WKT literal (CRS84: longitude first) as lists of [long, lat] points. */
  function shapes(text) {
    const kind = WKT.exec(text)[1].toUpperCase();
    const body = text.slice(text.indexOf("("));
    const rings = [...body.matchAll(/\(([^()]*)\)/gu)].map((m) => m[1].split(",").map((p) => p.trim().split(/\s+/u).map(Number)).filter((p) => p.length >= 2 && p.every(Number.isFinite)));
    if (kind.includes("POLYGON")) return [{ kind, points: rings.flat(), rings }];  // holes stay holes
    return rings.map((points) => ({ kind, points }));
  }

  function map(panel) {
    const places = [];
    const named = (link) => columns.findIndex((_, i) => i !== lat && i !== long && !wktColumns.includes(i)
      && rows.some((r) => r[i] && !isNumber(r[i]) && !r[i][1] === !link));
    const labelColumn = named(false) >= 0 ? named(false) : named(true);
    rows.forEach((row) => {
      const name = labelColumn >= 0 && row[labelColumn] ? row[labelColumn][0] : "";
      const href = row.map((c) => c && c[1]).find(Boolean) || null;
      if (lat >= 0 && long >= 0 && row[lat] && row[long]) places.push({ name, href, kind: "POINT", points: [[Number(row[long][0]), Number(row[lat][0])]] });
      wktColumns.forEach((i) => { if (row[i] && WKT.test(row[i][0])) shapes(row[i][0]).forEach((s) => places.push({ name, href, ...s })); });
    });
    const all = places.flatMap((p) => p.points);
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180) || 1;
    const width = Math.max(300, panel.clientWidth || 600), pad = 20;
    const spanX = ((x1 - x0) * k) || 0.01, spanY = (y1 - y0) || 0.01;
    const s = Math.min((width - 2 * pad) / spanX, 480 / spanY);
    const height = Math.ceil(spanY * s + 2 * pad);
    const shift = (width - 2 * pad - spanX * s) / 2;  // centred across
    const xy = (p) => [pad + shift + (p[0] - x0) * k * s, pad + (y1 - p[1]) * s];
    const px = (p) => xy(p).map((v) => v.toFixed(1)).join(",");
    const svg = el("svg:svg", { class: "map", role: "group", "aria-label": T.map(rows.length), width: String(width), height: String(height) });
    svg.append(el("svg:title", {}, T.map(rows.length)), el("svg:rect", { x: "0", y: "0", width: String(width), height: String(height), class: "sea" }));
    // A graticule at a round step, so distances and directions can be read.
    const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20].find((d) => Math.max(x1 - x0, y1 - y0) / d <= 6) || 30;
    for (let x = Math.ceil((x0 - spanX) / step) * step; x <= x1 + spanX; x += step) {
      const [a] = xy([x, 0]);
      if (a > 0 && a < width) svg.append(el("svg:line", { x1: a.toFixed(1), x2: a.toFixed(1), y1: "0", y2: String(height), class: "grid" }));
    }
    for (let y = Math.ceil((y0 - spanY) / step) * step; y <= y1 + spanY; y += step) {
      const [, b] = xy([0, y]);
      if (b > 0 && b < height) svg.append(el("svg:line", { x1: "0", x2: String(width), y1: b.toFixed(1), y2: b.toFixed(1), class: "grid" }));
    }
    const labelled = places.length <= 40;  // few places: their names as text, not only on hover
    const drawn = places.sort((a, b) => (a.kind.includes("POINT") ? 1 : 0) - (b.kind.includes("POINT") ? 1 : 0)).map((p) => {
      const shape = [];
      if (p.kind.includes("POINT")) {
        const [cx, cy] = px(p.points[0]).split(",");
        shape.push(el("svg:circle", { cx, cy, r: "5", class: "place" }));
        if (labelled && p.name) shape.push(el("svg:text", { x: String(Number(cx) + 7), y: String(Number(cy) + 4), class: "name" }, p.name));
      } else if (p.kind.includes("POLYGON")) {
        const d = p.rings.map((ring) => `M${ring.map(px).join("L")}Z`).join(" ");
        shape.push(el("svg:path", { d, "fill-rule": "evenodd", class: "area" }));
        if (labelled && p.name) {
          const xs_ = p.points.map((q) => xy(q)[0]), ys_ = p.points.map((q) => xy(q)[1]);
          const cx = (Math.min(...xs_) + Math.max(...xs_)) / 2, cy = (Math.min(...ys_) + Math.max(...ys_)) / 2;
          shape.push(el("svg:text", { x: cx.toFixed(1), y: cy.toFixed(1), "text-anchor": "middle", class: "name" }, p.name));
        }
      } else {
        shape.push(el("svg:polyline", { points: p.points.map(px).join(" "), class: "route" }));
      }
      if (p.name) shape[0].append(el("svg:title", {}, p.name));
      return p.href ? el("svg:a", { href: p.href }, ...shape) : el("svg:g", {}, ...shape);
    });
    svg.append(...drawn);
    panel.append(el("div", { class: "scroll" }, svg));
  }

  /** The answer as the server writes it in a format, fetched from the download link (the same
   *  server; the query runs again), shown as text. */
  function response(panel) {
    const pick = el("select", { id: "response-format" }, ...formats.map((f) => el("option", { value: f.name, selected: f.name === state.format ? "" : null }, f.name)));
    pick.addEventListener("change", () => { state.format = pick.value; draw(() => document.getElementById("response-format").focus()); });
    const out = el("pre", { class: "raw", tabindex: "0", role: "region", "aria-label": `${T.Response} (${state.format})` });
    panel.append(el("p", {}, el("label", { for: "response-format" }, `${T.format} `), pick), out);
    const chosen = formats.find((f) => f.name === state.format);
    fetch(chosen.href).then((r) => r.text()).then((text) => {
      out.textContent = text.slice(0, MOST_SHOWN);
      if (text.length > MOST_SHOWN) out.after(el("p", { class: "note" }, T.cut(MOST_SHOWN.toLocaleString(LANG))));
    });
  }

  const answer = document.querySelector("section.answer");
  ["#static-results", "#static-iris", ".answer > nav.pager", "details.chart"].forEach((s) => answer.querySelectorAll(s).forEach((n) => n.remove()));
  const views = el("div", { class: "views", role: "group", "aria-label": T.view });
  const panel = el("div", { class: "view", id: "result-view" });
  VIEWS.forEach((v) => {
    const b = el("button", { type: "button", "data-view": v, "aria-pressed": "false" }, T[v]);
    b.addEventListener("click", () => { state.view = v; draw(); });
    views.append(b);
  });
  holder.before(views, panel);

  function draw(then) {
    views.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.view === state.view)));
    panel.replaceChildren();
    panel.dataset.view = state.view;
    if (state.view === "Table") table(panel);
    else if (state.view === "Map") map(panel);
    else if (state.view === "Response") response(panel);
    else chart(panel, state.view);
    remember();
    if (then) then();
  }
  draw();
  window.addEventListener("resize", () => { if (state.view !== "Table") draw(); });
})();

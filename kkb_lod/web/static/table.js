// The answer table's own tools, used by results.js when it draws the table (the page works
// without them: the server's table, with a link to its IRIs in full).
// - Compact or full IRIs: a toggle button (aria-pressed); results.js keeps the choice in the
//   address as iris=full, the argument the server's table reads too.
// - Long cells: cut after three lines with an ellipsis (CSS line-clamp), each with a "more"
//   button (aria-expanded, aria-controls) shown only where the text is really cut. The whole text
//   stays in the page, so a screen reader reads it and a selection copies it.
// - Column widths: a focusable separator at the right of each column head (role=separator,
//   aria-valuenow in pixels), dragged with the mouse or a finger, or moved by the arrow keys
//   (Shift: five times further; Home/End: narrowest/widest). The widths are kept in the address
//   (widths=name:px,…) by results.js, so they survive paging, sorting, a reload and a link.
// - Both go with the next query run from the form (hidden fields), as YASGUI keeps them.
"use strict";

window.kkbTable = (function () {
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const T = {
    id: { full: "IRI lengkap", more: "selengkapnya", reset: "Lebar kolom semula",
      width: (c) => `Lebar kolom ${c}`, px: (n) => `${n} piksel`, how: "Seret, atau tekan panah kiri/kanan" },
    en: { full: "Full IRIs", more: "more", reset: "Reset column widths",
      width: (c) => `Width of column ${c}`, px: (n) => `${n} pixels`, how: "Drag, or press the left/right arrows" },
  }[LANG];
  const NARROWEST = 48, WIDEST = 1200, STEP = 10;
  /** Texts longer than this may be cut (whether they are is measured: it depends on the width). */
  const LONG = 40;
  let cells = 0;

  function el(name, attrs = {}, ...children) {
    const node = document.createElement(name);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
    node.append(...children);
    return node;
  }

  /** The widths kept in the address ("name:px,…"), for the columns the answer has. */
  function readWidths(text, columns) {
    const widths = {};
    for (const part of (text || "").split(",")) {
      const at = part.lastIndexOf(":");
      const name = part.slice(0, at), px = Number(part.slice(at + 1));
      if (at > 0 && columns.includes(name) && Number.isInteger(px) && px >= NARROWEST && px <= WIDEST) widths[name] = px;
    }
    return widths;
  }

  const writeWidths = (widths) => Object.entries(widths).map(([name, px]) => `${name}:${px}`).join(",");

  /** A cell's content: the text (a link when it has one) and its note; a long text is cut, with
   *  a button that shows it whole. */
  function content(td, text, href, note) {
    const shown = href ? el("a", { href }, text) : document.createTextNode(text);
    const small = note ? [" ", el("small", {}, note)] : [];
    if (text.length <= LONG) {
      td.append(shown, ...small);
      return td;
    }
    const id = `cell-${++cells}`;
    const whole = el("span", { class: "long cut", id }, shown);
    const more = el("button", { type: "button", class: "more", "aria-expanded": "false", "aria-controls": id }, T.more);
    more.addEventListener("click", () => more.setAttribute("aria-expanded", String(!whole.classList.toggle("cut"))));
    td.append(whole, ...small, " ", more);
    return td;
  }

  /** Each "more" button shown only where its text is cut (or has been opened). */
  function fit(table) {
    table.querySelectorAll("span.long").forEach((whole) => {
      const more = whole.parentNode.querySelector("button.more");
      more.hidden = whole.classList.contains("cut") && whole.scrollHeight <= whole.clientHeight + 1;
    });
  }

  /** The compact/full switch, a "reset widths" button when widths are set. */
  function tools(full, sized, onFull, onReset) {
    const toggle = el("button", { type: "button", id: "iri-switch", class: "toggle", "aria-pressed": String(full) }, T.full);
    toggle.addEventListener("click", onFull);
    const out = [toggle];
    if (sized) {
      const reset = el("button", { type: "button", id: "widths-reset", class: "toggle" }, T.reset);
      reset.addEventListener("click", onReset);
      out.push(reset);
    }
    return out;
  }

  /** Separators in the table's column heads; ``widths`` (name → px) applied now and as they
   *  move; ``kept(widths)`` called when a move ends. */
  function sizable(table, columns, widths, kept) {
    const heads = [...table.tHead.rows[0].cells];
    const cols = el("colgroup", {}, ...columns.map(() => el("col")));
    table.prepend(cols);
    const natural = heads.map((th) => Math.round(th.getBoundingClientRect().width));
    const now = (i) => widths[columns[i]] || natural[i];
    const separators = heads.map((th, i) => {
      const bar = el("span", { role: "separator", tabindex: "0", class: "resize", "aria-orientation": "vertical",
        "aria-label": T.width(columns[i]), title: T.how, "aria-valuemin": String(NARROWEST), "aria-valuemax": String(WIDEST) });
      th.append(bar);
      th.setAttribute("aria-label", columns[i]);  // the head's name stays the column's, without its separator's
      return bar;
    });

    function apply() {
      const sized = Object.keys(widths).length > 0;
      table.classList.toggle("sized", sized);
      [...cols.children].forEach((col, i) => { col.style.width = sized ? `${now(i)}px` : ""; });
      table.style.width = sized ? `${columns.reduce((sum, _, i) => sum + now(i), 0)}px` : "";
      separators.forEach((bar, i) => {
        const px = Math.max(NARROWEST, Math.min(WIDEST, now(i)));
        bar.setAttribute("aria-valuenow", String(px));
        bar.setAttribute("aria-valuetext", T.px(px));
      });
      fit(table);
    }
    const set = (i, px) => { widths[columns[i]] = Math.round(Math.max(NARROWEST, Math.min(WIDEST, px))); apply(); };

    separators.forEach((bar, i) => {
      bar.addEventListener("keydown", (event) => {
        const step = event.shiftKey ? 5 * STEP : STEP;
        const to = { ArrowLeft: now(i) - step, ArrowDown: now(i) - step, ArrowRight: now(i) + step,
          ArrowUp: now(i) + step, Home: NARROWEST, End: WIDEST }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        set(i, to);
        kept(widths);
      });
      let start = null;
      bar.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        bar.setPointerCapture(event.pointerId);
        start = { x: event.clientX, px: now(i) };
        bar.focus();
      });
      bar.addEventListener("pointermove", (event) => { if (start) set(i, start.px + event.clientX - start.x); });
      const end = () => { if (start) { start = null; kept(widths); } };
      bar.addEventListener("pointerup", end);
      bar.addEventListener("pointercancel", end);
    });
    apply();
  }

  /** The query form carries the table's choices (name → value; none when empty) to the next
   *  query run, as hidden fields: full IRIs stay full, a column of the same name keeps its width. */
  function carry(choices) {
    const form = document.getElementById("query-form");
    if (!form) return;
    for (const [name, value] of Object.entries(choices)) {
      let field = form.querySelector(`input[type="hidden"][name="${name}"]`);
      if (!value) { if (field) field.remove(); continue; }
      if (!field) form.append(field = el("input", { type: "hidden", name }));
      field.value = value;
    }
  }

  window.addEventListener("resize", () => document.querySelectorAll("#result-view table.results").forEach(fit));
  return { readWidths, writeWidths, content, tools, sizable, carry };
})();

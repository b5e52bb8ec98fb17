// The query page's enhancements; the page works without them (a plain textarea and a table).
// - SPARQL syntax highlighting: the textarea stays the editor (native keyboard, undo, screen
//   readers); a highlighted copy is drawn behind its transparent text.
// - Ctrl/Cmd+Enter runs the query.
// - Result tables sort by a column when its header is pressed (numbers as numbers).
"use strict";

(function () {
  const KEYWORDS = new Set(("select construct describe ask where from named prefix base distinct " +
    "reduced as filter optional union minus graph service silent bind values group by order " +
    "having limit offset asc desc not exists in a true false undef count sum min max avg sample " +
    "group_concat separator str lang langmatches datatype bound iri uri bnode rand abs ceil floor " +
    "round concat strlen ucase lcase encode_for_uri contains strstarts strends strbefore strafter " +
    "year month day hours minutes seconds timezone tz now uuid struuid md5 sha1 sha256 sha384 " +
    "sha512 coalesce if strlang strdt sameterm isiri isuri isblank isliteral isnumeric regex " +
    "substr replace").split(" "));
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                                   // 1 comment
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                     // 2 IRI
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)", // 3 string
    "([?$][A-Za-z0-9_\\u00B7-\\uFFFF]+)",                          // 4 variable
    "([A-Za-z_][\\w-]*:(?:[\\w-]|\\.(?=[\\w-]))*|:[\\w-]+)",        // 5 prefixed name
    "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",                    // 6 number
    "([A-Za-z_]+)",                                                  // 7 word
  ].join("|"), "gu");
  const CLASSES = [null, "comment", "iri", "string", "var", "pname", "number"];

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    let html = "", last = 0;
    for (const m of text.matchAll(TOKEN)) {
      html += escape(text.slice(last, m.index));
      let cls = null;
      for (let i = 1; i <= 6; i++) if (m[i] !== undefined) { cls = CLASSES[i]; break; }
      if (!cls && m[7] !== undefined && KEYWORDS.has(m[7].toLowerCase())) cls = "keyword";
      html += cls ? `<span class="tok-${cls}">${escape(m[0])}</span>` : escape(m[0]);
      last = m.index + m[0].length;
    }
    // A trailing newline needs a character after it, or the copy ends a line short.
    return html + escape(text.slice(last)) + "\n ";
  }

  function enhanceEditor(editor) {
    const area = editor.querySelector("textarea");
    const code = editor.querySelector("pre code");
    const pre = editor.querySelector("pre");
    const redraw = () => { code.innerHTML = highlight(area.value); pre.scrollTop = area.scrollTop; };
    area.addEventListener("input", redraw);
    area.addEventListener("scroll", () => { pre.scrollTop = area.scrollTop; });
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.form.requestSubmit();
      }
    });
    editor.classList.add("enhanced");
    redraw();
  }

  function sortable(table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const cells = rows.map((r) => r.cells[column]);
        const numeric = cells.every((c) => !c.textContent.trim() || c.hasAttribute("data-num"));
        const key = (c) => numeric ? Number(c.getAttribute("data-num") ?? -Infinity) : c.textContent.trim();
        const order = rows.map((row, i) => ({ row, k: key(row.cells[column]), i }));
        order.sort((a, b) => {
          const d = numeric ? a.k - b.k : a.k.localeCompare(b.k, undefined, { numeric: true });
          return (ascending ? d : -d) || a.i - b.i;
        });
        order.forEach(({ row }) => body.appendChild(row));
      });
    });
  }

  document.querySelectorAll(".editor").forEach(enhanceEditor);
  document.querySelectorAll("table.results").forEach(sortable);
})();

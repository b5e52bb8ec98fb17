// The query page's editor; the page works without it (a plain textarea that submits the query).
// - SPARQL syntax highlighting: the textarea stays the editor (native keyboard, undo, screen
//   readers); a highlighted copy is drawn behind its transparent text, line numbers beside it.
// - Completion (Ctrl+Space, or as you type a prefixed name, a PREFIX line or "<" and a name):
//   prefixes, our classes and properties (/sparql/completions: the ontology and the VoID),
//   resources by label (/sparql/labels) and the query's own variables; all from this server. Arrows move, Enter/Tab take,
//   Escape closes.
// - A known prefix typed but not declared gets its PREFIX line, as YASGUI does.
// - A syntax error the server found is marked at its line and column; as you type, quick checks
//   (brackets, strings, prefixes) mark what they find and say it in the status line.
// - Ctrl/Cmd+Enter runs the query; Ctrl/Cmd+/ comments lines out and in; Shift+Ctrl/Cmd+F
//   formats it (format.js breaks the lines and re-indents them).
"use strict";

(function () {
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const TEXT = {
    id: { added: (p) => `PREFIX ${p}: ditambahkan`, found: (n) => `${n} saran`, none: "Tidak ada saran",
      list: "Saran pelengkapan", class: "kelas", property: "properti", prefix: "prefiks", resource: "sumber daya", variable: "variabel",
      where: (l, c) => `Baris ${l}, kolom ${c}`, unclosed: (c) => `“${c}” belum ditutup`,
      unopened: (c) => `“${c}” tanpa pembuka`, mismatched: (c, o) => `“${c}” tidak menutup “${o}”`,
      string: "string belum ditutup", formatted: "Kueri dirapikan", undeclared: (p) => `prefiks “${p}:” belum dideklarasikan` },
    en: { added: (p) => `PREFIX ${p}: added`, found: (n) => `${n} suggestion${n === 1 ? "" : "s"}`, none: "No suggestions",
      list: "Completion suggestions", class: "class", property: "property", prefix: "prefix", resource: "resource", variable: "variable",
      where: (l, c) => `Line ${l}, column ${c}`, unclosed: (c) => `“${c}” is not closed`,
      unopened: (c) => `“${c}” closes nothing`, mismatched: (c, o) => `“${c}” does not close “${o}”`,
      string: "a string is not closed", formatted: "Query formatted", undeclared: (p) => `the prefix “${p}:” is not declared` },
  }[LANG];
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
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/[\uE000-\uF8FF]/gu, '<span class="fold-mark">$&</span>');  // fold.js's placeholders
  }

  /** The text between tokens, with the brackets at ``marks`` (offsets) wrapped to be shown. */
  function gap(text, from, to, marks) {
    let html = "", at = from;
    for (const i of marks) {
      if (i >= from && i < to) {
        html += `${escape(text.slice(at, i))}<span class="match">${escape(text[i])}</span>`;
        at = i + 1;
      }
    }
    return html + escape(text.slice(at, to));
  }

  function highlight(text, marks = []) {
    let html = "", last = 0;
    for (const m of text.matchAll(TOKEN)) {
      html += gap(text, last, m.index, marks);
      let cls = null;
      for (let i = 1; i <= 6; i++) if (m[i] !== undefined) { cls = CLASSES[i]; break; }
      if (!cls && m[7] !== undefined && KEYWORDS.has(m[7].toLowerCase())) cls = "keyword";
      html += cls ? `<span class="tok-${cls}">${escape(m[0])}</span>` : escape(m[0]);
      last = m.index + m[0].length;
    }
    // A trailing newline needs a character after it, or the copy ends a line short.
    return html + gap(text, last, text.length, marks) + "\n ";
  }

  /** The bracket beside ``caret`` (before it, else after it) and the one matching it, as two
   *  offsets, or []: brackets in strings, IRIs and comments do not count. */
  function matching(text, caret) {
    const brackets = [];
    let last = 0;
    const collect = (from, to) => {
      for (let i = from; i < to; i++) if ("()[]{}".includes(text[i])) brackets.push(i);
    };
    for (const m of text.matchAll(TOKEN)) { collect(last, m.index); last = m.index + m[0].length; }
    collect(last, text.length);
    const at = brackets.includes(caret - 1) ? caret - 1 : brackets.includes(caret) ? caret : -1;
    if (at < 0) return [];
    const opening = "([{".includes(text[at]);
    const pair = opening ? { "(": ")", "[": "]", "{": "}" }[text[at]] : PAIRS[text[at]];
    let depth = 0;
    const order = opening ? brackets.filter((i) => i > at) : brackets.filter((i) => i < at).reverse();
    for (const i of order) {
      if (text[i] === text[at]) depth++;
      else if (text[i] === pair) {
        if (depth === 0) return [Math.min(at, i), Math.max(at, i)];
        depth--;
      }
    }
    return [at];  // unmatched: shown alone
  }

  /** The prefixes a query declares (lower-cased names). */
  function declared(text) {
    const names = new Set();
    for (const m of text.matchAll(/PREFIX\s+([\w-]*):/giu)) names.add(m[1]);
    return names;
  }

  const PAIRS = { ")": "(", "]": "[", "}": "{" };

  /** The first problem a quick reading finds (a bracket not closed or not opened, a string not
   *  closed, a prefix neither declared nor known): {at, text}, or null. Not the grammar: the
   *  server's parser has the last word when the query runs. */
  function lint(text, known) {
    const open = [], names = declared(text);
    let last = 0, found = null;
    const brackets = (from, to) => {
      for (let i = from; i < to && !found; i++) {
        const c = text[i];
        if ("([{".includes(c)) open.push({ c, at: i });
        else if (c in PAIRS) {
          const top = open.pop();
          if (!top) found = { at: i, text: TEXT.unopened(c) };
          else if (top.c !== PAIRS[c]) found = { at: i, text: TEXT.mismatched(c, top.c) };
        }
      }
    };
    for (const m of text.matchAll(TOKEN)) {
      brackets(last, m.index);
      if (found) return found;
      last = m.index + m[0].length;
      if (m[3] !== undefined) {
        const q = m[3].startsWith('"""') || m[3].startsWith("'''") ? m[3].slice(0, 3) : m[3][0];
        if (m[3].length < 2 * q.length || !m[3].endsWith(q)) return { at: m.index, text: TEXT.string };
      }
      const pname = m[5] !== undefined && /^([A-Za-z_][\w-]*)?:/u.exec(m[5]);
      if (pname && !names.has(pname[1] || "") && !((pname[1] || "") in known)) {
        return { at: m.index, text: TEXT.undeclared(pname[1] || "") };
      }
    }
    brackets(last, text.length);
    if (found) return found;
    return open.length ? { at: open[open.length - 1].at, text: TEXT.unclosed(open[open.length - 1].c) } : null;
  }

  /** Where the text at ``offset`` is drawn in the editor, measured on a hidden copy. */
  function caretBox(editor, area, offset) {
    const mirror = editor.querySelector(".mirror");
    mirror.textContent = area.value.slice(0, offset);
    const marker = document.createElement("span");
    marker.textContent = "\u200b";
    mirror.appendChild(marker);
    return { top: marker.offsetTop - area.scrollTop, left: marker.offsetLeft, height: marker.offsetHeight };
  }

  function enhanceEditor(editor) {
    const area = editor.querySelector("textarea");
    // The editor's text for the other scripts (fold.js, check.js, workspace.js …): folding puts
    // placeholders in the textarea, so its value is not always the query; text() is. set(text)
    // replaces it (unfolded), onChange(fn) calls fn(text) after every edit. fold.js fills in
    // expand (the value with its placeholders expanded), shownOffset (where an offset of text()
    // is in the textarea) and lineNumbers (the query's line number of each line shown).
    const changed = [];
    const api = {
      area,
      expand: (value) => value,
      reset: () => {},
      shownOffset: (offset) => offset,
      lineNumbers: (lines) => lines.map((line, i) => i + 1),
      quiet: false,  // fold.js's own edits: no completion, no PREFIX added
      format: (text) => text,  // format.js: the formatter
      text: () => api.expand(area.value),
      set(text) {
        api.reset();
        area.value = text;
        area.dispatchEvent(new Event("input"));
      },
      onChange(fn) { changed.push(fn); },
    };
    if (!window.kkbEditor) window.kkbEditor = api;
    // The form sends the query, not the placeholders (a GET form builds its address from this).
    if (area.form) area.form.addEventListener("formdata", (event) => event.formData.set(area.name, api.text()));
    area.addEventListener("input", () => { const text = api.text(); changed.forEach((fn) => fn(text)); });
    const code = editor.querySelector("pre code");
    const pre = editor.querySelector("pre");
    const status = document.getElementById("editor-status");
    const mirror = document.createElement("div");
    mirror.className = "mirror";
    mirror.setAttribute("aria-hidden", "true");
    editor.appendChild(mirror);
    const gutter = document.createElement("div");
    gutter.className = "gutter";
    gutter.setAttribute("aria-hidden", "true");
    const numbers = document.createElement("div");
    gutter.appendChild(numbers);
    editor.appendChild(gutter);
    const list = document.createElement("ul");
    list.id = "completions";
    list.className = "completions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", TEXT.list);
    list.tabIndex = 0;  // it scrolls: reachable by keyboard too (its keys are the textarea's)
    list.hidden = true;
    editor.appendChild(list);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", "completions");
    let data = null, items = [], chosen = 0, span = null, asked = 0, notice = "";
    const load = () => (data = data || fetch(editor.dataset.completions).then((r) => r.json()));

    // What was done (a PREFIX added) is said with what is offered next, not overwritten by it.
    const say = (message) => { if (status) status.textContent = [notice, message].filter(Boolean).join(" · "); notice = ""; };
    const redraw = () => { paint(); scrolled(); number(); placeMark(); };
    let shown = "";
    /** The highlighted copy, with the brackets at the caret and their match marked. */
    function paint() {
      const marks = area.selectionStart === area.selectionEnd ? matching(area.value, area.selectionStart) : [];
      const key = `${marks}|${area.value}`;
      if (key !== shown) { code.innerHTML = highlight(area.value, marks); shown = key; }
    }
    document.addEventListener("selectionchange", () => { if (document.activeElement === area) paint(); });
    const scrolled = () => { pre.scrollTop = area.scrollTop; numbers.style.transform = `translateY(${-area.scrollTop}px)`; };

    /** Line numbers beside the lines they number (a wrapped line keeps one): measured in one
     *  layout of the hidden copy, a marker at the start of each line. */
    function number() {
      const lines = area.value.split("\n");
      mirror.replaceChildren();
      const marks = lines.map((line) => {
        const at = document.createElement("span");
        mirror.append(at, `${line}\n`);
        return at;
      });
      const real = api.lineNumbers(lines);
      numbers.replaceChildren(...marks.map((at, i) => {
        const n = document.createElement("span");
        n.textContent = String(real[i]);
        n.style.top = `${at.offsetTop}px`;
        return n;
      }));
    }

    function insert(start, end, text) {
      area.focus();
      area.setSelectionRange(start, end);
      // execCommand keeps the browser's undo history; setRangeText where it is gone.
      if (!document.execCommand || !document.execCommand("insertText", false, text)) {
        area.setRangeText(text, start, end, "end");
        area.dispatchEvent(new Event("input"));
      }
    }

    /** Declare ``prefix`` (a known one the query lacks) after the last PREFIX line, or first. */
    async function declare(prefix) {
      const known = (await load()).prefixes;
      if (!(prefix in known) || declared(api.text()).has(prefix)) return;
      const caret = area.selectionStart;
      const lines = [...area.value.matchAll(/^[ \t]*PREFIX[^\n]*\n/gimu)];
      const at = lines.length ? lines[lines.length - 1].index + lines[lines.length - 1][0].length : 0;
      const line = `PREFIX ${prefix}: <${known[prefix]}>\n`;
      insert(at, at, line);
      area.setSelectionRange(caret + (at <= caret ? line.length : 0), caret + (at <= caret ? line.length : 0));
      notice = TEXT.added(prefix);
      if (status) status.textContent = notice;
    }

    function close() {
      list.hidden = true;
      items = [];
      area.removeAttribute("aria-activedescendant");
    }

    function show(found, start, end) {
      items = found.slice(0, 30);
      span = [start, end];
      chosen = 0;
      list.replaceChildren();
      if (!items.length) { close(); say(TEXT.none); return; }
      items.forEach((item, i) => {
        const li = document.createElement("li");
        li.id = `completion-${i}`;
        li.setAttribute("role", "option");
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = item.shown || item.insert;
        li.appendChild(name);
        if (item.note) {
          const note = document.createElement("small");
          note.textContent = item.note;
          li.appendChild(note);
        }
        li.addEventListener("mousedown", (event) => { event.preventDefault(); chosen = i; take(); });
        list.appendChild(li);
      });
      const box = caretBox(editor, area, start);
      list.hidden = false;
      list.style.top = `${Math.max(0, box.top + box.height + 4)}px`;
      list.style.left = `${Math.max(0, Math.min(box.left, editor.clientWidth - list.offsetWidth))}px`;
      select(0);
      say(TEXT.found(items.length));
    }

    function select(i) {
      chosen = (i + items.length) % items.length;
      list.querySelectorAll("li").forEach((li, j) => li.setAttribute("aria-selected", String(j === chosen)));
      const li = list.children[chosen];
      area.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }

    async function take() {
      const item = items[chosen];
      const [start, end] = span;
      close();
      insert(start, end, item.insert);
      const pname = /^([A-Za-z][\w-]*):/u.exec(item.insert);
      if (pname && !item.declares) await declare(pname[1]);
      if (item.then) complete(false);
    }

    const termNote = (t) => [t.label[LANG] || t.label[LANG === "id" ? "en" : "id"], TEXT[t.kind],
      t.count ? `${t.count.toLocaleString(LANG)}×` : ""].filter(Boolean).join(" · ");

    /** Suggestions for the word before the caret; ``asked``: Ctrl+Space (bare words too). */
    async function complete(asked_) {
      const caret = area.selectionStart;
      const before = area.value.slice(0, caret);
      const word = /<?[\w\u00C0-\uFFFF.:-]*$/u.exec(before)[0];
      const start = caret - word.length;
      const lineStart = before.lastIndexOf("\n") + 1;
      const line = before.slice(lineStart, start);
      const ticket = ++asked;
      const variable = /[?$][\w\u00B7-\uFFFF]*$/u.exec(before);
      if (variable && (variable[0].length > 1 || asked_)) {
        const seen = new Set([...api.text().matchAll(/[?$]([\w\u00B7-\uFFFF]+)/gu)].map((m) => `?${m[1]}`));
        seen.delete(`?${variable[0].slice(1)}`);
        const wanted = variable[0].slice(1).toLowerCase();
        return show([...seen].filter((v) => v.slice(1).toLowerCase().startsWith(wanted))
          .map((v) => ({ insert: v, note: TEXT.variable })), caret - variable[0].length, caret);
      }
      const { prefixes, terms } = await load();
      if (ticket !== asked) return;
      if (/^\s*PREFIX\s+$/iu.test(line) && /^[\w-]*$/u.test(word) && (word || asked_)) {
        return show(Object.entries(prefixes).filter(([p]) => p.startsWith(word.toLowerCase()))
          .map(([p, ns]) => ({ insert: `${p}: <${ns}>`, shown: `${p}:`, note: ns, declares: true })), start, caret);
      }
      if (word.startsWith("<") && !/[:/]/u.test(word) && (word.length > 2 || asked_)) {
        return labels(word.slice(1), start, caret, ticket);
      }
      const pname = /^([A-Za-z][\w-]*)?:([\w.-]*)$/u.exec(word);
      if (pname && /[?$]$/u.test(area.value.slice(0, start))) return close();
      if (pname && (pname[1] || "") in prefixes) {
        const local = pname[2].toLowerCase();
        const classFirst = /(?:\ba|rdf:type)\s+$/u.test(before.slice(0, start));
        const found = terms.filter((t) => t.name.startsWith(`${pname[1]}:`)).map((t) => ({ t,
          rank: t.name.slice(pname[1].length + 1).toLowerCase().startsWith(local) ? 0
            : [t.label.id, t.label.en].some((l) => l && l.toLowerCase().split(/\s+/u).some((w) => w.startsWith(local))) ? 1 : 2,
        })).filter((x) => x.rank < 2)
          .sort((a, b) => a.rank - b.rank || ((a.t.kind === "class") !== classFirst) - ((b.t.kind === "class") !== classFirst));
        return show(found.map(({ t }) => ({ insert: t.name, note: termNote(t) })), start, caret);
      }
      if (asked_ && /^[A-Za-z][\w-]*$/u.test(word) && !/[?$]$/u.test(area.value.slice(0, start))) {
        const own = Object.keys(prefixes).filter((p) => p.startsWith(word.toLowerCase()))
          .map((p) => ({ insert: `${p}:`, note: `${TEXT.prefix} · ${prefixes[p]}`, then: true }));
        if (word.length < 2) return show(own, start, caret);
        return labels(word, start, caret, ticket, own);
      }
      close();
    }

    async function labels(text, start, caret, ticket, first = []) {
      const url = `${editor.dataset.labels}?q=${encodeURIComponent(text)}`;
      const found = text.trim() ? (await (await fetch(url)).json()).result : [];
      if (ticket !== asked) return;
      show([...first, ...found.map((r) => ({ insert: r.name, shown: `${r.label} — ${r.name}`,
        note: [r.type, TEXT.resource].filter(Boolean).join(" · ") }))], start, caret);
    }

    /** Ctrl+/: comment the selected lines out, or back in when all of them are comments. */
    function toggleComment() {
      const text = area.value, from = text.lastIndexOf("\n", area.selectionStart - 1) + 1;
      let to = text.indexOf("\n", Math.max(area.selectionEnd - (area.selectionEnd > area.selectionStart ? 1 : 0), from));
      if (to < 0) to = text.length;
      const lines = text.slice(from, to).split("\n");
      const commented = lines.every((l) => /^\s*#/u.test(l) || !l.trim());
      const changed = lines.map((l) => (commented ? l.replace(/^(\s*)# ?/u, "$1") : l.trim() ? `# ${l}` : l)).join("\n");
      insert(from, to, changed);
      area.setSelectionRange(from, from + changed.length);
    }

    // The error the server found: marked where it is, until the query is edited; then the
    // quick checks made as you type (brackets, strings, prefixes) mark what they find.
    const problem = document.querySelector(".problem[data-line]");
    let mark = null;
    function setMark(line, column, live) {
      if (!mark) {
        mark = document.createElement("div");
        mark.className = "error-mark";
        mark.setAttribute("aria-hidden", "true");
        editor.appendChild(mark);
      }
      mark.dataset.line = String(line);
      mark.dataset.column = String(column);
      mark.classList.toggle("live", live);
      placeMark();
    }
    function clearMark() {
      if (mark) { mark.remove(); mark = null; }
    }
    if (problem) setMark(problem.dataset.line, problem.dataset.column, false);
    function placeMark() {
      if (!mark) return;
      const lines = area.value.split("\n");
      const line = Math.min(Number(mark.dataset.line), lines.length);
      let offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      offset += Math.min(Number(mark.dataset.column) - 1, lines[line - 1].length);
      const box = caretBox(editor, area, offset);
      mark.style.top = `${box.top}px`;
      mark.style.height = `${box.height}px`;
      mark.style.setProperty("--at", `${box.left}px`);
    }

    let checking = 0;
    async function check() {
      const ticket = ++checking;
      const known = (await load()).prefixes;
      if (ticket !== checking) return;
      const text = api.text(), found = lint(text, known);
      if (!found) {
        if (mark && mark.classList.contains("live")) clearMark();
        if (area.hasAttribute("aria-invalid") && status) status.textContent = "";  // said, now stale
        area.removeAttribute("aria-invalid");
        return;
      }
      const before = text.slice(0, found.at), at = api.shownOffset(found.at);
      const line = before.split("\n").length, column = found.at - before.lastIndexOf("\n");
      const upto = area.value.slice(0, at);  // marked where it is shown (a fold's placeholder)
      setMark(upto.split("\n").length, at - upto.lastIndexOf("\n"), true);
      area.setAttribute("aria-invalid", "true");
      const told = `${TEXT.where(line, column)}: ${found.text}`;
      if (!status || status.textContent !== told) say(told);  // said once, not at every pause
    }

    let pause = 0;
    area.addEventListener("input", (event) => {
      if (event.inputType === "insertText" && "})".includes(event.data || "x")) {
        const caret = area.selectionStart, start = area.value.lastIndexOf("\n", caret - 1) + 1;
        if (/^ {2,}[})]$/u.test(area.value.slice(start, caret))) { insert(start, start + 2, ""); area.setSelectionRange(caret - 2, caret - 2); }
      }
      clearMark();
      redraw();
      clearTimeout(pause);
      pause = setTimeout(check, 400);
      if (api.quiet) return close();
      const before = area.value.slice(0, area.selectionStart);
      const typed = /(?:^|[^\w:?$<.-])([A-Za-z][\w-]*):$/u.exec(before);
      const inLine = before.slice(before.lastIndexOf("\n") + 1);
      const first = event.inputType === "insertText" && typed && !/^\s*PREFIX\s+[\w-]*:$/iu.test(inLine)
        ? declare(typed[1]) : Promise.resolve();
      if (event.inputType === "insertText" || event.inputType === "deleteContentBackward") {
        if (!list.hidden || /(?:[\w-]:[\w.-]*|<[^\s<>:/]{2,}|^[ \t]*PREFIX[ \t]+[\w-]*|[?$]\w+)$/iu.test(inLine)) {
          first.then(() => complete(false));
        }
      } else close();
    });
    area.addEventListener("scroll", () => { scrolled(); placeMark(); close(); });
    const away = () => setTimeout(() => { if (![area, list].includes(document.activeElement)) close(); }, 150);
    area.addEventListener("blur", away);
    list.addEventListener("blur", away);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        close();
        area.form.requestSubmit();
      } else if (event.key.toLowerCase() === "f" && event.shiftKey && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        const text = api.text(), tidy = api.format(text);
        if (tidy !== text) insert(0, area.value.length, tidy);
        say(TEXT.formatted);
      } else if (event.key === "/" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        toggleComment();
      } else if (event.key === " " && event.ctrlKey) {
        event.preventDefault();
        complete(true);
      } else if (!popupKeys(event) && event.key === "Enter" && !event.shiftKey && !event.altKey) {
        // A new line keeps the indentation, one level more after an opening brace.
        const before = area.value.slice(0, area.selectionStart);
        const line = before.slice(before.lastIndexOf("\n") + 1);
        event.preventDefault();
        insert(area.selectionStart, area.selectionEnd, `\n${/^[ \t]*/u.exec(line)[0]}${/[{(]\s*$/u.test(line) ? "  " : ""}`);
      }
    });
    list.addEventListener("keydown", popupKeys);
    area.addEventListener("keyup", paint);
    area.addEventListener("click", paint);

    /** The list box's keys; true when the key was the list box's. */
    function popupKeys(event) {
      if (!list.hidden && items.length) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          select(chosen + (event.key === "ArrowDown" ? 1 : -1));
        } else if (event.key === "Enter" || event.key === "Tab") {
          event.preventDefault();
          take();
        } else if (event.key === "Escape") {
          event.preventDefault();
          close();
          area.focus();
        } else return false;
        return true;
      }
      return false;
    }
    window.addEventListener("resize", () => { number(); placeMark(); });
    editor.classList.add("enhanced");
    redraw();
  }

  document.querySelectorAll(".editor").forEach(enhanceEditor);
})();

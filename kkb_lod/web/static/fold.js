// Code folding for the query editor (editor.js), over its native textarea.
// - A line that opens a "{" or "(" block closed on a later line, or the first of two PREFIX/BASE
//   lines or more, gets a toggle in the gutter (a button with aria-expanded; Up/Down move between
//   toggles, one of them in the tab order).
//   Folding puts one placeholder character (a private-use one, its own for each fold) between
//   the brackets; the highlighted copy draws it as a marked "⋯". Unfolding puts the text back.
// - Keys in the editor: Ctrl/Cmd+Shift+[ folds the block at the caret, Ctrl/Cmd+Shift+] unfolds
//   it; Ctrl/Cmd+Alt+[ folds all, Ctrl/Cmd+Alt+] unfolds all; buttons do both too.
// - Each fold or unfold is one edit of the textarea (the browser's undo takes it back); the text
//   of every fold is kept for the page's life, so undo and redo of edits around placeholders stay
//   true. Typing on, deleting or clicking a placeholder unfolds it; a selection around one takes
//   it whole. Copy and cut take the text behind placeholders, and so do the run, the address,
//   completion and the quick checks: they read kkbEditor.text().
"use strict";

(function () {
  const api = window.kkbEditor;
  if (!api) return;
  const area = api.area, editor = area.closest(".editor");
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const T = {
    id: { fold: (n) => `Lipat baris ${n}`, unfold: (n, k) => `Buka lipatan baris ${n} (${k} baris)`, all: "Lipat semua",
      none: "Buka semua", group: "Lipatan kode", keys: "Ctrl+Shift+[ / ] melipat / membuka blok di kursor · Ctrl+Alt+[ / ] semua", folded: (a, b) => `Baris ${a}–${b} dilipat`, opened: (n) => `Lipatan baris ${n} dibuka` },
    en: { fold: (n) => `Fold line ${n}`, unfold: (n, k) => `Unfold line ${n} (${k} lines)`, all: "Fold all",
      none: "Unfold all", group: "Code folding", keys: "Ctrl+Shift+[ / ] folds / unfolds the block at the caret · Ctrl+Alt+[ / ] all", folded: (a, b) => `Lines ${a}–${b} folded`, opened: (n) => `Fold at line ${n} opened` },
  }[LANG];
  const FIRST = 0xe000, LAST = 0xf8ff;
  const folds = new Map();  // placeholder character -> the text it stands for
  let next = FIRST;
  const isMark = (c) => folds.has(c);
  const firstMark = (text) => { for (let i = 0; i < text.length; i++) if (isMark(text[i])) return i; return -1; };
  const expand = (text) => text.replace(/[\uE000-\uF8FF]/gu, (c) => (folds.has(c) ? expand(folds.get(c)) : c));
  api.expand = expand;
  api.shownOffset = (offset) => {  // an offset of the full text, in the textarea (a fold: its mark)
    let full = 0;
    for (let i = 0; i < area.value.length; i++) {
      const c = area.value[i], size = isMark(c) ? expand(c).length : 1;
      if (offset < full + size) return i;
      full += size;
    }
    return area.value.length;
  };
  const hiddenLines = (line) => [...line].reduce((n, c) => n + (isMark(c) ? expand(c).split("\n").length - 1 : 0), 0);
  api.lineNumbers = (lines) => {
    let n = 1;
    return lines.map((line) => { const here = n; n += 1 + hiddenLines(line); return here; });
  };
  const status = document.getElementById("editor-status");
  const say = (text) => { if (status) status.textContent = text; };

  /** The "{" and "(" blocks of ``text`` as [open, close] offsets; brackets in strings, IRIs and
   *  comments do not count. */
  function blocks(text) {
    const found = [], open = [];
    const skip = /#[^\n]*|<[^<>"{}|^`\\\s]*>|"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|[{}()]/gu;
    for (const m of text.matchAll(skip)) {
      if (m[0] === "{" || m[0] === "(") open.push(m.index);
      else if (m[0] === "}" || m[0] === ")") {
        const at = open.pop();
        if (at !== undefined && text[at] === (m[0] === "}" ? "{" : "(")) found.push([at, m.index]);
      }
    }
    return found;
  }
  const lineOf = (text, offset) => text.slice(0, offset).split("\n").length - 1;
  /** Per line shown, the block it opens (the first one closed on a later line), if any: as
   *  [a, b], the text between a and b hidden. Two PREFIX or BASE lines or more in a row are a
   *  block too (the first line stays), as YASGUI folds prefixes. */
  function foldable(text) {
    const lines = new Map();
    let first = -1, offset = 0;
    text.split("\n").forEach((line, i, all) => {
      const declares = /^\s*(?:PREFIX|BASE)\b/iu.test(line) && firstMark(line) < 0;
      if (declares && first < 0) first = i;
      const end = offset + line.length;  // the end of this line
      if (first >= 0 && (!declares || i === all.length - 1)) {
        const last = declares ? i : i - 1, close = declares ? end : offset - 1;
        if (last > first) lines.set(first, [text.split("\n").slice(0, first + 1).join("\n").length - 1, close]);
        first = -1;
      }
      offset = end + 1;
    });
    for (const [a, b] of blocks(text).sort((x, y) => x[0] - y[0])) {
      const line = lineOf(text, a);
      if (text.slice(a, b).includes("\n") && !lines.has(line)) lines.set(line, [a, b]);
    }
    return lines;
  }

  /** Make ``value`` the textarea's text in one edit (what changed only: the browser keeps it in
   *  its undo history), the caret at ``caret``. */
  function replace(value, caret) {
    const old = area.value;
    let p = 0, s = 0;
    while (p < old.length && p < value.length && old[p] === value[p]) p++;
    while (s < old.length - p && s < value.length - p && old[old.length - 1 - s] === value[value.length - 1 - s]) s++;
    api.quiet = true;
    area.focus();
    area.setSelectionRange(p, old.length - s);
    if (!document.execCommand("insertText", false, value.slice(p, value.length - s))) {
      area.setRangeText(value.slice(p, value.length - s), p, old.length - s, "end");
      area.dispatchEvent(new Event("input"));
    }
    api.quiet = false;
    area.setSelectionRange(caret, caret);
  }

  function newMark(text) {
    while (next <= LAST && (folds.has(String.fromCharCode(next)) || area.value.includes(String.fromCharCode(next)))) next++;
    if (next > LAST) return null;  // 6,400 folds in one page's life: no more
    const c = String.fromCharCode(next);
    folds.set(c, text);
    return c;
  }
  /** ``value`` with the block [a, b] folded; the caret moved with the text. */
  function folded(value, [a, b], caret) {
    const c = newMark(value.slice(a + 1, b));
    if (!c) return [value, caret];
    return [value.slice(0, a + 1) + c + value.slice(b), caret <= a ? caret : caret >= b ? caret - (b - a - 2) : a + 2];
  }
  function fold(block) {
    const first = api.lineNumbers(area.value.split("\n"))[lineOf(area.value, block[0])];
    const [value, caret] = folded(area.value, block, area.selectionStart);
    if (value === area.value) return;
    replace(value, caret);
    say(T.folded(first, first + expand(value[block[0] + 1]).split("\n").length - 1));
  }
  function unfold(at) {
    const c = area.value[at], text = folds.get(c), caret = area.selectionStart;
    const line = api.lineNumbers(area.value.split("\n"))[lineOf(area.value, at)];
    replace(area.value.slice(0, at) + text + area.value.slice(at + 1), caret > at ? caret + text.length - 1 : caret);
    say(T.opened(line));
  }
  function foldAll() {
    let value = area.value, caret = area.selectionStart;
    const all = [...foldable(value).values()].sort((x, y) => y[0] - x[0]);  // the last first: offsets before stay
    const done = [];
    for (const [a, b] of all) {  // a block around folded ones ends earlier by what they hid
      const end = b - done.filter(([c, d]) => c > a && d < b).reduce((n, [c, d]) => n + d - c - 2, 0);
      [value, caret] = folded(value, [a, end], caret);
      done.push([a, b]);
    }
    if (all.length) replace(value, caret);
  }
  function unfoldAll() {
    const value = expand(area.value);
    if (value !== area.value) replace(value, value.length - (area.value.length - area.selectionStart));
  }
  /** The block at the caret: the one its line opens, else the innermost around it. */
  function blockAt(caret) {
    const line = lineOf(area.value, caret), own = foldable(area.value).get(line);
    if (own) return own;
    const around = blocks(area.value).filter(([a, b]) => a < caret && caret <= b && area.value.slice(a, b).includes("\n"));
    return around.sort((x, y) => (x[1] - x[0]) - (y[1] - y[0]))[0];
  }
  function markOnLine(caret) {
    const start = area.value.lastIndexOf("\n", caret - 1) + 1;
    let end = area.value.indexOf("\n", caret);
    if (end < 0) end = area.value.length;
    for (let i = start; i < end; i++) if (isMark(area.value[i])) return i;
    return -1;
  }

  // The toggles, over the gutter, at the tops of the lines the gutter numbers.
  const toggles = document.createElement("div");
  toggles.className = "folds";
  toggles.setAttribute("role", "group");
  toggles.setAttribute("aria-label", T.group);
  const column = document.createElement("div");  // moved with the text as it scrolls
  toggles.appendChild(column);
  editor.appendChild(toggles);
  editor.classList.add("folding");
  let focusLine = -1;  // the toggle to keep focused after its own action
  function draw() {
    const value = area.value, lines = value.split("\n"), numbers = api.lineNumbers(lines);
    const tops = [...editor.querySelectorAll(".gutter span")].map((n) => n.style.top);
    const open = foldable(value), active = document.activeElement && toggles.contains(document.activeElement);
    const items = [];
    lines.forEach((line, i) => {
      const mark = firstMark(line);
      if (mark < 0 && !open.has(i)) return;
      const b = document.createElement("button");
      b.type = "button";
      b.className = "fold-toggle";
      b.dataset.line = String(i);
      b.setAttribute("aria-controls", area.id);
      b.setAttribute("aria-expanded", String(mark < 0));
      b.setAttribute("aria-label", mark < 0 ? T.fold(numbers[i]) : T.unfold(numbers[i], hiddenLines(line) + 1));
      b.textContent = mark < 0 ? "▾" : "▸";
      b.style.top = tops[i] || "0px";
      b.tabIndex = -1;
      b.addEventListener("click", () => {
        focusLine = i;
        const from = value.split("\n").slice(0, i).join("\n").length + (i ? 1 : 0);
        if (mark < 0) fold(open.get(i)); else unfold(from + mark);
      });
      items.push(b);
    });
    column.replaceChildren(...items);
    const keep = items.find((b) => Number(b.dataset.line) === focusLine) || items[0];
    if (keep) keep.tabIndex = 0;
    if (keep && focusLine >= 0) keep.focus();
    else if (keep && active && !toggles.contains(document.activeElement)) keep.focus();
    focusLine = -1;
    column.style.transform = `translateY(${-area.scrollTop}px)`;
  }
  toggles.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    const items = [...column.children], at = items.indexOf(document.activeElement);
    const to = items[Math.max(0, Math.min(items.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
    items.forEach((b) => { b.tabIndex = b === to ? 0 : -1; });
    to.focus();
  });

  const bar = document.createElement("p");
  bar.className = "fold-all";
  for (const [label, action] of [[T.all, foldAll], [T.none, unfoldAll]]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", action);
    bar.append(b, " ");
  }
  const keys = document.createElement("small");
  keys.id = "fold-keys";
  keys.textContent = T.keys;
  bar.append(keys);
  editor.after(bar);
  area.setAttribute("aria-describedby", `${area.getAttribute("aria-describedby") || ""} fold-keys`.trim());

  area.addEventListener("input", draw);
  area.addEventListener("scroll", () => { column.style.transform = `translateY(${-area.scrollTop}px)`; });
  window.addEventListener("resize", draw);
  editor.addEventListener("keydown", (event) => {
    if (event.target !== area) return;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && (event.code === "BracketLeft" || event.code === "BracketRight") && (event.shiftKey || event.altKey)) {
      event.preventDefault();
      event.stopPropagation();
      const caret = area.selectionStart;
      if (event.altKey) (event.code === "BracketLeft" ? foldAll : unfoldAll)();
      else if (event.code === "BracketLeft") { const block = blockAt(caret); if (block) fold(block); }
      else { const at = markOnLine(caret); if (at >= 0) unfold(at); }
    } else if (mod && event.key === "/") {  // commenting lines out: their folds first come back
      const s = area.selectionStart, e = area.selectionEnd;
      const from = area.value.lastIndexOf("\n", s - 1) + 1, to = area.value.indexOf("\n", e) < 0 ? area.value.length : area.value.indexOf("\n", e);
      const part = area.value.slice(from, to);
      if (firstMark(part) >= 0) {
        const open = expand(part);
        replace(area.value.slice(0, from) + open + area.value.slice(to), s);
        area.setSelectionRange(from, from + open.length);  // the lines, whole
      }
    }
  }, true);
  // An edit that touches a placeholder, alone, unfolds it instead.
  area.addEventListener("beforeinput", (event) => {
    if (api.quiet || event.inputType.startsWith("history")) return;
    const s = area.selectionStart, e = area.selectionEnd;
    let at = -1;
    if (s === e && event.inputType.startsWith("deleteContentBackward") || s === e && event.inputType.startsWith("deleteWordBackward")) at = s - 1;
    else if (s === e && event.inputType.startsWith("delete")) at = s;
    else if (e === s + 1) at = s;
    if (at >= 0 && isMark(area.value[at])) { event.preventDefault(); unfold(at); }
  });
  area.addEventListener("mousedown", (event) => {  // a click on a placeholder unfolds it
    for (const mark of editor.querySelectorAll("pre .fold-mark")) {
      const box = mark.getBoundingClientRect();
      if (event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom) {
        const at = area.value.indexOf(mark.textContent);
        if (at >= 0 && isMark(mark.textContent)) { event.preventDefault(); unfold(at); }
        return;
      }
    }
  });
  for (const kind of ["copy", "cut"]) {
    area.addEventListener(kind, (event) => {
      const part = area.value.slice(area.selectionStart, area.selectionEnd);
      if (firstMark(part) < 0) return;
      event.preventDefault();
      event.clipboardData.setData("text/plain", expand(part));
      if (kind === "cut") document.execCommand("delete");
    });
  }
  draw();
})();

// The query checked as you type against the whole SPARQL 1.1 grammar, never run: after a pause
// in typing (400 ms) the editor's text goes to /sparql/check on this server, which reads it with
// a complete grammar and answers {ok, line, column, message} in the page's language, in the words
// the run would use. An error is marked in the gutter at its line and underlined at its spot, and
// said in the status line (role=status: read out politely). editor.js's quick reading (brackets,
// strings, prefixes) still answers at once, and where it finds something its sentence stands (it
// names the bracket or the prefix); the grammar speaks for everything else.
// An answer to an older text is dropped; a text is never asked about twice at once. The query is
// read through window.kkbEditor.text() (the whole text, folded parts included) when the editor
// offers it, else from the textarea.
"use strict";

(function () {
  const script = document.currentScript;
  const editor = document.querySelector(".editor");
  const area = editor && editor.querySelector("textarea");
  if (!editor || !area || !script || !window.fetch) return;
  const url = script.dataset.check;
  const status = document.getElementById("editor-status");
  const LANG = document.documentElement.lang === "en" ? "en" : "id";
  const PAUSE = 400;
  const GET_MOST = 4000;  // longer texts are sent in a POST body (an address has its limits)
  const api = () => window.kkbEditor;
  const text = () => (api() && typeof api().text === "function" ? api().text() : area.value);

  const answers = new Map();  // text → verdict, the last few (a text typed back is not asked again)
  let asking = null;  // the text whose answer is awaited
  let shown = null;  // {text, verdict} drawn now
  let told = "";  // what this script last said in the status line
  let timer = 0;

  const line = document.createElement("div");  // the gutter's mark of the line
  line.className = "check-line";
  line.setAttribute("aria-hidden", "true");
  line.hidden = true;
  const spot = document.createElement("div");  // the underline of the spot
  spot.className = "check-spot";
  spot.setAttribute("aria-hidden", "true");
  spot.hidden = true;
  editor.append(line, spot);

  /** ``text``'s verdict from the server (from memory when asked before); null on no answer. */
  async function ask(query) {
    if (answers.has(query)) return answers.get(query);
    const params = new URLSearchParams({ query, lang: LANG });
    const long = url.length + params.toString().length > GET_MOST;
    const response = await fetch(long ? url : `${url}?${params}`, {
      method: long ? "POST" : "GET",
      body: long ? params : undefined,
      headers: { Accept: "application/json" },
    });
    if (!(response.ok || response.status === 413)) return null;  // 429 and the like: the run will say
    const verdict = await response.json();
    answers.set(query, verdict);
    if (answers.size > 20) answers.delete(answers.keys().next().value);
    return verdict;
  }

  async function check() {
    const query = text();
    if (!query.trim() || query === asking || (shown && shown.text === query)) return;
    asking = query;
    let verdict = null;
    try {
      verdict = await ask(query);
    } catch (error) {
      verdict = null;  // offline or refused: the quick reading stays
    } finally {
      if (asking === query) asking = null;
    }
    if (verdict === null || query !== text()) {  // stale: the text moved on meanwhile
      if (query !== text()) schedule();
      return;
    }
    show(query, verdict);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, PAUSE);
  }

  function say(message) {
    if (!status) return;
    if (message && status.textContent !== message) status.textContent = message;
    else if (!message && told && status.textContent === told) status.textContent = "";
    told = message;
  }

  /** Draw ``verdict`` on ``query`` (the text shown now), unless the quick reading has marked a
   *  problem of its own: its more precise sentence stands. */
  function show(query, verdict) {
    shown = { text: query, verdict };
    if (editor.querySelector(".error-mark.live")) verdict = { ok: null, message: "" };
    shown.verdict = verdict;
    if (verdict.ok === false) {
      area.setAttribute("aria-invalid", "true");
      say(verdict.message);
    } else {
      if (verdict.ok) area.removeAttribute("aria-invalid");
      say(verdict.ok === null ? verdict.message : "");
    }
    place();
  }

  /** The offset of (line, column) in ``query``, both from 1; the server counts characters (code
   *  points), JavaScript UTF-16 units. */
  function offsetOf(query, at, column) {
    const lines = query.split("\n");
    const row = Math.min(Math.max(at, 1), lines.length);
    const before = lines.slice(0, row - 1).reduce((n, l) => n + l.length + 1, 0);
    return before + Array.from(lines[row - 1]).slice(0, Math.max(column, 1) - 1).join("").length;
  }

  /** Put the marks where the error is drawn; none when the textarea does not show that text
   *  there (a fold hides it: the status line still says it). */
  function place() {
    const verdict = shown && shown.verdict;
    const drawn = area.value;
    line.hidden = spot.hidden = true;
    if (!verdict || verdict.ok !== false || !verdict.line) return;
    const offset = offsetOf(shown.text, verdict.line, verdict.column || 1);
    if (drawn.slice(0, offset) !== shown.text.slice(0, offset)) return;
    const word = /^[^\s]{0,30}/u.exec(drawn.slice(offset))[0];
    let mirror = editor.querySelector(".mirror");
    if (!mirror) {
      mirror = document.createElement("div");
      mirror.className = "mirror";
      mirror.setAttribute("aria-hidden", "true");
      editor.append(mirror);
    }
    mirror.textContent = drawn.slice(0, offset);
    const marker = document.createElement("span");
    marker.textContent = word || "\u200b";
    mirror.appendChild(marker);
    const top = marker.offsetTop - area.scrollTop + area.offsetTop;
    line.style.top = spot.style.top = `${top}px`;
    line.style.height = spot.style.height = `${marker.offsetHeight}px`;
    spot.style.left = `${marker.offsetLeft}px`;
    spot.style.width = `${Math.max(marker.offsetWidth, 8)}px`;
    const inside = top + marker.offsetHeight > 0 && top < area.clientHeight;
    line.hidden = spot.hidden = !inside;
  }

  function edited() {
    if (shown && shown.text !== text()) {  // the marks belonged to the text before
      shown = null;
      line.hidden = spot.hidden = true;
    }
    schedule();
  }

  if (api() && typeof api().onChange === "function") api().onChange(edited);
  else area.addEventListener("input", edited);
  area.addEventListener("scroll", place);
  window.addEventListener("resize", place);
  if (!document.querySelector(".problem[data-line]")) schedule();  // the run's own mark stands
})();

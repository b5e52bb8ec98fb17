// The query editor's formatter (Shift+Ctrl/Cmd+F): breaks lines as YASGUI's does and re-indents.
// - Lines break after "{", after a "." or ";" that ends a triple pattern, after a PREFIX or BASE
//   declaration, and before "}" (YASGUI's rules); beyond YASGUI, also after a "}" that ends a group
//   or a FILTER/BIND (not before UNION, ".", "," or ";") and before a clause keyword (SELECT, FROM, FILTER,
//   OPTIONAL, BIND, MINUS, GRAPH, SERVICE, VALUES, GROUP, HAVING, ORDER, LIMIT, OFFSET …) so each
//   clause has its line. Line breaks already there stay; blank lines go, as in YASGUI.
// - Indentation: two spaces a level of open brackets ({, (, [), one level more for a line that
//   continues a ";" or "," list.
// - Only whitespace between tokens changes: keywords keep their case (YASGUI does not upper-case),
//   strings, IRIs, comments and prefixed names are copied as they are, so the query means the
//   same (tested over the W3C syntax tests by comparing rdflib's algebra before and after).
// - Idempotent: formatting a formatted query changes nothing.
// Exposed as window.kkbFormat(text) and, when the editor is there, kkbEditor.format.
"use strict";

(function () {
  const LOCAL = "(?:[\\p{L}\\p{N}_:.\\-\\u00B7]|%[0-9A-Fa-f]{2}|\\\\[_~.\\-!$&'()*+,;=/?#@%])";
  const LOCAL_END = "(?:[\\p{L}\\p{N}_:\\-\\u00B7]|%[0-9A-Fa-f]{2}|\\\\[_~.\\-!$&'()*+,;=/?#@%])";
  // One token at a time, in this order; anything else is one character of "other" text.
  const TOKEN = new RegExp([
    "(?<ws>\\s+)",
    "(?<comment>#[^\\n\\r]*)",
    "(?<iri><[^<>\"{}|^`\\\\\\u0000-\\u0020]*>)",
    "(?<string>\"\"\"(?:[^\"\\\\]|\\\\[\\s\\S]|\"(?!\"\"))*(?:\"\"\"|$)|'''(?:[^'\\\\]|\\\\[\\s\\S]|'(?!''))*(?:'''|$)" +
      "|\"(?:[^\"\\\\\\n\\r]|\\\\.)*\"?|'(?:[^'\\\\\\n\\r]|\\\\.)*'?)",
    "(?<var>[?$][\\p{L}\\p{N}_\\u00B7\\u0300-\\u036F\\u203F\\u2040]+)",
    `(?<pname>(?:[\\p{L}_](?:[\\p{L}\\p{N}_\\-.\\u00B7]*[\\p{L}\\p{N}_\\-\\u00B7])?)?:(?:${LOCAL_END}(?:${LOCAL}*${LOCAL_END})?)?)`,
    "(?<number>\\d*\\.\\d+(?:[eE][+-]?\\d+)?|\\d+\\.[eE][+-]?\\d+|\\d+(?:[eE][+-]?\\d+)?)",
    "(?<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    "(?<word>[\\p{L}_][\\p{L}\\p{N}_]*)",
    "(?<punct>[{}()[\\];,.])",
    "(?<other>[\\s\\S])",
  ].join("|"), "uy");
  // Keywords that begin a clause: a line of their own when met in a group or at the top.
  const CLAUSES = new Set(["base", "prefix", "select", "construct", "describe", "ask", "from",
    "group", "having", "order", "limit", "offset", "values", "filter", "optional", "bind", "minus",
    "graph", "service"]);
  const AFTER_GROUP = new Set([".", ",", ";", ")", "]", "}", "{", "union"]);

  /** The query's tokens: {type, text}; together they are the whole text. */
  function tokenize(text) {
    const tokens = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < text.length) {
      const m = TOKEN.exec(text);
      const type = Object.keys(m.groups).find((k) => m.groups[k] !== undefined);
      tokens.push({ type, text: m[0] });
    }
    return tokens;
  }

  /** The next token that is neither space nor comment after ``i``, or null. */
  function nextSignificant(tokens, i) {
    for (let j = i + 1; j < tokens.length; j++) if (tokens[j].type !== "ws" && tokens[j].type !== "comment") return tokens[j];
    return null;
  }

  function format(text) {
    const tokens = tokenize(text);
    const stack = [], seen = [];  // open brackets; the significant tokens so far
    let out = "", atStart = true, pending = false, clause = -1;  // clause: where a FILTER/BIND began
    const newline = () => {
      if (!atStart) { out = out.replace(/[ \t]+$/u, "") + "\n"; atStart = true; }
      pending = false;
    };
    const inGroup = () => !stack.length || stack[stack.length - 1] === "{";
    tokens.forEach((t, i) => {
      if (t.type === "ws") {
        if (/[\n\r]/u.test(t.text)) newline();
        else if (pending && tokens[i + 1] && tokens[i + 1].type === "comment") out += t.text;  // "{ # why"
        else if (pending) newline();
        else if (!atStart) out += t.text;
        return;
      }
      const word = t.type === "word" ? t.text.toLowerCase() : null;
      if ((word === "filter" || word === "bind") && inGroup()) clause = stack.length;
      if (pending && t.type !== "comment") newline();
      const last = seen[seen.length - 1];
      const empty = t.text === "}" && last && last.text === "{";
      if (!atStart && (t.text === "}" && t.type === "punct" && !empty || word && CLAUSES.has(word) && inGroup())) newline();
      if (atStart) {
        const closes = t.type === "punct" && "})]".includes(t.text) ? 1 : 0;
        const continues = last && last.type === "punct" && (last.text === ";" || last.text === ",") ? 1 : 0;
        out += "  ".repeat(Math.max(0, stack.length - closes + continues));
        atStart = false;
      }
      out += t.text;
      if (t.type === "comment") return;
      if (t.type === "punct") {
        if ("{([".includes(t.text)) stack.push(t.text);
        else if ("})]".includes(t.text)) stack.pop();
        const ends = (t.text === "}" || t.text === ")" && stack.length === clause) && inGroup();
        if (t.text === ")" && stack.length === clause) clause = -1;
        if (t.text === "{") pending = (nextSignificant(tokens, i) || {}).text !== "}";  // "{}" stays
        else if ((t.text === "." || t.text === ";") && (inGroup() || stack[stack.length - 1] === "[" && t.text === ";")) pending = true;
        else if (ends) {  // a group or a FILTER/BIND ends: what follows has its line
          const next = nextSignificant(tokens, i);
          pending = !next || !AFTER_GROUP.has(next.type === "word" ? next.text.toLowerCase() : next.text);
        }
      } else if (t.type === "iri") {
        const [a, b] = [seen[seen.length - 2], seen[seen.length - 1]];
        if (b && b.type === "word" && b.text.toLowerCase() === "base"
          || a && b && a.type === "word" && a.text.toLowerCase() === "prefix" && b.type === "pname") pending = true;
      }
      seen.push(t);
    });
    return out.replace(/\s+$/u, "");
  }

  window.kkbFormat = format;
  if (window.kkbEditor) window.kkbEditor.format = format;
})();

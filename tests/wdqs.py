"""A stand-in for the Wikidata Query Service, on loopback, for the refresh tests.

It speaks the SPARQL 1.1 protocol as the service does (GET ``?query=``, POST form, POST
``application/sparql-query``; answers ``application/sparql-results+json``) and answers the two
query shapes of ``kkb_lod/linking/refresh.py`` from a generated *world*: one item per unit given.
Every Q-id of the world is **SYNTHETIC** (``Q90000000000`` upwards, beyond any real item number),
made at test time and never written outside a test's temporary folder.

Every tenth district and village of the world lacks its P2588 code and carries its name with a
kind prefix ("Desa …"), so the refresh can find it only by name under its parent; every parent
also holds a decoy of the same level under another name. Faults are scripted per request number:
a status with headers (429 + Retry-After, 503), a stall longer than the client's timeout, an
answer that is not JSON, or a hold that keeps the request open until the test lets go (to kill
the client while it waits).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from kkb_lod.linking.refresh import CLASS_LEVELS
from kkb_lod.rows import UnitRow

ENTITY = "http://www.wikidata.org/entity/"
SYNTHETIC = 90_000_000_000  # first synthetic item number (test data only)
CLASS_OF = {"province": "Q5098", "regency": "Q3191695", "district": "Q3700011", "village": "Q26211545"}
PREFIX = {"district": "Kecamatan ", "village": "Desa "}
NOT_A_UNIT = "Q4022"  # a class of none of our levels (a river): the service filters it out


@dataclass(frozen=True)
class Item:
    qid: str
    code: str  # its P2588, empty for the items found only by name
    label: str
    parent: str
    cls: str
    coord: str


class World:
    """One synthetic item per unit, plus a decoy under every parent."""

    def __init__(self, units: Iterable[UnitRow]) -> None:
        self.items: dict[str, Item] = {}  # unit code → its item
        self.by_code: dict[str, Item] = {}
        self.children: dict[str, list[Item]] = {}
        self.hidden: set[str] = set()  # codes of the units without P2588
        number = SYNTHETIC
        for n, u in enumerate(sorted(units, key=lambda u: (u.code.count("."), u.code))):
            number += 1
            parent = self.items[u.parent_code].qid if u.parent_code in self.items else ""
            hide = u.level in PREFIX and n % 10 == 0
            item = Item(
                f"Q{number}",
                "" if hide else u.code,
                PREFIX[u.level] + u.name if hide else u.name,
                parent,
                CLASS_OF[u.level],
                f"Point({110 + n % 1000 / 1000:.3f} {-(n % 500) / 100:.2f})",
            )
            self.items[u.code] = item
            if hide:
                self.hidden.add(u.code)
            else:
                self.by_code[u.code] = item
            if parent:
                self.children.setdefault(parent, []).append(item)
        for parent, kids in list(self.children.items()):
            number += 1
            decoy = Item(f"Q{number}", "", "Sintetis Bukan Unit", parent, kids[0].cls, "")
            river = Item(f"Q{number + 1}", "", kids[0].label, parent, NOT_A_UNIT, "")
            number += 1
            kids.extend((decoy, river))

    def answer(self, query: str) -> dict | None:
        """SPARQL JSON results of one of the refresh's queries; None for any other query."""
        if "wdt:P2588 ?code ." in query:
            values = _values(query, "code", r'"([^"]+)"')
            items = [self.by_code[c] for c in values if c in self.by_code]
            return _results(items, ["item", "code", "labelId", "labelEn", "bps", "parent", "coord"])
        if "wdt:P131 ?parent ; wdt:P31 ?class" in query:
            classes = set(_values(query, "class", r"wd:(Q[0-9]+)"))
            if not classes <= set(CLASS_LEVELS) | {NOT_A_UNIT}:
                return None
            items = [
                k
                for p in _values(query, "parent", r"wd:(Q[0-9]+)")
                for k in self.children.get(p, [])
                if k.cls in classes
            ]
            return _results(items, ["item", "parent", "class", "labelId", "labelEn", "code", "bps", "coord"])
        return None


def _values(query: str, var: str, pattern: str) -> list[str]:
    block = re.search(r"VALUES \?" + var + r" \{([^}]*)\}", query)
    return re.findall(pattern, block.group(1)) if block else []


def _results(items: list[Item], variables: list[str]) -> dict:
    rows = []
    for item in items:
        row = {
            "item": {"type": "uri", "value": ENTITY + item.qid},
            "labelId": {"type": "literal", "xml:lang": "id", "value": item.label},
            "class": {"type": "uri", "value": ENTITY + item.cls},
        }
        if item.code:
            row["code"] = {"type": "literal", "value": item.code}
        if item.parent:
            row["parent"] = {"type": "uri", "value": ENTITY + item.parent}
        if item.coord:
            row["coord"] = {
                "type": "literal",
                "value": item.coord,
                "datatype": "http://www.opengis.net/ont/geosparql#wktLiteral",
            }
        rows.append({k: v for k, v in row.items() if k in variables})
    return {"head": {"vars": variables}, "results": {"bindings": rows}}


@dataclass
class Fault:
    """What the stand-in does instead of answering one request."""

    status: int = 0  # send this status (with ``headers``)
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0  # seconds to wait before answering normally
    garbage: bool = False  # answer 200 with a body that is not JSON
    hold: bool = False  # keep the request open until ``StandIn.release`` is set


class StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, world: World) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.world = world
        self.faults: dict[int, Fault] = {}  # request number (from 1) → fault
        self.log: list[dict] = []  # one entry per request: method, agent, query, start, end
        self.held, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"

    def reset(self) -> None:
        with self.lock:
            self.faults, self.log = {}, []
        self.held.clear()
        self.release.clear()


class _Handler(BaseHTTPRequestHandler):
    server: StandIn
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve(parse_qs(urlsplit(self.path).query).get("query", [""])[0])

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        if kind == "application/sparql-query":
            self._serve(body)
        elif kind == "application/x-www-form-urlencoded":
            self._serve(parse_qs(body).get("query", [""])[0])
        else:
            self._send(415, b"POST a form or application/sparql-query", "text/plain")

    def _serve(self, query: str) -> None:
        with self.server.lock:
            entry = {
                "method": self.command,
                "agent": self.headers.get("User-Agent", ""),
                "query": query,
                "start": time.monotonic(),
                "end": None,
            }
            self.server.log.append(entry)
            fault = self.server.faults.get(len(self.server.log), Fault())
        if fault.hold:
            self.server.held.set()
            self.server.release.wait()
            return
        time.sleep(fault.stall)
        if fault.status:
            self._send(fault.status, b"scripted failure", "text/plain", fault.headers)
        elif fault.garbage:
            self._send(200, b"<html>not json", "application/sparql-results+json")
        elif "application/sparql-results+json" not in self.headers.get("Accept", ""):
            self._send(406, b"ask for application/sparql-results+json", "text/plain")
        elif (answer := self.server.world.answer(query)) is None:
            self._send(400, b"a query the stand-in does not know", "text/plain")
        else:
            self._send(200, json.dumps(answer).encode(), "application/sparql-results+json")
        entry["end"] = time.monotonic()

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for k, v in {"Content-Type": kind, "Content-Length": str(len(body)), **(headers or {})}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client went away (timed out, or was killed)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(world: World) -> Iterator[StandIn]:
    server = StandIn(world)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()

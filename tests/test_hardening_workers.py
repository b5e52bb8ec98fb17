"""A query the engine cannot stop, against a real multi-worker ``kkb-lod serve`` on loopback: it
gets its 503 at ``query_timeout``, its worker process is replaced at ``query_hard_limit``, and
simple queries sent all along keep being answered.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from kkb_lod.config import Settings

from .server import children, server_process

#: A cross product of every triple with itself, counted: pyoxigraph computes it all before the
#: first row, so it can neither stream nor be stopped; it would take hours.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "PREFIX kkb: <https://w3id.org/kkb/def#>\nSELECT (COUNT(?k) AS ?n) WHERE { ?k a kkb:KKBDesignation }"


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


def wait_for(condition, what: str, seconds: float = 90):  # noqa: ANN001, ANN201
    """Poll ``condition`` until it returns something true; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)
    return found


def test_a_stuck_worker_is_replaced_while_the_others_keep_serving(settings: Settings) -> None:
    env = {"KKB_QUERY_TIMEOUT": "0.5", "KKB_QUERY_HARD_LIMIT": "3", "KKB_WORKERS": "2"}
    with server_process("--build", str(settings.build_dir), env=env) as (url, server):

        def workers(share: int | None = None) -> set[int] | None:
            """The two workers, if there are two (sharing ``share`` pids with ``before``)."""
            pids = children(server.pid)
            if len(pids) != 2 or (share is not None and len(pids & before) != share):
                return None
            return pids

        before = wait_for(workers, "two workers")
        phase = ["before"]
        answers: list[tuple[str, int, bytes]] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                status, body = get(url + "/sparql?format=json&query=" + urllib.parse.quote(SIMPLE))
                answers.append((phase[0], status, body))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            status, body = get(url + "/sparql?query=" + urllib.parse.quote(ENDLESS))
            assert status == 503 and b"query_timeout" in body
            phase[0] = "stuck"
            after = wait_for(lambda: workers(share=1), "the stuck worker replaced by a new one")
            phase[0] = "replaced"
            wait_for(lambda: sum(p == "replaced" for p, _, _ in answers) >= 5, "answers after")
        finally:
            stop.set()
            asker.join(60)
        assert len(after - before) == 1  # one new worker; the other one served throughout
        assert {status for _, status, _ in answers} == {200}
        assert all(b'"value":"15"' in body for _, _, body in answers)
        assert {p for p, _, _ in answers} == {"before", "stuck", "replaced"}
        assert b"kkb_worker_recycles_total 1" in get(url + "/metrics")[1]

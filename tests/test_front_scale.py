"""Beyond one machine: two app servers, each with its own copy of the release, behind one nginx
(the recipe's upstream with two servers). Both serve; stopping one while a client keeps asking
loses no request, nginx passing it to the other.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

from kkb_lod.config import Settings

from .test_front import Answer, app_server, ask, nginx, reached, served, sparql
from .test_hardening_workers import wait_for

ROUNDS = 300


def copy_of_release(settings: Settings, where: Path) -> Path:
    """A build folder holding a copy of the session's current release, as another machine
    would have it (copied whole: a release never changes)."""
    release = (settings.build_dir / "current").resolve()
    shutil.copytree(release, where / "releases" / release.name)
    (where / "current").symlink_to(Path("releases") / release.name)
    return where


def test_two_servers_share_the_load_and_one_may_stop(settings: Settings, tmp_path: Path) -> None:
    one, two = (copy_of_release(settings, tmp_path / name) for name in ("one", "two"))
    with (
        app_server(one) as (first, first_process),
        app_server(two) as (second, _),
        nginx(tmp_path / "nginx", [first, second], served(settings)) as front,
    ):
        before = {app: reached(app) for app in (first, second)}
        spread = [ask(front.url, sparql(f"ASK {{}} # spread {n}")) for n in range(20)]
        assert {a.status for a in spread} == {200}
        assert {a.headers["X-KKB-Release"] for a in spread} == {served(settings)}  # the same
        for app in (first, second):  # round robin: about half each
            assert reached(app) - before[app] >= 5, app

        answers: list[Answer] = []

        def keep_asking() -> None:
            for n in range(ROUNDS):  # each query new to the cache: it reaches an app server
                answers.append(ask(front.url, sparql(f"ASK {{}} # load {n}")))

        client = threading.Thread(target=keep_asking)
        client.start()
        try:
            wait_for(
                lambda: len(answers) >= ROUNDS // 4 or not client.is_alive(), "a quarter of the load asked"
            )
            first_process.terminate()  # SIGTERM to the gunicorn master: it stops
            first_process.wait(60)
        finally:
            client.join(300)
        assert not client.is_alive() and len(answers) == ROUNDS
        assert [a.status for a in answers] == [200] * ROUNDS
        assert {json.loads(a.body)["boolean"] for a in answers} == {True}
        failed_over = (front.root / "error.log").read_text()  # nginx tried the stopped one
        assert f'upstream: "{first}/sparql?query=ASK+%7B%7D+%23+load+' in failed_over
        after = reached(second)
        assert ask(front.url, sparql("ASK {} # after")).status == 200
        assert reached(second) == after + 1  # the one left answers everything

"""A polite client of the Wikidata Query Service: one request at a time, a pause between requests,
a User-Agent that names us and a contact, and the server's word on when to come back.

The rules come from the service's operators (docs/research-wikidata.md, "Politeness"): a client
(User-Agent + address) may use 60 s of query time a minute and cause 30 errors a minute; on 429 it
must wait the ``Retry-After`` seconds (or a minute when there is none) or be banned for a day; and
it should send one request at a time. A timeout, a dropped connection or a 5xx is retried after an
exponential back-off, a bounded number of times; any other 4xx is our query's fault and is not
retried.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import platform
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from kkb_lod import __version__
from kkb_lod.config import Settings

RESULTS_JSON = "application/sparql-results+json"
#: Waited after a 429 that names no time: the service operators' advice.
WAIT_AFTER_429 = 60.0
#: A Retry-After longer than this is not waited out in one run: the run stops (its progress kept).
LONGEST_WAIT = 3600.0


class RefreshError(RuntimeError):
    """The endpoint could not be queried (after retries)."""


@dataclass(frozen=True)
class Politeness:
    """How a refresh treats the service (the ``refresh_*`` settings)."""

    contact: str
    delay: float = 1.0  # seconds from the end of one request to the start of the next
    timeout: float = 65.0  # seconds one request may take (the service stops a query at 60)
    retries: int = 5  # further tries of one request after a failure
    backoff: float = 5.0  # first wait after a failure without Retry-After; doubled each time

    @classmethod
    def of(cls, settings: Settings) -> Politeness:
        return cls(
            settings.refresh_contact,
            settings.refresh_delay,
            settings.refresh_timeout,
            settings.refresh_retries,
            settings.refresh_backoff,
        )

    @property
    def user_agent(self) -> str:
        """Wikimedia's User-Agent policy: client/version (contact) library/version."""
        return (
            f"kkb-lod/{__version__} (Kampung Keluarga Berkualitas linked data; {self.contact}) "
            f"Python-urllib/{platform.python_version()}"
        )


class Client:
    """SELECT queries to one endpoint, one at a time, each answer a list of {variable: value}."""

    def __init__(
        self,
        endpoint: str,
        politeness: Politeness,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
            raise RefreshError(f"{endpoint!r} is not an http(s) URL of a SPARQL endpoint")
        self.endpoint, self.politeness, self.sleep, self.clock = endpoint, politeness, sleep, clock
        self.requests = 0
        self._last_end: float | None = None

    def select(self, query: str) -> list[dict[str, str]]:
        """The rows of ``query``'s answer; RefreshError once the retries are spent."""
        polite = self.politeness
        for attempt in range(polite.retries + 1):
            last = attempt == polite.retries
            self._pause()
            try:
                return self._post(query)
            except urllib.error.HTTPError as err:
                body = _excerpt(err)
                if err.code not in (429, 500, 502, 503, 504):
                    raise RefreshError(f"{self.endpoint} answered HTTP {err.code}: {body}") from None
                why, wait = f"HTTP {err.code}", self._wait(err.code, err.headers.get("Retry-After"), attempt)
            except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
                reason = getattr(err, "reason", err)
                timed_out = isinstance(reason, TimeoutError)
                why = "no answer within the timeout" if timed_out else f"unreachable ({reason})"
                wait = polite.backoff * 2**attempt
            except ValueError as err:  # an answer that is not SPARQL JSON results
                why, wait = f"an answer that is not SPARQL results ({err})", polite.backoff * 2**attempt
            if last:
                break
            if wait > LONGEST_WAIT:
                raise RefreshError(f"{self.endpoint} asks to wait {wait:.0f} s ({why}); run again later")
            self.sleep(wait)
        raise RefreshError(f"{self.endpoint}: {why}, {polite.retries + 1} times")

    def _pause(self) -> None:
        """Keep ``delay`` seconds between the end of a request and the start of the next."""
        if self._last_end is not None:
            left = self._last_end + self.politeness.delay - self.clock()
            if left > 0:
                self.sleep(left)

    def _post(self, query: str) -> list[dict[str, str]]:
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode({"query": query}).encode(),
            method="POST",
            headers={
                "User-Agent": self.politeness.user_agent,
                "Accept": RESULTS_JSON,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.politeness.timeout) as response:
                raw = response.read()
        finally:
            self._last_end = self.clock()
        return _bindings(raw)

    def _wait(self, status: int, retry_after: str | None, attempt: int) -> float:
        """The server's Retry-After (seconds or an HTTP date) if it gave one, else our own."""
        if retry_after:
            value = retry_after.strip()
            if value.isdigit():
                return float(value)
            try:
                when = email.utils.parsedate_to_datetime(value)
                return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
            except (TypeError, ValueError):
                pass  # unreadable: as if there were none
        return WAIT_AFTER_429 if status == 429 else self.politeness.backoff * 2**attempt


def _bindings(raw: bytes) -> list[dict[str, str]]:
    """Rows of a SPARQL JSON results document; ValueError if it is not one."""
    try:
        document = json.loads(raw.decode("utf-8"))
        bindings = document["results"]["bindings"]
        return [{k: str(v["value"]) for k, v in b.items()} for b in bindings]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(type(err).__name__) from None


def _excerpt(err: urllib.error.HTTPError) -> str:
    try:
        return err.read(300).decode("utf-8", "replace").strip() or err.reason
    except OSError:
        return str(err.reason)
    finally:
        err.close()

"""No query feature reaches a file or another host: FROM and GRAPH name graphs of the store
(nothing is fetched), SERVICE is allowlisted, LOAD is an update and refused."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that records whether anything connected to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def nobody_called(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return True
    return False


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
    ],
)
def test_graph_names_fetch_nothing(client: FlaskClient, listener: socket.socket, query: str) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl"
    response = client.get("/sparql", query_string={"query": query.format(url=url), "format": "json"})
    assert response.status_code == 200
    assert response.json.get("results", {}).get("bindings", []) == []
    assert "root:" not in response.get_data(as_text=True)
    assert nobody_called(listener)


def test_describe_of_another_host_fetches_nothing(client: FlaskClient, listener: socket.socket) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{url}>", "format": "nt"})
    assert response.status_code == 200 and response.data.strip() == b""
    assert nobody_called(listener)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", 400),
        ("SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", 400),
        ("SELECT * WHERE {{ SERVICE <file:///etc/passwd> {{ ?s ?p ?o }} }}", 400),
        ("LOAD <{url}>", 403),
        ("LOAD <file:///etc/passwd> INTO GRAPH <urn:x>", 403),
    ],
)
def test_service_and_load_are_refused(
    client: FlaskClient, listener: socket.socket, query: str, status: int
) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    response = client.get("/sparql", query_string={"query": query.format(url=url)})
    assert response.status_code == status
    assert nobody_called(listener)

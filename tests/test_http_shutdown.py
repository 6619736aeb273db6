"""SIGTERM under keep-alive load: the server stops accepting, answers every request it has received and
exits 0 — with one worker and with several."""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
from pathlib import Path

import pytest

from serving import HEADERS, serve_http

PING = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"})
CLIENTS = 12


class BusyClient(threading.Thread):
    """Pings over one keep-alive connection as fast as answers come, reconnecting when the server closes it,
    until a connection is refused. A request written to a connection the server has answered on, and never
    answered, is lost. A new connection reset or left unanswered before its first answer was never accepted:
    it sat in the kernel's queue when the workers stopped accepting (with several workers the supervisor
    holds the listening socket until they have all exited, then it is reset)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.answered, self.refused, self.unaccepted, self.lost = 0, 0, 0, []  # type: ignore[var-annotated]

    def run(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            self._ping_until_refused(connection)
        finally:
            connection.close()

    def _ping_until_refused(self, connection: http.client.HTTPConnection) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            fresh = connection.sock is None
            try:
                connection.connect() if fresh else None
            except OSError:  # the listener is closed: nothing was sent, nothing is owed
                self.refused += 1
                return
            try:
                connection.request("POST", "/mcp", body=PING, headers=HEADERS)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                if fresh and isinstance(error, ConnectionResetError | http.client.RemoteDisconnected | TimeoutError):
                    self.unaccepted += 1
                    return
                self.lost.append(f"{'fresh' if fresh else f'after {self.answered}'}: {error!r}")
                return
            assert response.status == 200 and json.loads(body)["result"] == {}, body
            self.answered += 1
            if response.getheader("connection", "").lower() == "close":
                connection.close()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 3])
def test_sigterm_under_keep_alive_load_answers_every_request_received_and_exits_0(db_path: Path, tmp_path: Path, workers: int) -> None:
    with serve_http(db_path, tmp_path, "--workers", str(workers), "--keep-alive", "30") as server:
        clients = [BusyClient(server.host, server.port) for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        time.sleep(3)  # every worker up and every client busy
        assert all(c.answered for c in clients), [c.answered for c in clients]
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=60)
        for client in clients:
            client.join(timeout=60)
    assert [c.lost for c in clients] == [[]] * CLIENTS
    assert code == 0, server.stderr.read_text()[-2000:]
    assert "Traceback" not in server.stderr.read_text()

"""vizflow's Jupyter server extension: a real jupyter_server loads it from the installed config
and its kernel websockets get TCP_NODELAY, set on a real socket before the connection opens."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any, ClassVar

from jupyter_server.serverapp import ServerApp
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import httpserver, netutil, web, websocket

from vizflow_server import SETTING, nodelay_connection


def test_a_jupyter_server_loads_it_and_wraps_its_kernel_websockets(tmp_path: Path) -> None:
    app = ServerApp()
    app.initialize(argv=["--port=0", "--no-browser", f"--ServerApp.root_dir={tmp_path}"])
    try:
        assert app.jpserver_extensions.get("vizflow_server") is True  # from the installed config
        cls = app.web_app.settings[SETTING]
        assert cls.__name__ == "NoDelayKernelConnection"
        assert issubclass(cls, ZMQChannelsWebsocketConnection)
    finally:
        app.http_server.stop()
        ServerApp.clear_instance()


class _Connection:
    """The part of a kernel websocket connection the extension relies on."""

    def __init__(self, websocket_handler: websocket.WebSocketHandler) -> None:
        self.websocket_handler = websocket_handler

    def connect(self) -> None:
        """Nothing to do here: jupyter's connects its kernel's channels."""


class _Handler(websocket.WebSocketHandler):
    nodelay: ClassVar[list[int]] = []  # what each opened socket's TCP_NODELAY was

    def open(self, *args: Any, **kwargs: Any) -> None:
        nodelay_connection(_Connection)(self).connect()
        assert self.ws_connection is not None
        sock = self.ws_connection.stream.socket  # type: ignore[attr-defined]
        self.nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_the_connection_turns_nagle_off_on_the_websocket() -> None:
    async def main() -> None:
        server = httpserver.HTTPServer(web.Application([("/ws", _Handler)]))
        socks = netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(socks)
        port = socks[0].getsockname()[1]
        client = await websocket.websocket_connect(f"ws://127.0.0.1:{port}/ws")
        client.close()
        server.stop()

    asyncio.run(main())
    assert _Handler.nodelay == [1]

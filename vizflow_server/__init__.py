"""vizflow's Jupyter server extension: kernel websockets send each message at once.

jupyter_server's kernel websockets keep Nagle's algorithm on, so a small message written while
the last one is not yet acknowledged waits for the browser's delayed ACK (up to 40 ms on
Linux). A debugger step sends the kernel's 'busy' status and then its reply: stepping back to
back, most replies waited so (a step shown in ~55 ms, ~20 ms without the wait). The extension
turns Nagle off (TCP_NODELAY) on each kernel websocket; it imports nothing of vizflow.
"""

from __future__ import annotations

from typing import Any

SETTING = "kernel_websocket_connection_class"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Where jupyter_server finds this extension."""
    return [{"module": "vizflow_server"}]


def nodelay_connection(base: type) -> type:
    """A kernel websocket connection class like `base` whose socket sends at once."""

    class NoDelayKernelConnection(base):
        """`base`, with TCP_NODELAY set on its websocket before it connects."""

        def connect(self) -> Any:
            self.websocket_handler.set_nodelay(True)
            return super().connect()

    return NoDelayKernelConnection


def _load_jupyter_server_extension(app: Any) -> None:
    """Wrap the server's kernel websocket connection class (whatever another extension or
    config set it to) in one that sends at once; a server without the setting is left as is."""
    settings = app.web_app.settings
    base = settings.get(SETTING)
    if isinstance(base, type) and hasattr(base, "connect"):
        settings[SETTING] = nodelay_connection(base)

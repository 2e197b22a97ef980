"""A real SMTP server on 127.0.0.1 for the tests that send mail (aiosmtpd)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(handler: Any) -> Iterator[int]:
    """``handler`` (aiosmtpd's handle_* methods) serving on a free loopback port: yields it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()

"""A TCP proxy in front of a server (PostgreSQL), in the test's event loop, that a test
stops and starts again: stopped, it cuts every connection through it and refuses new
ones, as a database that went away; started, it lets them through again on the same
port. A SilentProxy can also go silent, as a network that drops packets."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.engine import URL

from tests.support.processes import free_port


class TcpProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True
        )

    async def stop(self) -> None:
        """Refuse new connections and cut the open ones (no goodbye to either end)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, up_writer))
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                self._open.discard(w)
                w.transport.abort()


class SilentProxy(TcpProxy):
    """A proxy that can go silent: its connections, open ones and new ones, stay open but
    nothing passes through them, as when a network drops the packets (no reset, no
    refusal): every wait on the database then lasts until something gives up."""

    silent = False

    def go_silent(self) -> None:
        self.silent = True
        for writer in list(self._open):
            transport = writer.transport
            assert isinstance(transport, asyncio.Transport)
            transport.pause_reading()  # both ends: nothing read, nothing passed on

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.silent:
            await super()._serve(reader, writer)
            return
        transport = writer.transport
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()
        self._open.add(writer)  # held open, answered never; stop() cuts it


async def silent_proxy_to(url: URL) -> tuple[SilentProxy, str]:
    """A started SilentProxy in front of the database at `url`, and the URL through it."""
    proxy = SilentProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    return proxy, proxied


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()

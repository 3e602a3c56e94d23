"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

The real python-telegram-bot HTTP stack (httpx) talks to it over a real socket on 127.0.0.1,
so the bot under test runs unmodified; only ``base_url``/``base_file_url`` point here.

In-process, from async tests::

    async with FakeTelegramServer(token="123:ABC", latency_ms=0) as fake:
        bot = telegram.Bot("123:ABC", base_url=fake.base_url, base_file_url=fake.file_url)
        fake.inject_message(42, "/start")
        await fake.wait_for_calls("sendMessage", count=1)

As a separate process, for benchmarks::

    python -m tests.support.fakes.telegram_api --port 8081 --token 123:ABC --latency-ms 100 \
        [--enforce-limits]

In that mode a small control API under ``/_fake/`` (stats, inject, reset, config) stands in
for the Python helpers. The state and test helpers live in ``telegram_state`` and
``telegram_updates``; the Bot API methods in ``telegram_methods``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import time
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from types import FrameType, TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.fakes.telegram_methods import METHODS
from tests.support.fakes.telegram_types import (
    ApiError,
    Call,
    FloodLimiter,
    JSONDict,
    SentMessage,
    StoredFile,
    UploadedFile,
)
from tests.support.fakes.telegram_updates import UpdateInjector
from tests.support.fakes.telegram_wire import decode_params

__all__ = [
    "ApiError",
    "Call",
    "FakeTelegramServer",
    "FloodLimiter",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
]

UNAUTHORIZED = ApiError(401, "Unauthorized")
METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")


class FakeTelegramServer(UpdateInjector):
    """The fake Bot API: state and test helpers (inherited) plus the HTTP server around them."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        latency_ms: float = 0.0,
        enforce_limits: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "p2wkss_test_bot",
        bot_first_name: str = "P2WKSS Test Bot",
        overall_limit: int = 30,
        per_chat_limit: int = 1,
    ) -> None:
        super().__init__(
            token,
            latency_ms=latency_ms,
            enforce_limits=enforce_limits,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            overall_limit=overall_limit,
            per_chat_limit=per_chat_limit,
        )
        self.host = host
        self.port = port
        # Methods whose calls wait, unanswered and unrecorded, while they are held; released,
        # they fail (503), as if the bot had been killed while waiting for the answer.
        self.held: set[str] = set()
        self._release = asyncio.Event()
        # The next so many calls of a method fail with `fail_status` (a Bot API outage:
        # nothing is sent, nothing recorded as sent).
        self.failing: Counter[str] = Counter()
        self.fail_status = 502
        # Held calls whose client stopped waiting (timed out) before the release.
        self.abandoned = 0
        self.app = self._build_app()
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: PTB appends the token, giving /bot<token>/<method>."""
        return f"{self.root_url}/bot"

    @property
    def file_url(self) -> str:
        """PTB's ``base_file_url``: downloads go to /file/bot<token>/<file_path>."""
        return f"{self.root_url}/file/bot"

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self, *, embedded: bool = True) -> None:
        """Serve in the running event loop; ``embedded=False`` lets uvicorn handle signals."""
        if self._task is not None:
            raise RuntimeError("fake Telegram server already started")
        self.closing = False
        # Binding the socket ourselves makes port=0 race-free and tells us the real port.
        # proto must be IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on such sockets,
        # and without it every response stalls ~40 ms on Nagle plus delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = _Server(config, self, embedded=embedded)
        self._server = server
        self._task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("fake Telegram server exited during startup")
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Release waiting long polls, then shut uvicorn down and wait for it."""
        if self._server is None or self._task is None:
            return
        self.begin_close()
        self._server.request_exit()
        try:
            await self._task
        finally:
            self._server = None
            self._task = None

    async def serve_until_stopped(self) -> None:
        if self._task is not None:
            await self._task

    def begin_close(self) -> None:
        self.closing = True
        self.notify()

    # -- HTTP ---------------------------------------------------------------------------------

    def _build_app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
                Route("/_fake/stats", self._stats, methods=["GET"]),
                Route("/_fake/sent", self._sent, methods=["GET"]),
                Route("/_fake/inject/{kind}", self._inject, methods=["POST"]),
                Route("/_fake/reset", self._reset, methods=["POST"]),
                Route("/_fake/config", self._config, methods=["POST"]),
            ],
            exception_handlers={HTTPException: _http_error},
        )

    async def _api(self, request: Request) -> Response:
        name = str(request.path_params["method"])
        if request.path_params["token"] != self.token:
            return self._refuse(name, {}, UNAUTHORIZED)
        entry = METHODS.get(name.lower())
        if entry is None:
            return self._refuse(name, {}, METHOD_NOT_FOUND)
        method, handler = entry
        try:
            params = decode_params(
                list(request.query_params.multi_items()),
                request.headers.get("content-type", ""),
                await request.body(),
            )
        except ApiError as error:
            return self._refuse(method, {}, error)
        if self.latency_ms > 0:
            await self.pause(self.latency_ms / 1000)
        if self.failing[method] > 0:
            self.failing[method] -= 1
            return self._refuse(method, params, ApiError(self.fail_status, "Bad Gateway"))
        if method in self.held:
            if await self._hold_until_released(request):
                self.abandoned += 1  # the client gave up waiting: a timeout
            return self._refuse(method, params, ApiError(503, "Service Unavailable"))
        now = time.monotonic()
        try:
            self.check_admission(method, params.get("chat_id"), now)
            result = await handler(self, params)
        except ApiError as error:
            return self._refuse(method, params, error, now)
        self.record(Call(method, params, now, 200, result))
        return JSONResponse({"ok": True, "result": result})

    async def _hold_until_released(self, request: Request) -> bool:
        """Wait for the release; True as soon as the client has gone (it timed out)."""
        while not self._release.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), 0.1)
            if await request.is_disconnected():
                return True
        return False

    def _refuse(
        self, method: str, params: JSONDict, error: ApiError, at: float | None = None
    ) -> Response:
        self.record(Call(method, params, time.monotonic() if at is None else at, error.code))
        return JSONResponse(error.payload(), status_code=error.code)

    async def _download(self, request: Request) -> Response:
        file_path = str(request.path_params["file_path"])
        params = {"file_path": file_path}
        if request.path_params["token"] != self.token:
            return self._refuse("downloadFile", params, UNAUTHORIZED)
        if self.latency_ms > 0:
            await self.pause(self.latency_ms / 1000)
        stored = self.file_by_path(file_path)
        if stored is None:
            return self._refuse("downloadFile", params, ApiError(404, "Not Found"))
        self.record(Call("downloadFile", params, time.monotonic(), 200))
        return Response(stored.content, media_type=stored.mime_type or "application/octet-stream")

    # -- control API for the separate-process mode ---------------------------------------------

    async def _stats(self, request: Request) -> Response:
        by_method: dict[str, Counter[int]] = {}
        for call in self.calls:
            by_method.setdefault(call.method, Counter())[call.status] += 1
        return JSONResponse(
            {
                "calls": len(self.calls),
                "http_429_count": self.http_429_count,
                "pending_updates": self.pending_update_count(),
                "abandoned": self.abandoned,
                "by_method": {m: dict(c) for m, c in by_method.items()},
            }
        )

    async def _sent(self, request: Request) -> Response:
        sent = [{"chat_id": m.chat_id, "text": m.text} for m in self.sent_messages()]
        return JSONResponse({"ok": True, "result": sent})

    def hold(self, methods: Sequence[str]) -> None:
        """Hold calls of these methods (none: release and fail the ones waiting)."""
        self.held = set(methods)
        if self.held:
            self._release = asyncio.Event()
        else:
            self._release.set()

    async def _inject(self, request: Request) -> Response:
        injectors: dict[str, Callable[..., JSONDict]] = {
            "update": self.inject_update,
            "message": self.inject_message,
            "callback": self.inject_callback,
            "contact": self.inject_contact,
            "my_chat_member": self.inject_my_chat_member,
        }
        injector = injectors.get(str(request.path_params["kind"]))
        if injector is None:
            raise HTTPException(404)
        kwargs: Any = await request.json()
        try:
            update = injector(**kwargs) if isinstance(kwargs, dict) else None
        except (TypeError, KeyError, ValueError) as error:
            return JSONResponse({"ok": False, "description": str(error)}, status_code=400)
        if update is None:
            return JSONResponse({"ok": False, "description": "body must be an object"}, 400)
        return JSONResponse({"ok": True, "result": update})

    async def _reset(self, request: Request) -> Response:
        self.reset_calls()
        self.limiter.reset()
        return JSONResponse({"ok": True, "result": True})

    async def _config(self, request: Request) -> Response:
        body: Any = await request.json()
        if isinstance(body, dict):
            self.latency_ms = float(body.get("latency_ms", self.latency_ms))
            self.enforce_limits = bool(body.get("enforce_limits", self.enforce_limits))
            if isinstance(body.get("hold"), list):
                self.hold([str(m) for m in body["hold"]])
            if isinstance(body.get("fail"), dict):
                self.failing = Counter({str(m): int(n) for m, n in body["fail"].items()})
            self.fail_status = int(body.get("fail_status", self.fail_status))
        settings = {"latency_ms": self.latency_ms, "enforce_limits": self.enforce_limits,
                    "hold": sorted(self.held), "fail": dict(self.failing)}  # fmt: skip
        return JSONResponse({"ok": True, "result": settings})


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, fake: FakeTelegramServer, embedded: bool) -> None:
        super().__init__(config)
        self._fake = fake
        self._embedded = embedded
        self._exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if self._embedded:
            # Inside a test run Ctrl-C must interrupt pytest, not just stop this server.
            yield
            return
        with super().capture_signals():
            yield

    async def main_loop(self) -> None:
        # uvicorn's own loop polls should_exit every 100 ms (refreshing the Date header, which
        # no client here needs); waking on request makes each test's teardown that much faster.
        await self._exit_requested.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own shutdown sleeps 100 ms unconditionally, then polls every 100 ms for
        # the connections and tasks to finish: that was most of each Telegram test's
        # teardown. The same steps, polling every 5 ms.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        state = self.server_state
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                while (state.connections or state.tasks) and not self.force_exit:
                    await asyncio.sleep(0.005)
        except TimeoutError:
            for task in state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()

    def request_exit(self) -> None:
        self.should_exit = True
        self._exit_requested.set()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Runs in a signal handler: defer to the event loop, where waking the long polls is
        # safe; otherwise uvicorn waits for every pending getUpdates to time out.
        asyncio.get_running_loop().call_soon_threadsafe(self._wake_for_exit)
        super().handle_exit(sig, frame)

    def _wake_for_exit(self) -> None:
        self._fake.begin_close()
        self._exit_requested.set()


async def _http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    return JSONResponse(ApiError.default(code).payload(), status_code=code)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.fakes.telegram_api",
        description="Fake Telegram Bot API server",
        epilog="Control API (JSON): GET /_fake/stats; POST /_fake/inject/<kind> with the "
        "inject_<kind> keyword arguments, kind in message, callback, contact, my_chat_member, "
        "update; GET /_fake/sent (chat_id, text of each message sent); POST /_fake/reset; "
        "POST /_fake/config {latency_ms, enforce_limits, hold: [methods], fail: {method: "
        "count}, fail_status}.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--enforce-limits",
        action="store_true",
        help="answer 429 beyond 30 sends/s overall or 1 send/s per chat",
    )
    args = parser.parse_args(argv)
    fake = FakeTelegramServer(
        args.token,
        latency_ms=args.latency_ms,
        enforce_limits=args.enforce_limits,
        host=args.host,
        port=args.port,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(fake))


async def _serve(fake: FakeTelegramServer) -> None:
    await fake.start(embedded=False)
    print(f"fake-telegram listening on {fake.root_url}", flush=True)
    await fake.serve_until_stopped()


if __name__ == "__main__":
    main()

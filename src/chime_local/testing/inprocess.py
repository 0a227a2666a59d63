"""In-process mode: every boto3/botocore ``chime`` client is answered by an emulator.

No socket and no thread: the prepared request becomes an :class:`HttpRequest`, runs through the
same pipeline as the server (routing, validation, serialization, errors, auth modes), and botocore
gets an ``AWSResponse``. Other services' clients are never touched.

Two hooks, so that no ``chime`` call leaves the process inside ``mock_chime``:

* a ``before-send.chime`` handler (botocore's own event hook, the one its ``Stubber`` uses),
  registered in botocore's built-in handlers when this module is imported: every session made
  afterwards, and every client of it, carries it;
* for clients whose event emitter predates that (a session or a client created before
  ``chime_local`` was imported, boto3's default session included), botocore's ``Endpoint._send``,
  the one call through which every client's request reaches the network, is replaced at the class
  level while any ``mock_chime`` is active, and answers ``chime`` requests in-process. If no
  emulator can answer, the call fails naming ``mock_chime`` rather than going out.

The active emulators form a stack (blocks nest); the innermost answers.
::

    with mock_chime() as chime:          # also @mock_chime, @mock_chime(), and the pytest fixture
        client = boto3.client("chime", region_name="us-east-1")
        client.create_account(Name="Team")
        chime.export()
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint

from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.model.datapath import use_packaged_model
from chime_local.protocol.http import HttpRequest

F = TypeVar("F", bound=Callable[..., Any])
EVENT = "before-send.chime"
ENDPOINT_PREFIX = "chime"  # botocore's endpoint prefix of the service
# Values used only when the environment has none, so clients can sign without real credentials.
FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIACHIMELOCAL000000",
    "AWS_SECRET_ACCESS_KEY": "chime-local-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class _Registry:
    """The stack of active emulators that the hooks answer from; while it is not empty,
    botocore's ``Endpoint._send`` is :func:`_send_in_process`."""

    def __init__(self) -> None:
        self.stack: list[Emulator] = []
        self.lock = threading.Lock()
        self.original_send: Callable[..., Any] | None = None

    def push(self, emulator: Emulator) -> None:
        with self.lock:
            if not self.stack:
                self.original_send = Endpoint._send
                Endpoint._send = _send_in_process
            self.stack.append(emulator)

    def remove(self, emulator: Emulator) -> None:
        with self.lock:
            self.stack.remove(emulator)
            if not self.stack and self.original_send is not None:
                Endpoint._send = self.original_send
                self.original_send = None

    def current(self) -> Emulator | None:
        return self.stack[-1] if self.stack else None


_REGISTRY = _Registry()


class MockChimeError(RuntimeError):
    """A ``chime`` request inside ``mock_chime`` that no emulator could answer: never sent."""


class _RawBody:
    """The minimal raw-response object botocore reads a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


class _PreparedHeaders(Mapping[str, str]):
    """botocore's prepared headers as the pipeline reads them: lowercase names, text values.

    Values are decoded on lookup rather than copied up front: the pipeline reads two to four of
    them, and iterating botocore's case-insensitive ``HeadersDict`` costs more than the lookups.
    ``host`` is the URL's, as the HTTP client would send it.
    """

    __slots__ = ("_headers", "_host")

    def __init__(self, headers: Any, host: str) -> None:
        self._headers = headers
        self._host = host

    def get(self, name: str, default: Any = None) -> Any:
        value = self._headers.get(name)
        if value is None:
            return self._host if name == "host" else default
        return value.decode() if isinstance(value, bytes) else str(value)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        names = [name.lower() for name in self._headers]
        return iter(names if "host" in names else [*names, "host"])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _to_request(prepared: Any) -> HttpRequest:
    url = urlsplit(prepared.url)
    headers = _PreparedHeaders(prepared.headers, url.netloc)
    body = prepared.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body or b"")


def answer(request: Any, **kwargs: Any) -> AWSResponse | None:
    """The ``before-send.chime`` handler: answer from the active emulator, if any."""
    emulator = _REGISTRY.current()
    if emulator is None:
        return None
    response = emulator.handle(_to_request(request))
    return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))


botocore.handlers.BUILTIN_HANDLERS.append((EVENT, answer))


def _send_in_process(endpoint: Endpoint, request: Any) -> Any:
    """``Endpoint._send`` while a mock is active: a ``chime`` request that reached it (its client
    predates the ``before-send`` handler) is answered here; other services' go out as usual."""
    registry = _REGISTRY
    if endpoint._endpoint_prefix != ENDPOINT_PREFIX:
        send = registry.original_send or _ORIGINAL_SEND
        return send(endpoint, request)
    response = answer(request)
    if response is None:
        raise MockChimeError(
            f"mock_chime: no active emulator answers {request.method} {request.url}; "
            "the chime request was not sent"
        )
    return response


_ORIGINAL_SEND = Endpoint._send


class MockChime:
    """One use of the in-process mode: a fresh emulator per ``with`` block or decorated call."""

    def __init__(self, seed: dict[str, Any] | None = None, config: Config | None = None) -> None:
        self.seed = seed
        self.config = config
        self._entered: list[tuple[Emulator, dict[str, str | None]]] = []

    def start(self) -> Emulator:
        config = self.config or Config(log_requests=False)
        emulator = Emulator(config)
        if self.seed is not None:
            emulator.seed(self.seed)
        saved = {name: os.environ.get(name) for name in FAKE_ENVIRONMENT}
        for name, value in FAKE_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
        saved.update(use_packaged_model())  # chime clients build even if botocore has no chime
        _REGISTRY.push(emulator)
        self._entered.append((emulator, saved))
        return emulator

    def stop(self) -> None:
        emulator, saved = self._entered.pop()
        _REGISTRY.remove(emulator)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        emulator.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, target: F) -> F:
        """Decorate a function (sync or async) or every ``test*`` method of a class."""
        if inspect.isclass(target):
            for name, member in list(vars(target).items()):
                if name.startswith("test") and callable(member):
                    setattr(target, name, self(member))
            return target
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await target(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return target(*args, **kwargs)

        return run  # type: ignore[return-value]


@overload
def mock_chime(target: F) -> F: ...
@overload
def mock_chime(
    target: None = None, *, seed: dict[str, Any] | None = None, config: Config | None = None
) -> MockChime: ...
def mock_chime(
    target: F | None = None,
    *,
    seed: dict[str, Any] | None = None,
    config: Config | None = None,
) -> F | MockChime:
    """``with mock_chime() as chime``, ``@mock_chime``, or ``@mock_chime(seed=...)``."""
    mock = MockChime(seed=seed, config=config)
    return mock(target) if target is not None else mock

"""Recorded subgraph answers served back after a fixed delay: subgraphs that cost the same on
every request, so that what varies between two runs through a gateway is the gateway.

    python bench/memo_subgraphs.py RECORDING.json --delay-ms 3

RECORDING is ``{"ports": {name: port}, "answers": {request body: response body}}`` (JSON
strings). One process listens on every port; a request whose body was recorded gets its answer
``--delay-ms`` after it arrived (a timer, so the server itself stays idle meanwhile, as a
subgraph waiting on its database); any other body gets a 404 with a GraphQL error naming it.
Prints ``ready`` once listening. Raw HTTP/1.1 with keep-alive on uvloop: a few microseconds per
request, the same for every gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

__all__ = ["Memo", "main"]

_MISSING = b'{"errors":[{"message":"request not recorded","extensions":{"code":"NOT_RECORDED"}}]}'


def _response(status: bytes, payload: bytes) -> bytes:
    head = b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % (status, len(payload)) + payload


class Memo(asyncio.Protocol):
    """One connection: parses requests as they complete and answers each after the delay."""

    def __init__(self, answers: dict[bytes, bytes], delay: float) -> None:
        self.answers = answers
        self.delay = delay
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in bytes(self.buffer[:end]).split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = bytes(self.buffer[end + 4 : total])
            del self.buffer[:total]
            answer = self.answers.get(body)
            reply = _response(b"404 Not Found", _MISSING) if answer is None else answer
            asyncio.get_running_loop().call_later(self.delay, self._write, reply)

    def _write(self, reply: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(recording: dict[str, object], delay: float) -> None:
    answers_in = recording["answers"]
    ports = recording["ports"]
    assert isinstance(answers_in, dict)
    assert isinstance(ports, dict)
    answers = {k.encode(): _response(b"200 OK", v.encode()) for k, v in answers_in.items()}
    loop = asyncio.get_running_loop()
    for port in ports.values():
        await loop.create_server(lambda: Memo(answers, delay), "127.0.0.1", int(port))
    print("ready", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("--delay-ms", type=float, default=3.0)
    args = parser.parse_args(argv)
    recording = json.loads(args.recording.read_text())
    import uvloop

    uvloop.run(serve(recording, args.delay_ms / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())

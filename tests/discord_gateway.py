"""A loopback stand-in for Discord's gateway, the websocket each shard of a bot connects to, for tests that
run `gapbot discord` in processes of their own: it says HELLO, answers a shard's IDENTIFY with READY,
acknowledges heartbeats, and sends a shard the events a test gives it (as plain JSON text frames, which
discord.py reads like the compressed ones).

Run as a script, it is the launcher of such a process: `python tests/discord_gateway.py REST GATEWAY ARGS…`
points discord.py at the two fakes (Route.BASE, as the in-process tests set it, and the default gateway), then
runs `gapbot ARGS…`.
"""
from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

from aiohttp import WSMsgType, web

APP_ID = "1300000000000000001"
BOT_USER = {"id": APP_ID, "username": "gapbot", "discriminator": "0", "avatar": None, "bot": True,
            "global_name": None, "public_flags": 0}
HELLO, IDENTIFY, HEARTBEAT, HEARTBEAT_ACK, DISPATCH = 10, 2, 1, 11, 0


class FakeGateway:
    """Serve with start(); .url is the gateway URL. identified maps shard id -> (shard count, intents)."""

    def __init__(self) -> None:
        self.identified: dict[int, tuple[int, int]] = {}
        self._sockets: dict[int, web.WebSocketResponse] = {}
        self._sequence = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()

    def start(self) -> FakeGateway:
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(10)
        return self

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/", self._connection)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = self._runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}/"
        self._ready.set()
        self._loop.run_forever()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def wait_for_shards(self, ids: set[int], *, timeout: float = 60) -> None:
        """Block until every shard in ids has identified (AssertionError after timeout seconds)."""
        deadline = time.monotonic() + timeout
        while not ids <= set(self.identified):
            assert time.monotonic() < deadline, f"shards {sorted(ids)} never connected: {self.identified}"
            time.sleep(0.05)

    def dispatch(self, shard: int, event: str, data: dict[str, Any]) -> None:
        """Send one event to the connection of a shard."""
        asyncio.run_coroutine_threadsafe(self._send(shard, {"op": DISPATCH, "t": event, "d": data}),
                                         self._loop).result(10)

    async def _send(self, shard: int, message: dict[str, Any]) -> None:
        self._sequence += 1
        await self._sockets[shard].send_str(json.dumps({**message, "s": self._sequence}))

    async def _connection(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": HELLO, "d": {"heartbeat_interval": 45000}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            sent = json.loads(msg.data)
            if sent["op"] == HEARTBEAT:
                await ws.send_str(json.dumps({"op": HEARTBEAT_ACK}))
            elif sent["op"] == IDENTIFY:
                await self._identified(ws, sent["d"])
        return ws

    async def _identified(self, ws: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        shard, count = identify["shard"]
        self._sockets[shard] = ws
        await self._send(shard, {"op": DISPATCH, "t": "READY", "d": {
            "v": 10, "user": BOT_USER, "guilds": [], "session_id": f"session-{shard}",
            "shard": [shard, count], "resume_gateway_url": self.url,
            "application": {"id": APP_ID, "flags": 0}}})
        self.identified[shard] = (count, identify["intents"])


if __name__ == "__main__":
    import discord.gateway
    import discord.http
    import yarl

    from adapters.cli import main

    discord.http.Route.BASE = sys.argv[1]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
    sys.exit(main(sys.argv[3:]))

"""A loopback LiveKit server API for tests: Twirp over HTTP on 127.0.0.1, real protobufs.

The real `livekit.api.LiveKitAPI` client talks to it. Every request's bearer token is
verified with `api.TokenVerifier` (HS256, issuer = API key) and recorded with its grants,
so a test can assert what was asked and with which authority. Answers are the defaults
below unless a test queues another one (a response, or a Twirp error such as a SIP 486).
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from google.protobuf.message import Message
from livekit import api

API_KEY = "APItestkey"
API_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"

_ids = itertools.count(1)
RECORDING_BUCKET = "s3://recordings-test"
STARTED_NS = 1_790_000_000_000_000_000  # 2026-09-21T...Z, in LiveKit's nanoseconds
ENDED_NS = STARTED_NS + 42_500_000_000


def egress(
    egress_id: str, status: int = api.EgressStatus.EGRESS_COMPLETE, **fields: Any
) -> api.ListEgressResponse:
    """A ListEgress answer about one egress (an ended one, with its file, by default)."""
    return api.ListEgressResponse(
        items=[api.EgressInfo(egress_id=egress_id, status=status, **fields)]
    )


def ended_egress(egress_id: str) -> api.ListEgressResponse:
    return egress(
        egress_id,
        started_at=STARTED_NS,
        ended_at=ENDED_NS,
        file_results=[
            api.FileInfo(
                filename=f"recordings/{egress_id}.ogg",
                location=f"{RECORDING_BUCKET}/recordings/{egress_id}.ogg",
                duration=42_500_000_000,
                size=681_000,
                started_at=STARTED_NS,
                ended_at=ENDED_NS,
            )
        ],
    )


# (service, method) -> (request type, default response factory)
METHODS: dict[tuple[str, str], tuple[type[Message], Any]] = {
    ("Egress", "StartRoomCompositeEgress"): (
        api.RoomCompositeEgressRequest,
        lambda req: api.EgressInfo(
            egress_id=f"EG_test{next(_ids)}",
            room_name=req.room_name,
            status=api.EgressStatus.EGRESS_STARTING,
        ),
    ),
    ("Egress", "StopEgress"): (
        api.StopEgressRequest,
        lambda req: api.EgressInfo(egress_id=req.egress_id, status=api.EgressStatus.EGRESS_ENDING),
    ),
    # What LiveKit reports once an egress has ended: the file and where it went.
    ("Egress", "ListEgress"): (api.ListEgressRequest, lambda req: ended_egress(req.egress_id)),
    ("RoomService", "DeleteRoom"): (api.DeleteRoomRequest, lambda req: api.DeleteRoomResponse()),
    ("RoomService", "MoveParticipant"): (
        api.MoveParticipantRequest,
        lambda req: api.MoveParticipantResponse(),
    ),
    ("SIP", "CreateSIPParticipant"): (
        api.CreateSIPParticipantRequest,
        lambda req: api.SIPParticipantInfo(
            participant_identity=req.participant_identity,
            room_name=req.room_name,
            sip_call_id=f"SCL_test{next(_ids)}",
        ),
    ),
    ("SIP", "TransferSIPParticipant"): (
        api.TransferSIPParticipantRequest,
        lambda req: api.TransferSIPParticipantResponse(
            transfer_id=f"STR_test{next(_ids)}",
            status=api.SIPTransferStatus.STS_TRANSFER_SUCCESSFUL,
            reason=api.SIPTransferReason.STR_COMPLETED,
        ),
    ),
}


@dataclass(frozen=True)
class TwirpFailure:
    """An error answer: HTTP status, Twirp code, message and metadata."""

    http_status: int
    code: str
    msg: str
    meta: dict[str, str] = field(default_factory=dict)


def sip_error(code: int, status: str) -> TwirpFailure:
    """How LiveKit answers a dial or transfer that failed with a SIP response."""
    twirp = {486: "resource_exhausted", 480: "unavailable", 503: "unavailable"}.get(code, "unknown")
    http = {"resource_exhausted": 429, "unavailable": 503}.get(twirp, 500)
    return TwirpFailure(
        http,
        twirp,
        f"sip status: {code}: {status}",
        {"sip_status_code": str(code), "sip_status": status},
    )


@dataclass(frozen=True)
class Recorded:
    service: str
    method: str
    body: Any
    grants: api.Claims


class LiveKitServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._answers: dict[str, deque[Message | TwirpFailure]] = defaultdict(deque)
        self._verifier = api.TokenVerifier(API_KEY, API_SECRET)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def answer(self, method: str, reply: Message | TwirpFailure) -> None:
        """Answer the next `method` request with `reply` instead of the default."""
        self._answers[method].append(reply)

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method]

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/twirp/livekit.{service}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        service, method = request.match_info["service"], request.match_info["method"]
        if (service, method) not in METHODS:
            return _error(TwirpFailure(404, "bad_route", f"no {service}/{method} here"))
        auth = request.headers.get("Authorization", "")
        try:
            claims = self._verifier.verify(auth.removeprefix("Bearer "))
        except Exception as exc:
            return _error(TwirpFailure(401, "unauthenticated", f"invalid token: {exc}"))
        request_type, default = METHODS[(service, method)]
        body = request_type.FromString(await request.read())
        self.requests.append(Recorded(service, method, body, claims))
        queued = self._answers[method]
        reply = queued.popleft() if queued else default(body)
        if isinstance(reply, TwirpFailure):
            return _error(reply)
        return web.Response(body=reply.SerializeToString(), content_type="application/protobuf")


def _error(failure: TwirpFailure) -> web.Response:
    return web.json_response(
        {"code": failure.code, "msg": failure.msg, "meta": failure.meta},
        status=failure.http_status,
    )

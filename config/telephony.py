"""Telephony settings: recording after consent, the human line, and what callers hear.

Every variable is flat and upper case (`RECORDING_ENABLED`, `TRANSFER_NUMBER`, ...).
LiveKit's own `LIVEKIT_SIP_OUTBOUND_TRUNK` and `LIVEKIT_SIP_NUMBER` are read too, so a
project already set up for LiveKit's examples needs nothing new for the trunk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import phonenumbers
from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator

from config.section import INVALID, Section

TransferMode = Literal["warm", "cold"]
RecordingStorage = Literal["server", "s3", "gcp", "azure"]

HOLD_AUDIO_BUILTIN = "builtin"
HOLD_AUDIO_OFF = "off"


def to_e164(value: str, *, region: str | None = None) -> str:
    """`value` as E.164 (`+14155550123`); ValueError with a fix if it isn't a valid number."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(
            f"is not a phone number ({exc._msg}); write it in E.164 form, e.g. +14155550123"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("is not a valid phone number; write it in E.164 form, e.g. +14155550123")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class TelephonySettings(Section):
    # -- caller context ----------------------------------------------------------------
    phone_default_region: str = Field(
        default="US",
        pattern=r"^[A-Z]{2}$",
        description=(
            "ISO country code used to read caller numbers that arrive without a + prefix "
            "(e.g. 4155550123 from a US trunk) and phone answers given in forms."
        ),
    )

    @field_validator("phone_default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"{value!r} is not a region phone numbers can be read in; use an ISO 3166 "
                "country code such as US, GB or DE"
            )
        return value

    # -- recording after consent --------------------------------------------------------
    recording_enabled: bool = Field(
        default=False,
        description="Start an audio-only room composite Egress after the caller says yes.",
    )
    recording_file_path: str = Field(
        default="recordings/{room_name}-{time}.ogg",
        min_length=1,
        description="Egress file path; {room_name}, {room_id} and {time} are filled by Egress.",
    )
    recording_s3_bucket: str | None = None
    recording_s3_region: str | None = None
    recording_s3_access_key: str | None = None
    recording_s3_secret: SecretStr | None = None
    recording_s3_endpoint: str | None = Field(
        default=None, description="For S3-compatible stores (MinIO, R2...)."
    )
    recording_s3_force_path_style: bool = False
    recording_gcp_bucket: str | None = None
    recording_gcp_credentials: SecretStr | None = Field(
        default=None, description="The service account JSON (its content, not a path)."
    )
    recording_azure_account_name: str | None = None
    recording_azure_account_key: SecretStr | None = None
    recording_azure_container: str | None = None

    recording_storage: RecordingStorage = Field(
        default="server",
        validate_default=True,
        description=(
            "server: the Egress service's own storage (self-hosted egress config, or your "
            "LiveKit Cloud project's default); s3, gcp or azure: upload with the settings below."
        ),
    )

    # -- transfer to a human --------------------------------------------------------------
    transfer_mode: TransferMode = Field(
        default="warm",
        description=(
            "warm: hold music, the human is briefed, then connected (WarmTransferTask); "
            "cold: a blind SIP transfer of the caller (TransferSIPParticipant)."
        ),
    )
    transfer_number: str | None = Field(
        default=None,
        description="The human line, E.164 (e.g. +14155550100). Unset: no transfers.",
    )
    cold_transfer_to: str | None = Field(
        default=None,
        validate_default=True,
        description="Cold transfer target: E.164 or a sip: URI (unset: TRANSFER_NUMBER).",
    )
    sip_outbound_trunk: str | None = Field(
        default=None,
        validate_default=True,
        validation_alias=AliasChoices("sip_outbound_trunk", "livekit_sip_outbound_trunk"),
        description="Outbound trunk id (ST_...) that dials the human for warm transfers.",
    )
    sip_number: str | None = Field(
        default=None,
        validation_alias=AliasChoices("sip_number", "livekit_sip_number"),
        description="Caller id shown to the human (a number of the outbound trunk), E.164.",
    )
    transfer_ringing_timeout: float = Field(
        default=30.0, ge=5, le=120, description="Seconds to let the human line ring."
    )
    transfer_play_dialtone: bool = Field(
        default=False, description="Cold transfer: play a dial tone to the caller meanwhile."
    )
    transfer_hold_audio: str = Field(
        default=HOLD_AUDIO_BUILTIN,
        min_length=1,
        description="Hold music: builtin (LiveKit's), off, or the path of an audio file.",
    )

    # -- what the caller hears (unset: the language file's `call:` lines) --------------------
    transfer_announcement: str | None = Field(default=None, min_length=1)
    transfer_connected: str | None = Field(default=None, min_length=1)
    transfer_busy: str | None = Field(default=None, min_length=1)
    transfer_no_answer: str | None = Field(default=None, min_length=1)
    transfer_declined: str | None = Field(default=None, min_length=1)
    transfer_voicemail: str | None = Field(default=None, min_length=1)
    transfer_human_left: str | None = Field(default=None, min_length=1)
    transfer_failed: str | None = Field(default=None, min_length=1)
    transfer_unavailable: str | None = Field(default=None, min_length=1)
    callback_offer: str | None = Field(
        default=None,
        min_length=1,
        description="After a failed transfer, to a caller whose number we have (caller id).",
    )
    callback_offer_no_number: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "After a failed transfer, to a caller we have no number for (web, withheld): a "
            "call back is confirmed only once they give one."
        ),
    )
    callback_confirmed: str | None = Field(default=None, min_length=1)
    callback_not_arranged: str | None = Field(
        default=None,
        min_length=1,
        description="When a caller with no number on the call doesn't give one.",
    )

    # -- validation ---------------------------------------------------------------------------

    @field_validator("transfer_number", "sip_number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return to_e164(value)

    @field_validator("cold_transfer_to")
    @classmethod
    def _number_or_sip_uri(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            cold = cls.earlier(info, "transfer_mode") == "cold"
            if cold and cls.earlier(info, "transfer_number") is None:  # INVALID: given
                raise ValueError("TRANSFER_MODE=cold needs COLD_TRANSFER_TO or TRANSFER_NUMBER")
            return None
        if value.startswith(("sip:", "sips:")):
            return value
        return to_e164(value.removeprefix("tel:"))

    @field_validator("transfer_hold_audio")
    @classmethod
    def _hold_audio(cls, value: str) -> str:
        if value in (HOLD_AUDIO_BUILTIN, HOLD_AUDIO_OFF) or Path(value).is_file():
            return value
        raise ValueError(
            f"must be {HOLD_AUDIO_BUILTIN!r}, {HOLD_AUDIO_OFF!r} or the path of an existing "
            "audio file"
        )

    @field_validator("recording_storage")
    @classmethod
    def _storage_complete(cls, value: str, info: ValidationInfo) -> str:
        if cls.earlier(info, "recording_enabled") is not True:  # off, or its own problem
            return value
        needed = {
            "s3": ("recording_s3_bucket", "recording_s3_access_key", "recording_s3_secret"),
            "gcp": ("recording_gcp_bucket", "recording_gcp_credentials"),
            "azure": (
                "recording_azure_account_name",
                "recording_azure_account_key",
                "recording_azure_container",
            ),
        }.get(value, ())
        missing = [name.upper() for name in needed if not cls.earlier(info, name)]
        if missing:
            raise ValueError(f"set {', '.join(missing)} (or RECORDING_STORAGE=server)")
        return value

    @field_validator("sip_outbound_trunk")
    @classmethod
    def _trunk_for_warm_transfer(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not value.startswith("ST_"):
            raise ValueError(
                "must be an outbound trunk id like ST_abc123 (see `lk sip outbound list`)"
            )
        warm = cls.earlier(info, "transfer_mode") == "warm"
        number = cls.earlier(info, "transfer_number")  # given, even if INVALID, needs a trunk
        if value is None and warm and (number is INVALID or number):
            raise ValueError(
                "TRANSFER_MODE=warm dials TRANSFER_NUMBER through an outbound trunk: set "
                "LIVEKIT_SIP_OUTBOUND_TRUNK (or SIP_OUTBOUND_TRUNK) to its id, ST_..."
            )
        return value

    # -- derived -----------------------------------------------------------------------------

    def secrets(self) -> list[str | None]:
        """Storage credentials, for `logsafe.install(secrets=...)` (they never reach a log)."""
        values = (
            self.recording_s3_secret,
            self.recording_gcp_credentials,
            self.recording_azure_account_key,
        )
        return [v.get_secret_value() if v is not None else None for v in values]

    @property
    def transfers_enabled(self) -> bool:
        if self.transfer_mode == "cold":
            return self.cold_target is not None
        return self.transfer_number is not None and self.sip_outbound_trunk is not None

    @property
    def cold_target(self) -> str | None:
        """Where a cold transfer sends the caller, as SIP wants it (tel:+1... or sip:...)."""
        target = self.cold_transfer_to or self.transfer_number
        if target is None or target.startswith(("sip:", "sips:")):
            return target
        return f"tel:{target}"

"""Phone calls for real: caller context from SIP, recording after consent, transfers.

- `telephony.caller`: who is calling (SIP participant attributes, E.164, masked in logs).
- `telephony.controls`: `LiveKitCallControls`, the call controls over LiveKit's server
  API (Egress, room deletion, SIP transfer).
- `telephony.transfer`: the transfer to a human (warm with `WarmTransferTask`, or cold)
  and what the caller hears when it fails.
- `telephony.briefing`: what the colleague is told, every phone number and email withheld.
- `telephony.callback`: the callback offer and request, only ever to a number the caller
  called from or said.
- `config.telephony`: `TelephonySettings`.

This module imports nothing itself: `config.settings` imports `config.telephony`.
"""

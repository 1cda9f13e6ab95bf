"""Phone calls for real: caller context from SIP, recording after consent, transfers.

- `telephony.caller`: who is calling (SIP participant attributes, E.164, masked in logs).
- `telephony.controls`: `LiveKitCallControls`, the call controls over LiveKit's server
  API (Egress, room deletion, SIP transfer).
- `telephony.transfer`: the transfer to a human (warm with `WarmTransferTask`, or cold)
  and the callback offer when it fails.
- `telephony.settings`: `TelephonySettings`.

This module imports nothing itself: `config.settings` imports `telephony.settings`.
"""

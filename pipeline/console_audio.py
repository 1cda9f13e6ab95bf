"""The terminal console's audio needs PortAudio, a system library pip can't install.

LiveKit's `console` imports `sounddevice` even in text mode; without PortAudio that import
fails with a long traceback. `portaudio_problem()` finds that before the console starts,
so the worker can say, in one line, what to install.
"""

from __future__ import annotations

INSTALL = (
    "sudo apt-get install libportaudio2 (Debian/Ubuntu), sudo dnf install portaudio "
    "(Fedora), or brew install portaudio (macOS)"
)


def portaudio_problem() -> str | None:
    """None when the console's audio library loads, else what is missing and how to get it."""
    try:
        import sounddevice  # noqa: F401  (loads PortAudio)
    except OSError:  # sounddevice's "PortAudio library not found", or a broken install
        return f"`console` needs the PortAudio library, even in text mode: {INSTALL}"
    return None

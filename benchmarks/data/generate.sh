#!/bin/sh
# Regenerate the caller's speech used by benchmarks/audio_capacity.py (Debian: apt-get
# install espeak-ng sox). 16 kHz mono 16-bit WAVs, one utterance each.
set -eu
cd "$(dirname "$0")"
say() {
    espeak-ng -v en-us -s 165 -w /tmp/caller-raw.wav "$2"
    sox /tmp/caller-raw.wav -r 16000 -c 1 -b 16 "caller_$1.wav"
}
say 01_yes "Yes, that's fine."
say 02_invoice "I have a question about my last invoice."
say 03_address "It was sent to my old address, not the new one."
say 04_check "Can you check that for me, please?"
rm -f /tmp/caller-raw.wav

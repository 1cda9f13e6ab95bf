"""Audio stand-ins for an `AgentSession`: a caller's microphone, a loudspeaker, an ear (STT),
voices (TTS) and a VAD, all offline and deterministic.

They speak the framework's own interfaces (`voice.io.AudioInput/AudioOutput`, `stt.STT`,
`tts.TTS`, `vad.VAD`), so the real session runs its real audio path on them: VAD-driven
turns, interruptions, `allow_interruptions=False`, the silence substituted for the caller's
audio while uninterruptible speech plays, playback started/finished/interrupted.

The trick that keeps them honest: audio *carries* what it stands for.

- A caller's words are a constant tone whose sample value is a tag the `Lexicon` maps back
  to the words. The STT only "understands" what reaches it: if the framework feeds it
  silence (as it does while the agent can't be interrupted), nothing is transcribed. Real
  speech (a WAV) is heard too: the STT then answers with its queue of scripted transcripts.
- A voice's audio is a constant whose value says which `ScriptedVoice` (TTS instance)
  synthesized which text, so the `Speaker` knows, from the samples it played, whose voice
  the caller heard, which words, and how much of them before an interruption.

Time: everything is paced by a `Pace`. `Pace(speed=10)` plays ten seconds of audio per
wall-clock second (the session's own timings must be scaled to match: see
`tests.fakes.audio_call`); `REAL_TIME` is for benchmarks. Durations reported to the framework
(VAD speech/silence) are in wall-clock seconds, as a real VAD's would be.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from livekit import rtc
from livekit.agents import APIConnectOptions, LanguageCode, stt, tts, utils, vad
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.voice.io import AudioInput, AudioOutput, AudioOutputCapabilities

# Sample values below this are silence; caller tags and voice signatures sit above it.
LOUDNESS_THRESHOLD = 100.0


@dataclass(frozen=True)
class Pace:
    """How fast audio plays relative to the wall clock."""

    speed: float = 1.0

    def wall(self, audio_seconds: float) -> float:
        return audio_seconds / self.speed

    def audio(self, wall_seconds: float) -> float:
        return wall_seconds * self.speed


REAL_TIME = Pace(1.0)


def words_duration(text: str, *, seconds_per_char: float = 0.06, minimum: float = 0.3) -> float:
    """How long `text` takes to say, in audio seconds (about 16 characters a second)."""
    return max(minimum, len(text) * seconds_per_char)


def _loudness(frame: rtc.AudioFrame) -> float:
    samples = np.frombuffer(frame.data, dtype=np.int16)
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float32) ** 2)))


def _dominant_sample(frame: rtc.AudioFrame) -> int:
    samples = np.frombuffer(frame.data, dtype=np.int16)
    if samples.size == 0:
        return 0
    return int(np.median(samples))


def _tone(value: int, seconds: float, sample_rate: int) -> np.ndarray:
    return np.full(round(seconds * sample_rate), value, dtype=np.int16)


# -- the caller's words -------------------------------------------------------------------


class Lexicon:
    """The words a scripted caller can say, each with its tag (the tone that carries it)."""

    FIRST_TAG = 200
    LAST_TAG = 999

    def __init__(self) -> None:
        self._by_tag: dict[int, str] = {}
        self._by_text: dict[str, int] = {}

    def tag(self, text: str) -> int:
        if text not in self._by_text:
            tag = self.FIRST_TAG + len(self._by_text)
            if tag > self.LAST_TAG:
                raise ValueError("too many distinct caller utterances for one lexicon")
            self._by_text[text] = tag
            self._by_tag[tag] = text
        return self._by_text[text]

    def words(self, tag: int) -> str | None:
        return self._by_tag.get(tag)


@dataclass
class InputStats:
    """How well the session kept up with the caller's microphone."""

    frames: int = 0
    audio_seconds: float = 0.0
    lags: list[float] = field(default_factory=list)  # produced -> pulled by the session, s


class CallerMic(AudioInput):
    """The caller's microphone: a steady stream of frames, silence unless the caller speaks.

    Frames are produced on a wall-clock schedule (like a network track) whether or not the
    session keeps up; `stats.lags` says how long each waited before the session took it.
    """

    def __init__(
        self,
        *,
        pace: Pace = REAL_TIME,
        lexicon: Lexicon | None = None,
        sample_rate: int = 16000,
        frame_ms: int = 20,
    ) -> None:
        super().__init__(label="offline.CallerMic")
        self.pace = pace
        self.lexicon = lexicon or Lexicon()
        self.sample_rate = sample_rate
        self._frame_samples = sample_rate * frame_ms // 1000
        self._frame_seconds = self._frame_samples / sample_rate
        self._pending: deque[np.ndarray] = deque()  # speech still to be said, in chunks
        self._pending_done: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._produced_samples = 0
        self._queued_samples = 0
        self._ch = utils.aio.Chan[tuple[float, rtc.AudioFrame]]()
        self._producer: asyncio.Task[None] | None = None
        self.stats = InputStats()

    # what the test (or benchmark) does

    async def says(self, text: str, *, seconds: float | None = None) -> None:
        """Say `text` (a tagged tone as long as the words take); returns once it is said."""
        tag = self.lexicon.tag(text)
        length = seconds if seconds is not None else words_duration(text)
        await self.plays(_tone(tag, length, self.sample_rate))

    async def plays(self, samples: np.ndarray) -> None:
        """Play 16-bit mono samples at this mic's rate (e.g. real speech from a WAV)."""
        self._ensure_producing()
        done = asyncio.get_running_loop().create_future()
        self._pending.append(np.asarray(samples, dtype=np.int16))
        self._queued_samples += len(samples)
        self._pending_done.append((self._queued_samples, done))
        await done

    async def pauses(self, audio_seconds: float) -> None:
        """Stay silent for a while (the mic keeps sending silence)."""
        self._ensure_producing()
        await asyncio.sleep(self.pace.wall(audio_seconds))

    def hang_up(self) -> None:
        self._ch.close()
        if self._producer is not None:
            self._producer.cancel()

    # what the session does

    async def __anext__(self) -> rtc.AudioFrame:
        self._ensure_producing()
        try:
            produced_at, frame = await self._ch.recv()
        except utils.aio.ChanClosed:
            raise StopAsyncIteration from None
        self.stats.lags.append(time.perf_counter() - produced_at)
        return frame

    def _ensure_producing(self) -> None:
        if self._producer is None and not self._ch.closed:
            self._producer = asyncio.create_task(self._produce(), name="CallerMic.produce")

    async def _produce(self) -> None:
        step = self.pace.wall(self._frame_seconds)
        start = time.perf_counter()
        index = 0
        while not self._ch.closed:
            due = start + index * step
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            # if the loop was late, catch up: the far end doesn't wait for us
            self._ch.send_nowait((time.perf_counter(), self._next_frame()))
            index += 1

    def _next_frame(self) -> rtc.AudioFrame:
        out = np.zeros(self._frame_samples, dtype=np.int16)
        filled = 0
        while filled < self._frame_samples and self._pending:
            chunk = self._pending[0]
            take = min(len(chunk), self._frame_samples - filled)
            out[filled : filled + take] = chunk[:take]
            filled += take
            if take == len(chunk):
                self._pending.popleft()
            else:
                self._pending[0] = chunk[take:]
        speech = filled
        self._produced_samples += speech
        while self._pending_done and self._pending_done[0][0] <= self._produced_samples:
            _, done = self._pending_done.popleft()
            if not done.done():
                done.set_result(None)
        self.stats.frames += 1
        self.stats.audio_seconds += self._frame_seconds
        return rtc.AudioFrame(
            data=out.tobytes(),
            sample_rate=self.sample_rate,
            num_channels=1,
            samples_per_channel=self._frame_samples,
        )


# -- the VAD --------------------------------------------------------------------------------


class LoudnessVAD(vad.VAD):
    """A VAD that hears any sound above `threshold`: the caller's tones, or real speech.

    `min_speech` and `min_silence` are audio seconds; reported durations are wall seconds.
    """

    def __init__(
        self,
        *,
        pace: Pace = REAL_TIME,
        min_speech: float = 0.05,
        min_silence: float = 0.55,
        threshold: float = LOUDNESS_THRESHOLD,
    ) -> None:
        super().__init__(capabilities=vad.VADCapabilities(update_interval=0.032))
        self.pace = pace
        self.min_speech = min_speech
        self.min_silence = min_silence
        self.threshold = threshold
        self.starts: list[float] = []  # wall time (time.time()) of each START_OF_SPEECH
        self.ends: list[float] = []

    @property
    def model(self) -> str:
        return "loudness"

    @property
    def provider(self) -> str:
        return "offline"

    def stream(self) -> vad.VADStream:
        return _LoudnessVADStream(self)


class _LoudnessVADStream(vad.VADStream):
    def __init__(self, owner: LoudnessVAD) -> None:
        self._owner = owner
        super().__init__(owner)

    async def _main_task(self) -> None:
        o = self._owner
        wall = o.pace.wall
        speaking = False
        speech = silence = 0.0  # audio seconds: of this utterance / of the current quiet
        loud_run = 0.0
        samples = 0
        frames: list[rtc.AudioFrame] = []
        async for item in self._input_ch:
            if isinstance(item, vad.VADStream._FlushSentinel):
                speaking, speech, silence, loud_run, frames = False, 0.0, 0.0, 0.0, []
                continue
            frame = item
            samples += frame.samples_per_channel
            loud = _loudness(frame) >= o.threshold
            if loud:
                loud_run += frame.duration
                silence = 0.0
                if speaking:
                    speech += frame.duration
            else:
                loud_run = 0.0
                silence += frame.duration
            if speaking:
                frames.append(frame)
            if not speaking and loud_run >= o.min_speech:
                speaking, speech, frames = True, loud_run, [frame]
                o.starts.append(time.time())
                self._send(vad.VADEventType.START_OF_SPEECH, samples, wall(speech), 0.0, True)
            self._event_ch.send_nowait(
                vad.VADEvent(
                    type=vad.VADEventType.INFERENCE_DONE,
                    samples_index=samples,
                    timestamp=time.time(),
                    speech_duration=wall(speech) if speaking else 0.0,
                    silence_duration=wall(silence),
                    frames=[frame],
                    probability=1.0 if loud else 0.0,
                    speaking=speaking,
                    raw_accumulated_silence=wall(silence),
                    raw_accumulated_speech=wall(loud_run),
                )
            )
            if speaking and silence >= o.min_silence:
                o.ends.append(time.time())
                self._send(
                    vad.VADEventType.END_OF_SPEECH,
                    samples,
                    wall(speech),
                    wall(silence),
                    False,
                    frames,
                )
                speaking, speech, frames = False, 0.0, []

    def _send(
        self,
        kind: vad.VADEventType,
        samples: int,
        speech: float,
        silence: float,
        speaking: bool,
        frames: list[rtc.AudioFrame] | None = None,
    ) -> None:
        self._event_ch.send_nowait(
            vad.VADEvent(
                type=kind,
                samples_index=samples,
                timestamp=time.time(),
                speech_duration=speech,
                silence_duration=silence,
                frames=frames or [],
                speaking=speaking,
            )
        )


# -- the STT --------------------------------------------------------------------------------


class ScriptedSTT(stt.STT):
    """An ear that transcribes what reaches it.

    Tagged tones from a `CallerMic` are transcribed as the words they carry. Other sounds
    (real speech) take the next of `transcripts`, in order. Interim transcripts come every
    `interim_every` audio seconds while the sound lasts; the final one `final_delay` audio
    seconds after it stops. Everything heard is kept in `.finals`.
    """

    def __init__(
        self,
        *,
        lexicon: Lexicon | None = None,
        transcripts: Iterable[str] = (),
        interim_every: float = 0.3,
        final_delay: float = 0.2,
        threshold: float = LOUDNESS_THRESHOLD,
        language: str = "en",
    ) -> None:
        super().__init__(
            capabilities=stt.STTCapabilities(streaming=True, interim_results=True),
        )
        self.lexicon = lexicon or Lexicon()
        self.transcripts: deque[str] = deque(transcripts)
        self.interim_every = interim_every
        self.final_delay = final_delay
        self.threshold = threshold
        self.language = LanguageCode(language)
        self.finals: list[str] = []
        # The confidence reported with a transcript (1.0 unless set for its words).
        self.confidence: dict[str, float] = {}

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "offline"

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        frames = buffer if isinstance(buffer, list) else [buffer]
        text = ""
        for frame in frames:
            if (words := self._words_in(frame, new_utterance=not text)) is not None:
                text = words
        return self._event(stt.SpeechEventType.FINAL_TRANSCRIPT, text)

    def stream(
        self,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> stt.RecognizeStream:
        return _ScriptedRecognizeStream(self, conn_options=conn_options)

    def _words_in(self, frame: rtc.AudioFrame, *, new_utterance: bool) -> str | None:
        """The words a loud frame carries; None for silence. '' for unscripted noise."""
        if _loudness(frame) < self.threshold:
            return None
        tagged = self.lexicon.words(_dominant_sample(frame))
        if tagged is not None:
            return tagged
        if new_utterance:
            return self.transcripts.popleft() if self.transcripts else ""
        return ""

    def _event(self, kind: stt.SpeechEventType, text: str) -> stt.SpeechEvent:
        return stt.SpeechEvent(
            type=kind,
            alternatives=[
                stt.SpeechData(
                    language=self.language, text=text, confidence=self.confidence.get(text, 1.0)
                )
            ],
        )


class _ScriptedRecognizeStream(stt.RecognizeStream):
    def __init__(self, owner: ScriptedSTT, *, conn_options: APIConnectOptions) -> None:
        super().__init__(stt=owner, conn_options=conn_options)
        self._owner = owner
        self._unreported = 0.0  # seconds of audio received since the last usage report

    async def _run(self) -> None:
        o = self._owner
        words: str | None = None  # the utterance being heard
        heard = quiet = since_interim = 0.0
        async for item in self._input_ch:
            if isinstance(item, stt.RecognizeStream._FlushSentinel):
                if words is not None:
                    self._final(words)
                words = None
                continue
            self._unreported += item.duration
            recognized = o._words_in(item, new_utterance=words is None)
            if recognized is not None:
                if words is None or (recognized and recognized != words):
                    if words:
                        self._final(words)
                    words, heard, since_interim = recognized, 0.0, 0.0
                quiet = 0.0
                heard += item.duration
                since_interim += item.duration
                if words and since_interim >= o.interim_every:
                    since_interim = 0.0
                    self._interim(words, heard)
            elif words is not None:
                quiet += item.duration
                if quiet >= o.final_delay:
                    self._final(words)
                    words = None

    def _interim(self, words: str, heard: float) -> None:
        parts = words.split()
        expected = max(words_duration(words), heard)
        shown = parts[: max(1, math.ceil(len(parts) * heard / expected))]
        self._event_ch.send_nowait(
            self._owner._event(stt.SpeechEventType.INTERIM_TRANSCRIPT, " ".join(shown))
        )

    def _report_usage(self) -> None:
        """Like a streaming provider: the audio billed so far, reported with each final."""
        if self._unreported > 0:
            self._event_ch.send_nowait(
                stt.SpeechEvent(
                    type=stt.SpeechEventType.RECOGNITION_USAGE,
                    recognition_usage=stt.RecognitionUsage(audio_duration=self._unreported),
                )
            )
            self._unreported = 0.0

    def _final(self, words: str) -> None:
        if not words:
            return  # noise with no scripted words: nothing to transcribe
        self._owner.finals.append(words)
        self._event_ch.send_nowait(self._owner._event(stt.SpeechEventType.FINAL_TRANSCRIPT, words))
        self._report_usage()


# -- the voices (TTS) -----------------------------------------------------------------------

_VOICES: dict[int, ScriptedVoice] = {}  # signature -> voice, for the Speaker
_MAX_VOICES = 31  # signatures are multiples of 1000 up to 31000 (int16)
_voice_counter = 0


def _new_signature() -> int:
    global _voice_counter
    _voice_counter = _voice_counter % _MAX_VOICES + 1
    return _voice_counter * 1000


class ScriptedVoice(tts.TTS):
    """A TTS with a name: audio as long as the text takes to say, which carries the voice and
    the text it says. `.spoken` lists every text this instance synthesized."""

    def __init__(
        self,
        name: str,
        *,
        seconds_per_char: float = 0.06,
        sample_rate: int = 24000,
        first_audio_after: float = 0.0,
        pace: Pace = REAL_TIME,
    ) -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=sample_rate,
            num_channels=1,
        )
        self.name = name
        self.seconds_per_char = seconds_per_char
        self.first_audio_after = first_audio_after
        self.pace = pace
        self.signature = _new_signature()
        self.spoken: list[str] = []
        _VOICES[self.signature] = self

    @property
    def model(self) -> str:
        return f"scripted-voice:{self.name}"

    @property
    def provider(self) -> str:
        return "offline"

    def duration_of(self, text: str) -> float:
        return words_duration(text, seconds_per_char=self.seconds_per_char)

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        return _VoiceChunkedStream(self, text, conn_options=conn_options)

    def _utter(self, text: str) -> np.ndarray:
        index = len(self.spoken)
        self.spoken.append(text)
        value = self.signature + (index % 1000)
        return _tone(value, self.duration_of(text), self.sample_rate)

    def text_of(self, sample: int) -> str | None:
        index = sample - self.signature
        if not 0 <= index < 1000:
            return None
        # the newest text with this index (indices wrap after 1000 texts)
        for i in range(len(self.spoken) - 1, -1, -1):
            if i % 1000 == index:
                return self.spoken[i]
        return None

    def __repr__(self) -> str:
        return f"ScriptedVoice({self.name!r})"


class _VoiceChunkedStream(tts.ChunkedStream):
    def __init__(self, voice: ScriptedVoice, text: str, *, conn_options: APIConnectOptions):
        super().__init__(tts=voice, input_text=text, conn_options=conn_options)
        self._voice = voice

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        voice = self._voice
        output_emitter.initialize(
            request_id=utils.shortuuid("voice_"),
            sample_rate=voice.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        if voice.first_audio_after:
            await asyncio.sleep(voice.pace.wall(voice.first_audio_after))
        output_emitter.push(voice._utter(self.input_text).tobytes())
        output_emitter.flush()


def voice_of(sample: int) -> ScriptedVoice | None:
    return _VOICES.get(sample - sample % 1000)


# -- the loudspeaker ------------------------------------------------------------------------


@dataclass
class Heard:
    """A stretch of one voice saying one text, as it reached the caller's ear."""

    voice: str
    text: str
    duration: float  # audio seconds of it that were sent to the speaker
    played: float = 0.0  # audio seconds of it that were actually played

    @property
    def complete(self) -> bool:
        return self.played >= self.duration - 1e-6


@dataclass
class Playback:
    """One segment the session played (between two flushes or an interruption)."""

    started_at: float  # time.time()
    parts: list[Heard] = field(default_factory=list)
    finished_at: float | None = None
    interrupted: bool = False
    position: float = 0.0  # audio seconds played, as reported to the session

    @property
    def duration(self) -> float:
        return sum(p.duration for p in self.parts)

    @property
    def text(self) -> str:
        """Everything that was sent to be said in this segment."""
        return " ".join(p.text for p in self.parts)

    @property
    def heard_text(self) -> str:
        """What the caller actually heard in full (texts whose audio played to the end)."""
        return " ".join(p.text for p in self.parts if p.complete)

    @property
    def voices(self) -> set[str]:
        return {p.voice for p in self.parts}

    @property
    def played_to_the_end(self) -> bool:
        return not self.interrupted and all(p.complete for p in self.parts)

    def overlaps(self, moment: float) -> bool:
        end = self.finished_at if self.finished_at is not None else math.inf
        return self.started_at <= moment <= end


class _Segment:
    def __init__(self, playback: Playback, play_from: float) -> None:
        self.playback = playback
        # per captured frame: (perf_counter time it starts playing, audio seconds, part)
        self.schedule: list[tuple[float, float, Heard | None]] = []
        self.play_until = play_from
        self.timer: asyncio.TimerHandle | None = None


class Speaker(AudioOutput):
    """The caller's earpiece: plays what the session sends at `pace`, like a real sink.

    Audio plays as it arrives (a late frame leaves a gap, a segment flushed while another
    still plays waits its turn); a segment finishes when its last frame has played;
    `clear_buffer()` stops everything at once and reports the position reached,
    `interrupted=True`. Every segment is kept in `.playbacks`, with who said what.
    """

    def __init__(self, *, pace: Pace = REAL_TIME) -> None:
        super().__init__(
            label="offline.Speaker",
            capabilities=AudioOutputCapabilities(pause=False),
            sample_rate=None,
        )
        self.pace = pace
        self.playbacks: list[Playback] = []
        self._capturing: _Segment | None = None
        self._queued: deque[_Segment] = deque()  # flushed, still playing or waiting to
        self._waiters: list[asyncio.Future[None]] = []

    def _busy_until(self) -> float:
        last = self._capturing or (self._queued[-1] if self._queued else None)
        return last.play_until if last is not None else 0.0

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        now = time.perf_counter()
        if self._capturing is None:
            playback = Playback(started_at=time.time())
            self._capturing = _Segment(playback, max(now, self._busy_until()))
            self.on_playback_started(created_at=playback.started_at)
            self._notify()
        seg = self._capturing
        start = max(now, seg.play_until)
        seg.play_until = start + self.pace.wall(frame.duration)
        part = self._part_for(seg.playback, frame)
        if part is not None:
            part.duration += frame.duration
        seg.schedule.append((start, frame.duration, part))

    def flush(self) -> None:
        super().flush()
        seg, self._capturing = self._capturing, None
        if seg is None:
            return
        self._queued.append(seg)
        delay = max(0.0, seg.play_until - time.perf_counter())
        seg.timer = asyncio.get_running_loop().call_later(delay, self._finish, seg, False)

    def clear_buffer(self) -> None:
        segments = [*self._queued, *([self._capturing] if self._capturing else [])]
        self._queued.clear()
        self._capturing = None
        for seg in segments:
            if seg.timer is not None:
                seg.timer.cancel()
            self._finish(seg, True)

    def _finish(self, seg: _Segment, interrupted: bool) -> None:
        if seg in self._queued:
            self._queued.remove(seg)
        now = time.perf_counter()
        position = 0.0
        for start, seconds, part in seg.schedule:
            played = (
                seconds if not interrupted else min(seconds, max(0.0, self.pace.audio(now - start)))
            )
            position += played
            if part is not None:
                part.played += played
        playback = seg.playback
        playback.finished_at = time.time()
        playback.interrupted = interrupted
        playback.position = position
        self.playbacks.append(playback)
        self.on_playback_finished(playback_position=position, interrupted=interrupted)
        self._notify()

    def _part_for(self, playback: Playback, frame: rtc.AudioFrame) -> Heard | None:
        sample = _dominant_sample(frame)
        voice = voice_of(sample)
        if voice is None:
            return None  # not one of ours (silence, background audio)
        text = voice.text_of(sample) or "?"
        parts = playback.parts
        if parts and parts[-1].voice == voice.name and parts[-1].text == text:
            return parts[-1]
        parts.append(Heard(voice=voice.name, text=text, duration=0.0))
        return parts[-1]

    # for tests: wait for what the caller hears

    @property
    def playing(self) -> Playback | None:
        seg = self._queued[0] if self._queued else self._capturing
        return seg.playback if seg is not None else None

    async def next_playback(self, *, after: int, within: float = 10.0) -> Playback:
        """The first segment to finish after the first `after` ones."""
        await self._wait(lambda: len(self.playbacks) > after, within)
        return self.playbacks[after]

    async def starts_playing(self, *, within: float = 10.0) -> Playback:
        await self._wait(lambda: self.playing is not None, within)
        playing = self.playing
        assert playing is not None
        return playing

    async def _wait(self, condition: Callable[[], bool], within: float) -> None:
        async with asyncio.timeout(within):
            while not condition():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                await waiter

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

"""Recording consent as data: per-language wording and the grammar that reads answers.

No LiveKit import here. `language` loads and validates a language file
(`languages/<code>.yaml`); `reading` decides what a caller's answer is, closed-world:
a yes only when every word of the answer is accounted for by the affirmative grammar.
The task that asks the question is `tasks/consent.py`; what a decision sets in motion is
`tasks/consent_policy.py`.
"""

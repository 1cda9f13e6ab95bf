"""After a yes, the ways callers take it back, in each language, are heard as a withdrawal;
ordinary turns are not."""

from __future__ import annotations

import pytest

from tests.consent.grammars import grammar

WITHDRAWALS = {
    "en": [
        "stop recording",
        "Please stop the recording.",
        "I withdraw my consent",
        "I don't consent",
        "I do not consent to this recording",
        "I no longer want to be recorded",
        "I no longer agree",
        "I changed my mind, I don't consent",
        "I'm withdrawing my consent",
        "I revoke consent",
        "withdraw consent",
        "I take it back",
        "I take my consent back",
        "turn off recording",
        "end recording",
        "cancel recording",
        "pause recording",
        "no more recording",
        "no recording please",
        "I don't want this call recorded",
        "I'd rather not be recorded",
        "you can't record this",
        "I didn't agree to be recorded",
        "I object to the recording",
        "stop taping",
        "delete the recording",
        "Actually, don't record this, and my bill is wrong",
    ],
    "es": [
        "deje de grabar",
        "no quiero que me grabe",
        "ya no quiero que me grabe",
        "pare de grabar",
        "deje de grabarme",
        "no grabe la llamada",
        "retiro el consentimiento",
        "quiero retirar mi consentimiento",
        "ya no acepto",
        "ya no consiento",
        "apague la grabación",
        "no estoy de acuerdo con la grabación",
    ],
    "de": [
        "Aufnahme stoppen",
        "Ich möchte nicht mehr aufgenommen werden",
        "Ich will nicht aufgezeichnet werden",
        "Ich bin nicht mehr einverstanden",
        "Stopp die Aufnahme",
        "Aufnahme aus",
        "Schalten Sie die Aufnahme aus",
        "Beenden Sie bitte die Aufnahme",
        "Ich ziehe meine Zustimmung zurück",
        "Nehmen Sie mich nicht auf",
        "Zeichnen Sie das nicht auf",
        "Hören Sie auf, mich aufzunehmen",
        "Ich widerrufe meine Einwilligung",
    ],
    "fr": [
        "Arrêtez l'enregistrement",
        "Arrêtez de m'enregistrer",
        "Arrête d'enregistrer",
        "Je veux plus être enregistré",
        "Je ne suis plus d'accord",
        "Je retire mon accord",
        "Stop l'enregistrement",
        "Je ne veux pas qu'on m'enregistre",
        "je refuse l'enregistrement",
        "je ne consens plus",
        "arretez l enregistrement",
        "Je retire mon consentement",
    ],
}
ORDINARY = {
    "en": [
        "my bill is wrong",
        "I want to cancel my subscription",
        "can you record my address",
        "yes",
        "I'd like a refund please",
        "get me a manager",
        "it doesn't work when I log in",
    ],
    "es": ["mi factura está mal", "quiero hablar con un gerente", "sí, gracias"],
    "de": ["meine Rechnung ist falsch", "ich möchte einen Manager sprechen", "ja, danke"],
    "fr": ["ma facture est fausse", "je veux parler à un responsable", "oui, merci"],
}


@pytest.mark.parametrize(("code", "words"), [(c, w) for c, ws in WITHDRAWALS.items() for w in ws])
def test_each_way_of_taking_consent_back_is_heard(code: str, words: str) -> None:
    matched = grammar(code).withdrawal_in(words)
    assert matched is not None and matched.startswith("withdrawal:")


@pytest.mark.parametrize(("code", "words"), [(c, w) for c, ws in ORDINARY.items() for w in ws])
def test_ordinary_turns_are_not_a_withdrawal(code: str, words: str) -> None:
    assert grammar(code).withdrawal_in(words) is None

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
        "I want to opt out of the recording",
        "disable the recording",
        "please kill the recording",
        "mute the recording",
        "I've changed my mind",
        "I take that back",
        "erase this call",
        "I'm not comfortable with this being recorded",
        "I want the recording deleted",
        "No problem, but please delete the recording afterwards",
        "I don't want you to record me",
        "I revoke my permission",
        "Turn it off please",
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
        "annulez l'enregistrement",
        "éteignez l'enregistrement",
        "j'ai changé d'avis",
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
        "my recording app doesn't work",
        "there's no record of my payment",
        "I don't have a record of my order",
        "can you play back the recording",
        "at the end of the recording you said",
        "I don't mind being recorded",
        "no problem with the recording",
    ],
    "es": [
        "mi factura está mal",
        "quiero hablar con un gerente",
        "sí, gracias",
        "quiero saber más sobre la grabación",
        "no me importa que graben",
    ],
    "de": [
        "meine Rechnung ist falsch",
        "ich möchte einen Manager sprechen",
        "ja, danke",
        "Der Aufzug funktioniert nicht",
        "Die Aufnahme sieht gut aus",
        "ich rufe aus Berlin an",
        "ich habe kein Problem mit der Aufnahme",
        "ich habe nichts gegen die Aufnahme",
    ],
    "fr": [
        "ma facture est fausse",
        "je veux parler à un responsable",
        "oui, merci",
        "je voudrais plus d'informations sur l'enregistrement",
        "l'enregistrement ne me dérange pas",
        "pas de problème pour l'enregistrement",
        "mon enregistreur ne marche plus",
    ],
}
TAKEN_BACK = {
    "en": [
        "wait, no, I meant no",
        "actually no",
        "I said no",
        "I don't agree",
        "not",
        "I didn't mean yes",
        "No.",
    ],
    "es": ["no, no estoy de acuerdo", "mejor no"],
    "de": ["doch nicht", "nein doch lieber nicht"],
    "fr": ["finalement non", "je ne suis pas d'accord"],
}
NOT_TAKEN_BACK = {
    "en": [
        "my bill is wrong",
        "I'd like to talk about my invoice",
        "no problem, it's my bill",
        "My internet isn't working",
        "I can't log in to my account",
        "I didn't receive my order",
    ],
    "es": ["mi factura está mal", "Mi internet no funciona"],
    "de": ["meine Rechnung ist falsch", "Mein Internet geht nicht"],
    "fr": ["ma facture est fausse", "Mon internet ne marche pas"],
}


@pytest.mark.parametrize(("code", "words"), [(c, w) for c, ws in WITHDRAWALS.items() for w in ws])
def test_each_way_of_taking_consent_back_is_heard(code: str, words: str) -> None:
    matched = grammar(code).withdrawal_in(words)
    assert matched is not None and matched.startswith("withdrawal:")


@pytest.mark.parametrize(("code", "words"), [(c, w) for c, ws in ORDINARY.items() for w in ws])
def test_ordinary_turns_are_not_a_withdrawal(code: str, words: str) -> None:
    assert grammar(code).withdrawal_in(words) is None


@pytest.mark.parametrize(("code", "words"), [(c, w) for c, ws in TAKEN_BACK.items() for w in ws])
def test_the_first_words_after_a_yes_can_take_it_back(code: str, words: str) -> None:
    assert grammar(code).takes_back(words)


@pytest.mark.parametrize(
    ("code", "words"), [(c, w) for c, ws in NOT_TAKEN_BACK.items() for w in ws]
)
def test_the_first_words_after_a_yes_are_usually_the_reason_for_the_call(
    code: str, words: str
) -> None:
    assert not grammar(code).takes_back(words)

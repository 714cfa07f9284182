from monitoring.models import signal_kind_choices, signal_kind_label


def test_other_apps_kinds_have_labels_in_the_attention_list():
    assert signal_kind_label("referral_waiting_receiver") == "Verwijzing wacht op uw antwoord"
    assert signal_kind_label("action_overdue") == "Actie Doorstroomtafel verlopen"
    assert signal_kind_label("dropout") == "Uitval"
    kinds = dict(signal_kind_choices())
    assert {"dropout", "referral_waiting_sender", "action_overdue"} <= set(kinds)


def test_a_kinds_label_follows_the_language_shown():
    """The labels are looked up once (monitoring.models) and translated when shown."""
    from django.utils import translation

    with translation.override("en"):
        assert str(signal_kind_label("dropout")) == "Dropout"
    with translation.override("nl"):
        assert str(signal_kind_label("dropout")) == "Uitval"
    assert signal_kind_label("no_such_kind") == "no_such_kind"

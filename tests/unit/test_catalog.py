"""Metrics and funnels as data (domain/catalog.py): validation, hiding, presets, merges."""

from __future__ import annotations

import pytest

from salestui.domain.catalog import MAX_VISIBLE, PRESETS, Catalog, singular_of

APP_KEYS = {"u": "undo", "n": "note", "g": "goals", "q": "quit", "t": "timer", "p": "prospect"}


def apply(catalog: Catalog, changes: dict[str, str | None], settings: dict[str, str]) -> Catalog:
    """What a store would do: write the changes, read the catalog back."""
    for key, value in changes.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    return Catalog.from_settings(settings)


def test_the_builtins_are_there_by_default() -> None:
    catalog = Catalog.builtin()
    assert [metric.key for metric in catalog.visible] == ["calls", "meetings", "sales"]
    assert catalog.active.stages == ("calls", "meetings", "sales")
    assert catalog.entry("c").key == "calls"
    assert catalog.entry("Meeting").key == "meetings"


def test_an_added_metric_behaves_like_a_builtin() -> None:
    settings: dict[str, str] = {}
    catalog = apply(
        Catalog.builtin(), Catalog.builtin().add_metric("emails", reserved=APP_KEYS), settings
    )
    assert [metric.key for metric in catalog.visible] == ["calls", "meetings", "sales", "emails"]
    emails = catalog.entry("e").metric
    assert (emails.singular, emails.letter, emails.label) == ("email", "e", "Emails")
    assert catalog.entry("email").key == "emails"
    assert emails.amount(1) == "1 email"


@pytest.mark.parametrize(
    ("key", "options", "message"),
    [
        ("Emails", {}, "bad metric name"),
        ("e", {}, "bad metric name"),
        ("calls", {}, "already a metric"),
        ("call", {}, "already a metric"),
        ("emails", {"letter": "c"}, "already the key of calls"),
        ("emails", {"letter": "u"}, "the app's key for undo"),
        ("emails", {"letter": "1"}, "one lowercase letter"),
        ("emails", {"letter": "E"}, "one lowercase letter"),
        ("emails", {"letter": "ee"}, "one lowercase letter"),
        ("emails", {"label": "x" * 31}, "bad label"),
        ("emails", {"singular": "meeting"}, "already names meetings"),
    ],
)
def test_bad_metrics_are_refused_naming_why(
    key: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Catalog.builtin().add_metric(key, reserved=APP_KEYS, **options)


def test_a_letter_is_chosen_from_the_name_when_not_given() -> None:
    settings: dict[str, str] = {}
    catalog = apply(
        Catalog.builtin(), Catalog.builtin().add_metric("calendars", reserved=APP_KEYS), settings
    )
    # c is calls': the next free letter of the name.
    assert catalog.entry("calendars").metric.letter == "a"


def test_hiding_keeps_the_letter_and_refuses_logging() -> None:
    settings: dict[str, str] = {}
    catalog = apply(Catalog.builtin(), Catalog.builtin().hide("meetings"), settings)
    assert [metric.key for metric in catalog.visible] == ["calls", "sales"]
    with pytest.raises(ValueError, match="metric show meetings"):
        catalog.metric_for_logging("m")
    with pytest.raises(ValueError, match="already the key of meetings"):
        catalog.add_metric("mails", letter="m", reserved=APP_KEYS)
    catalog = apply(catalog, catalog.show("meetings"), settings)
    assert [metric.key for metric in catalog.visible] == ["calls", "meetings", "sales"]


def test_at_most_eight_visible_metrics() -> None:
    settings: dict[str, str] = {}
    catalog = Catalog.builtin()
    for key in ("emails", "referrals", "cards", "visits", "demos"):
        catalog = apply(catalog, catalog.add_metric(key, reserved=APP_KEYS), settings)
    assert len(catalog.visible) == MAX_VISIBLE
    with pytest.raises(ValueError, match="at most 8"):
        catalog.add_metric("letters", reserved=APP_KEYS)


def test_funnels_define_use_remove() -> None:
    settings: dict[str, str] = {}
    catalog = Catalog.builtin()
    catalog = apply(catalog, catalog.add_metric("emails", reserved=APP_KEYS), settings)
    catalog = apply(catalog, catalog.define_funnel("mail", ["emails", "m", "sales"]), settings)
    assert catalog.funnel("mail").stages == ("emails", "meetings", "sales")
    catalog = apply(catalog, catalog.use_funnel("mail"), settings)
    assert catalog.active.name == "mail"
    with pytest.raises(ValueError, match="active funnel"):
        catalog.remove_funnel("mail")
    catalog = apply(catalog, catalog.use_funnel("sales"), settings)
    catalog = apply(catalog, catalog.remove_funnel("mail"), settings)
    assert [funnel.name for funnel in catalog.funnels] == ["sales"]


@pytest.mark.parametrize(
    ("name", "stages", "message"),
    [
        ("one", ["calls"], "2 to 6 stages"),
        ("seven", ["calls", "meetings", "sales", "calls", "meetings", "sales", "calls"], "2 to 6"),
        ("x", ["calls", "nope"], "unknown metric 'nope'"),
        ("x", ["calls", "call"], "repeated: calls"),
        ("sales", ["calls", "sales"], "exists"),
        ("Bad Name", ["calls", "sales"], "bad funnel name"),
    ],
)
def test_bad_funnels_are_refused(name: str, stages: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Catalog.builtin().define_funnel(name, stages)


def test_the_builtin_funnel_cannot_be_removed_and_unknown_ones_are_named() -> None:
    settings: dict[str, str] = {}
    catalog = Catalog.builtin()
    catalog = apply(catalog, catalog.define_funnel("short", ["calls", "sales"]), settings)
    catalog = apply(catalog, catalog.use_funnel("short"), settings)
    with pytest.raises(ValueError, match="cannot be removed"):
        catalog.remove_funnel("sales")
    with pytest.raises(ValueError, match="funnels: sales, short"):
        catalog.funnel("nope")


def test_a_job_seeker_preset_in_one_step() -> None:
    settings: dict[str, str] = {}
    catalog = apply(Catalog.builtin(), Catalog.builtin().apply_preset("jobs", APP_KEYS), settings)
    assert catalog.active.stages == ("applications", "interviews", "offers")
    assert catalog.entry("a").key == "applications"
    # Applying it again changes nothing that matters and never fails.
    again = apply(catalog, catalog.apply_preset("jobs", APP_KEYS), settings)
    assert again.active.stages == catalog.active.stages
    assert [m.key for m in again.visible] == [m.key for m in catalog.visible]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_applies_to_a_fresh_database(name: str) -> None:
    settings: dict[str, str] = {}
    catalog = apply(Catalog.builtin(), Catalog.builtin().apply_preset(name, APP_KEYS), settings)
    assert catalog.active.name == PRESETS[name].funnel.name
    for metric in PRESETS[name].metrics:
        assert catalog.entry(metric.letter).key == metric.key


def test_a_preset_that_clashes_writes_nothing() -> None:
    settings: dict[str, str] = {}
    catalog = Catalog.builtin()
    catalog = apply(
        catalog, catalog.add_metric("applications", letter="x", reserved=APP_KEYS), settings
    )
    with pytest.raises(ValueError, match="nothing was changed"):
        catalog.apply_preset("jobs", APP_KEYS)
    with pytest.raises(ValueError, match="no preset 'nope'; presets: sales, outreach, jobs, music"):
        catalog.apply_preset("nope", APP_KEYS)


def test_hand_edited_settings_never_break_the_builtins() -> None:
    catalog = Catalog.from_settings(
        {
            "metric.emails": "{not json",
            "metric.Bad": '{"singular": "b", "letter": "b"}',
            "metric.cards": '{"letter": "b"}',
            "funnel.loop": "calls,calls",
            "funnel.ghost": "calls,nothing",
            "funnel.active": "ghost",
        }
    )
    assert [metric.key for metric in catalog.visible] == ["calls", "meetings", "sales"]
    assert [funnel.name for funnel in catalog.funnels] == ["sales"]
    assert catalog.active.name == "sales"


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("emails", "email"),
        ("replies", "reply"),
        ("boxes", "box"),
        ("news", "new"),
        ("press", "press"),
    ],
)
def test_singular_of(plural: str, singular: str) -> None:
    assert singular_of(plural) == singular


def test_show_checks_the_letter_again_and_can_move_it() -> None:
    catalog = Catalog.builtin()
    catalog = catalog._with(catalog.add_metric("emails", reserved={}))
    catalog = catalog._with(catalog.hide("emails"))
    # A hidden metric keeps its letter from other metrics...
    with pytest.raises(ValueError, match="'e' is already the key of emails"):
        catalog.add_metric("events", letter="e", reserved={})
    # ...but while it was hidden an app command may have been remapped onto it.
    with pytest.raises(ValueError, match="'e' is the app's key for undo"):
        catalog.show("emails", reserved={"e": "undo"})
    with pytest.raises(ValueError, match="the app's key for undo"):
        catalog.show("emails", letter="u", reserved={"u": "undo"})
    catalog = catalog._with(catalog.show("emails", letter="w", reserved={"e": "undo"}))
    assert catalog.entry("emails").metric.letter == "w"
    assert not catalog.entry("emails").hidden


def test_show_refuses_a_letter_held_and_gives_a_letterless_metric_one() -> None:
    catalog = Catalog.from_settings(
        {"metric.emails": '{"singular": "email", "letter": "", "hidden": true, "order": 4}'}
    )
    with pytest.raises(ValueError, match="has no key yet.*--letter L"):
        catalog.show("emails")
    with pytest.raises(ValueError, match="'m' is already the key of meetings"):
        catalog.show("emails", letter="m", reserved={})
    shown = catalog._with(catalog.show("emails", letter="x", reserved={}))
    assert shown.entry("emails").metric.letter == "x"
    assert not shown.entry("emails").hidden
    assert shown.entry("x").key == "emails"


def test_a_job_search_hides_the_built_ins_and_the_sales_preset_brings_them_back() -> None:
    catalog = Catalog.builtin()
    jobs = catalog._with(catalog.apply_preset("jobs", reserved={}))
    assert [metric.key for metric in jobs.visible] == ["applications", "interviews", "offers"]
    assert jobs.entry("calls").hidden and jobs.active_name == "jobs"
    back = jobs._with(jobs.apply_preset("sales", reserved={}))
    assert [metric.key for metric in back.visible][:3] == ["calls", "meetings", "sales"]
    assert back.active_name == "sales"
    # Outreach adds to the built-ins and keeps them on Today.
    outreach = catalog._with(catalog.apply_preset("outreach", reserved={}))
    assert [m.key for m in outreach.visible] == [
        "calls", "meetings", "sales", "emails", "referrals", "cards"
    ]  # fmt: skip

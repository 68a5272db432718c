"""The app's keys by command, and which remaps of them are accepted (pure: no Textual).

A remap is stored as a setting `key.<binding id>` whose value lists the new keys,
comma-separated (`key.tally.calls` = `k` or `k,f5`). The app reads them at start-up;
`validate_keymap` says which it refuses and why, one line each, so the command line
can refuse them before they are stored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

SETTING_PREFIX = "key."
"""Settings whose key starts with this are key remaps: `key.<binding id>`."""

DEFAULT_KEYS: dict[str, str] = {
    "tally.calls": "c",
    "tally.meetings": "m",
    "tally.sales": "s",
    "correct.calls": "C",
    "correct.meetings": "M",
    "correct.sales": "S",
    "undo": "u",
    "note": "n",
    "goal.edit": "g",
    "tab.today": "1",
    "tab.funnel": "2",
    "tab.goals": "3",
    "tab.history": "4",
    "tab.prospects": "5",
    "link.prospect": "p",
    "timer": "t",
    "leave-field": "escape",
    "help": "question_mark",
    "quit": "q",
}
"""Every command's binding id and its key out of the box (Textual's key names)."""

TAB_KEYS = frozenset("0123456789")
"""Digits switch tabs (1-5 today, more tabs later): never given to another command."""

METRIC_COMMANDS = ("tally.", "correct.")
"""Binding ids of a metric's +1 and −1 (`tally.emails`, `correct.emails`)."""

KEPT_FOR_LATER: dict[str, str] = {}
"""Letters the app keeps for commands on the way, so a metric added today never has to move
its key. None now: `p` (linking a tally to a prospect) and `t` (the non-sales timer), kept
here until they were built, are commands of their own."""

_HOLDERS = {
    "link.prospect": "linking a tally to a prospect",
    "timer": "the non-sales timer",
    "undo": "undo",
    "note": "a note on the last tally",
    "goal.edit": "editing the goal",
    "quit": "quit",
    "help": "help",
    "leave-field": "leaving a text field",
}


def default_keys(metrics: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every command's binding id and its key out of the box, for these (key, letter)
    metrics (the visible ones, in display order): `tally.KEY` on the letter, and
    `correct.KEY` on Shift+letter, then the app's own commands (`DEFAULT_KEYS`)."""
    keys: dict[str, str] = {}
    pairs = list(metrics)
    for metric, letter in pairs:
        keys[f"tally.{metric}"] = letter
    for metric, letter in pairs:
        keys[f"correct.{metric}"] = letter.upper()
    for binding_id, key in DEFAULT_KEYS.items():
        if not binding_id.startswith(METRIC_COMMANDS):
            keys[binding_id] = key
    return keys


def reserved_keys(
    keymap: Mapping[str, str] | None = None, defaults: Mapping[str, str] = DEFAULT_KEYS
) -> dict[str, str]:
    """Single characters the app's own commands hold (with the user's accepted remaps),
    lowercased, each with what it does in words: a metric's letter may be none of these.
    Digits switch tabs; `KEPT_FOR_LATER` letters are held too. A metric's own letter is
    not listed (the catalog names which metric holds it); a metric's remapped key is.
    `defaults`: every command's key out of the box (`default_keys(...)` for the user's
    metrics, so that their remaps count too)."""
    accepted, _warnings = validate_keymap(keymap or {}, defaults)
    reserved: dict[str, str] = {digit: "switching tabs" for digit in sorted(TAB_KEYS)}
    reserved.update(KEPT_FOR_LATER)
    for binding_id, default in defaults.items():
        if binding_id.startswith(METRIC_COMMANDS):
            for key in parse_keys(accepted.get(binding_id, "")):
                if len(key) == 1:
                    reserved.setdefault(key.lower(), binding_id.split(".", 1)[1])
            continue
        for key in parse_keys(accepted.get(binding_id, default)):
            if len(key) == 1:
                holder = "switching tabs" if binding_id.startswith("tab.") else binding_id
                reserved[key.lower()] = _HOLDERS.get(binding_id, holder)
    return reserved


# Textual's names for a few characters whose Unicode names it shortens.
_SHORT_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def key_name(key: str) -> str:
    """A key as Textual names it: `?` is `question_mark`, `c` stays `c`, `ctrl+k` stays."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _SHORT_NAMES.get(name, name)


def parse_keys(text: str) -> list[str]:
    """`k, f5` -> ["k", "f5"] in Textual's names; empty parts are dropped."""
    return [key_name(part) for part in text.split(",") if part.strip()]


def keymap_from_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """Settings `key.<binding id>` -> {binding id: keys as stored}."""
    return {
        name[len(SETTING_PREFIX) :]: value
        for name, value in settings.items()
        if name.startswith(SETTING_PREFIX)
    }


def validate_keymap(
    keymap: Mapping[str, str], defaults: Mapping[str, str] = DEFAULT_KEYS
) -> tuple[dict[str, str], list[str]]:
    """Split remaps {binding id: "key,key"} into those accepted (keys in Textual's names)
    and one warning line per refused remap. Refused: an unknown binding id, no key, a
    digit (the tab keys), or a key another command uses (by default or by an accepted
    remap). A refused remap leaves that command on its default key."""
    warnings: list[str] = []
    accepted: dict[str, list[str]] = {}
    for binding_id in sorted(keymap):
        text = keymap[binding_id]
        if binding_id not in defaults:
            warnings.append(f"Key remap for {binding_id!r} ignored: no such command.")
            continue
        keys = parse_keys(text)
        if not keys:
            warnings.append(f"Key remap for {binding_id!r} ignored: no key given.")
            continue
        digits = [key for key in keys if key in TAB_KEYS]
        if digits and not binding_id.startswith("tab."):
            warnings.append(f"Key remap for {binding_id!r} ignored: {digits[0]} switches tabs.")
            continue
        accepted[binding_id] = keys
    # Which command each key would run once every accepted remap applies.
    while True:
        in_use: dict[str, list[str]] = {}
        for binding_id, default in defaults.items():
            for key in accepted.get(binding_id, [default]):
                in_use.setdefault(key, []).append(binding_id)
        clash = next(
            (
                (binding_id, key, [other for other in in_use[key] if other != binding_id])
                for binding_id in sorted(accepted)
                for key in accepted[binding_id]
                if len(in_use[key]) > 1
            ),
            None,
        )
        if clash is None:
            break
        binding_id, key, others = clash
        del accepted[binding_id]
        warnings.append(
            f"Key remap for {binding_id!r} ignored: {key} is already the key of {others[0]!r}."
        )
    return {binding_id: ",".join(keys) for binding_id, keys in accepted.items()}, warnings


def key_display(name: str) -> str:
    """A key as a person types it: `question_mark` -> `?`, `c` -> `c`, `f5` -> `f5`."""
    if len(name) == 1:
        return name
    long_names = {short: long for long, short in _SHORT_NAMES.items()}
    try:
        char = unicodedata.lookup(long_names.get(name, name).replace("_", " "))
    except KeyError:
        return name
    # `escape`, `space`, `tab` name keys, not the characters Unicode calls that.
    return char if char.isprintable() and not char.isspace() else name


def keys_display(text: str) -> str:
    """Stored keys (`k,question_mark`) as a person types them (`k, ?`)."""
    return ", ".join(key_display(key) for key in parse_keys(text))

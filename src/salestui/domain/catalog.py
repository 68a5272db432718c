"""Your own metrics and funnels, as data (DESIGN: "Your own metrics and funnels").

The three built-ins (calls, meetings, sales and the `sales` funnel) are the starting
point; a user adds metrics (`emails` on `e`), hides any of them, defines funnels of 2-6
stages and picks the active one. All of it is stored as settings, which are append-only
data merged by "the later change wins" per key, so two machines agree after a merge:

- `metric.KEY` = JSON `{"singular", "letter", "label", "hidden", "order"}` (a built-in
  has one only once it was hidden or shown);
- `funnel.NAME` = the stages, comma-separated (None once removed);
- `funnel.active` = the funnel Goals plans (default `sales`).

Everything here is pure: `Catalog.from_settings` reads the settings, and every change
(`add_metric`, `hide`, `define_funnel`, `apply_preset`, ...) validates and returns the
settings to write, or raises ValueError with one line saying what is accepted.
"""

from __future__ import annotations

import re

from salestui.domain.metrics import METRIC_KEY, METRICS, Metric
from salestui.domain.record import Record

TYPE_CHECKING = False  # `typing`/`collections.abc` cost `salestui log` time: mypy's alone
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

SettingChanges = dict[str, str | None]
"""Settings to write: key -> value (None clears it)."""

MAX_VISIBLE = 8
"""Today's layouts hold one to eight metrics."""

MIN_STAGES, MAX_STAGES = 2, 6
"""A funnel's length."""

BUILTIN_FUNNEL = "sales"
ACTIVE_KEY = "funnel.active"
METRIC_PREFIX = "metric."
FUNNEL_PREFIX = "funnel."

_KEY = METRIC_KEY
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,29}")
KEY_HELP = "a lowercase plural name of 2-30 letters, digits or _ starting with a letter (emails)"
NAME_HELP = "a lowercase name of 1-30 letters, digits, - or _ starting with a letter (jobs)"


class Entry(Record):
    """A metric in the catalog: its names, whether it is hidden, where it is shown."""

    __match_args__ = ("metric", "hidden", "builtin", "order")
    __slots__ = __match_args__
    metric: Metric
    hidden: bool
    builtin: bool
    order: int

    def __init__(
        self, metric: Metric, hidden: bool = False, builtin: bool = False, order: int = 0
    ) -> None:
        object.__setattr__(self, "metric", metric)
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "builtin", builtin)
        object.__setattr__(self, "order", order)

    @property
    def key(self) -> str:
        """The plural name stored in the database (`emails`)."""
        return self.metric.key


class FunnelDef(Record):
    """A named, ordered list of metric keys: each stage converts into the next."""

    __match_args__ = ("name", "stages")
    __slots__ = __match_args__
    name: str
    stages: tuple[str, ...]

    def __init__(self, name: str, stages: tuple[str, ...]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "stages", tuple(stages))

    @property
    def rate_stages(self) -> tuple[str, ...]:
        """The stages a rate converts into (all but the first)."""
        return self.stages[1:]


class Preset(Record):
    """A starting point for one kind of user: metrics to add and a funnel to use."""

    __match_args__ = ("name", "description", "metrics", "funnel", "builtins")
    __slots__ = __match_args__
    name: str
    description: str
    metrics: tuple[Metric, ...]
    funnel: FunnelDef
    builtins: bool
    """Whether calls, meetings and sales stay on Today (a job search hides them: their
    history is kept, and `preset sales` brings them back)."""

    def __init__(
        self,
        name: str,
        description: str,
        metrics: tuple[Metric, ...],
        funnel: FunnelDef,
        builtins: bool = True,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "metrics", metrics)
        object.__setattr__(self, "funnel", funnel)
        object.__setattr__(self, "builtins", builtins)


BUILTIN_FUNNELS = (FunnelDef(BUILTIN_FUNNEL, tuple(metric.key for metric in METRICS)),)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("sales", "cold calls, meetings and sales (the built-ins)", (), BUILTIN_FUNNELS[0]),
        Preset(
            "outreach",
            "sales plus emails, referrals and business cards handed out",
            (
                Metric("emails", "email", "e", "Emails"),
                Metric("referrals", "referral", "r", "Referrals"),
                Metric("cards", "card", "b", "Cards"),
            ),
            BUILTIN_FUNNELS[0],
        ),
        Preset(
            "jobs",
            "a job search: applications, interviews, offers",
            (
                Metric("applications", "application", "a", "Applications"),
                Metric("interviews", "interview", "i", "Interviews"),
                Metric("offers", "offer", "o", "Offers"),
            ),
            FunnelDef("jobs", ("applications", "interviews", "offers")),
            builtins=False,
        ),
        Preset(
            "music",
            "demos sent to labels: demos, replies, deals",
            (
                Metric("demos", "demo", "d", "Demos"),
                Metric("replies", "reply", "r", "Replies"),
                Metric("deals", "deal", "k", "Deals"),
            ),
            FunnelDef("music", ("demos", "replies", "deals")),
            builtins=False,
        ),
    )
}
"""Presets are data: adding one is a new entry here, never a new code path."""


def singular_of(key: str) -> str:
    """A plural's likely singular: `replies` -> `reply`, `emails` -> `email`."""
    if key.endswith("ies") and len(key) > 3:
        return key[:-3] + "y"
    if key.endswith(("sses", "shes", "ches", "xes")):
        return key[:-2]
    if key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


class Catalog:
    """Every metric (built-ins first, then the user's in the order added) and funnel."""

    def __init__(self, entries: Sequence[Entry], funnels: Sequence[FunnelDef], active: str) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.funnels: tuple[FunnelDef, ...] = tuple(funnels)
        self.active_name = active
        self._by_name: dict[str, Entry] = {}
        for entry in self.entries:
            for name in (entry.key, entry.metric.singular, entry.metric.letter):
                self._by_name.setdefault(name, entry)

    # -- reading -----------------------------------------------------------------

    @classmethod
    def builtin(cls) -> Catalog:
        """The catalog of a database nobody customised."""
        return cls.from_settings({})

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> Catalog:
        """Read the catalog from settings (`metric.*`, `funnel.*`; see the module doc).

        A malformed stored value (edited by hand) is skipped rather than fatal: the
        built-ins always stay usable.
        """
        entries: list[Entry] = []
        for order, metric in enumerate(METRICS):
            stored = _metric_json(settings.get(METRIC_PREFIX + metric.key))
            hidden = bool(stored.get("hidden", False)) if stored else False
            entries.append(Entry(metric, hidden=hidden, builtin=True, order=order))
        builtin_keys = {metric.key for metric in METRICS}
        own: list[Entry] = []
        for name, value in settings.items():
            if not name.startswith(METRIC_PREFIX):
                continue
            key = name[len(METRIC_PREFIX) :]
            if key in builtin_keys or not _KEY.fullmatch(key):
                continue
            stored = _metric_json(value)
            if stored is None:
                continue
            try:
                metric = Metric(
                    key,
                    str(stored["singular"]),
                    str(stored["letter"]),
                    str(stored.get("label") or key.capitalize()),
                )
                order = int(str(stored.get("order", 100)))
            except (KeyError, TypeError, ValueError):
                continue
            own.append(Entry(metric, hidden=bool(stored.get("hidden", False)), order=order))
        entries.extend(sorted(own, key=lambda entry: (entry.order, entry.key)))
        known = {entry.key for entry in entries}
        funnels = list(BUILTIN_FUNNELS)
        for name, value in sorted(settings.items()):
            if not name.startswith(FUNNEL_PREFIX) or name == ACTIVE_KEY or not value:
                continue
            funnel_name = name[len(FUNNEL_PREFIX) :]
            stages = tuple(stage for stage in value.split(",") if stage)
            if (
                funnel_name == BUILTIN_FUNNEL
                or not _NAME.fullmatch(funnel_name)
                or not MIN_STAGES <= len(stages) <= MAX_STAGES
                or not set(stages) <= known
                or len(set(stages)) != len(stages)
            ):
                continue
            funnels.append(FunnelDef(funnel_name, stages))
        active = settings.get(ACTIVE_KEY) or BUILTIN_FUNNEL
        if active not in {funnel.name for funnel in funnels}:
            active = BUILTIN_FUNNEL
        return cls(entries, funnels, active)

    @property
    def visible(self) -> tuple[Metric, ...]:
        """The metrics shown on Today and counted by `today --json`, in display order."""
        return tuple(entry.metric for entry in self.entries if not entry.hidden)

    def entry(self, text: str) -> Entry:
        """The metric named by its plural, singular or letter (hidden ones included).

        Raises ValueError naming the known metrics.
        """
        entry = self._by_name.get(text.strip().lower())
        if entry is None:
            known = ", ".join(
                f"{e.key} ({e.metric.singular}, {e.metric.letter})" for e in self.entries
            )
            raise ValueError(f"unknown metric {text!r}; known metrics: {known}")
        return entry

    def metric_for_logging(self, text: str) -> Metric:
        """The metric `log TEXT` counts; a hidden one is refused with how to show it."""
        entry = self.entry(text)
        if entry.hidden:
            raise ValueError(
                f"{entry.key} is hidden; show it again with `salestui metric show {entry.key}`"
            )
        return entry.metric

    def funnel(self, name: str | None = None) -> FunnelDef:
        """The funnel called `name`, or the active one. Raises ValueError naming them."""
        wanted = self.active_name if name is None else name.strip().lower()
        for funnel in self.funnels:
            if funnel.name == wanted:
                return funnel
        names = ", ".join(funnel.name for funnel in self.funnels)
        raise ValueError(f"no funnel called {name!r}; funnels: {names}")

    @property
    def active(self) -> FunnelDef:
        """The funnel Goals plans and Today's targets follow."""
        return self.funnel()

    def app_keys(self, keymap: Mapping[str, str] | None = None) -> dict[str, str]:
        """The letters the app's own commands hold, with the user's key remaps (settings
        `key.*` as `keys.keymap_from_settings` gives them) applied, the remaps of these
        metrics' keys included: pass it as `reserved` to the changes below."""
        from salestui.domain.keys import default_keys, reserved_keys

        defaults = default_keys((metric.key, metric.letter) for metric in self.visible)
        return reserved_keys(keymap, defaults)

    # -- changing (each returns the settings to write) ---------------------------

    def add_metric(
        self,
        key: str,
        *,
        singular: str | None = None,
        letter: str | None = None,
        label: str | None = None,
        reserved: Mapping[str, str],
    ) -> SettingChanges:
        """Add a metric. `reserved` maps the app's own keys (lowercase letters and digits)
        to what they do, so a clash names its holder. Raises ValueError."""
        key = key.strip()
        if not _KEY.fullmatch(key):
            raise ValueError(f"bad metric name {key!r}: use {KEY_HELP}")
        if key in self._by_name:
            holder = self._by_name[key]
            raise ValueError(f"{key!r} is already a metric ({holder.key}); pick another name")
        singular = (singular or singular_of(key)).strip()
        if not singular or len(singular) > 30 or not singular.isprintable():
            raise ValueError(f"bad singular {singular!r}: use 1-30 printable characters")
        if singular.lower() in self._by_name:
            raise ValueError(
                f"{singular!r} already names {self._by_name[singular.lower()].key}; "
                "pick another singular (--singular)"
            )
        if singular != singular.lower():
            # `log` reads names in lowercase: a capital would make the singular unreachable.
            raise ValueError(
                f"bad singular {singular!r}: `log` reads names in lowercase; use lowercase"
            )
        chosen = letter.strip() if letter is not None else self._free_letter(key, reserved)
        self._check_letter(chosen, reserved)
        label = (label or key.capitalize()).strip()
        if not label or len(label) > 30 or not label.isprintable():
            raise ValueError(f"bad label {label!r}: use 1-30 printable characters")
        if len(self.visible) >= MAX_VISIBLE:
            raise ValueError(
                f"Today shows at most {MAX_VISIBLE} metrics; hide one first "
                "(`salestui metric hide KEY`)"
            )
        order = max((entry.order for entry in self.entries), default=0) + 1
        value = {"singular": singular, "letter": chosen, "label": label, "hidden": False}
        return {METRIC_PREFIX + key: _dumps({**value, "order": order})}

    def hide(self, text: str) -> SettingChanges:
        """Hide a metric (its history is kept; it leaves Today and its key)."""
        return self._set_hidden(self.entry(text), True)

    def show(
        self, text: str, *, letter: str | None = None, reserved: Mapping[str, str] | None = None
    ) -> SettingChanges:
        """Show a hidden metric again, on `letter` when given (or when it has none: an
        import that found every letter taken adds a metric hidden and without one). Its
        letter is checked again: while it was hidden, another metric or a remapped app
        command may have taken it."""
        entry = self.entry(text)
        if entry.hidden and len(self.visible) >= MAX_VISIBLE:
            raise ValueError(f"Today shows at most {MAX_VISIBLE} metrics; hide one first")
        wanted = entry.metric.letter if letter is None else letter.strip()
        if not wanted:
            raise ValueError(
                f"{entry.key} has no key yet; give it one: "
                f"`salestui metric show {entry.key} --letter L`"
            )
        if letter is not None or entry.hidden:
            self._check_letter(wanted, reserved or {}, holder=entry.key)
        if wanted != entry.metric.letter:
            metric = entry.metric
            moved = Metric(metric.key, metric.singular, wanted, metric.label)
            entry = Entry(moved, entry.hidden, entry.builtin, entry.order)
        return self._set_hidden(entry, False)

    def define_funnel(self, name: str, stages: Sequence[str]) -> SettingChanges:
        """Define a funnel of 2-6 existing metrics, top first. Raises ValueError."""
        name = name.strip().lower()
        if not _NAME.fullmatch(name):
            raise ValueError(f"bad funnel name {name!r}: use {NAME_HELP}")
        if any(funnel.name == name for funnel in self.funnels):
            raise ValueError(f"a funnel called {name!r} exists; remove it first or pick a name")
        if not MIN_STAGES <= len(stages) <= MAX_STAGES:
            raise ValueError(f"a funnel has {MIN_STAGES} to {MAX_STAGES} stages, got {len(stages)}")
        keys = [self.entry(stage).key for stage in stages]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"a stage may appear once; repeated: {', '.join(repeated)}")
        return {FUNNEL_PREFIX + name: ",".join(keys)}

    def use_funnel(self, name: str) -> SettingChanges:
        """Make `name` the active funnel."""
        return {ACTIVE_KEY: self.funnel(name).name}

    def remove_funnel(self, name: str) -> SettingChanges:
        """Remove a funnel (not the active one, not the built-in)."""
        funnel = self.funnel(name)
        if funnel.name == self.active_name:
            raise ValueError(
                f"{funnel.name} is the active funnel; `salestui funnel use` another one first"
            )
        if funnel.name == BUILTIN_FUNNEL:
            raise ValueError("the built-in sales funnel cannot be removed")
        return {FUNNEL_PREFIX + funnel.name: None}

    def apply_preset(self, name: str, reserved: Mapping[str, str]) -> SettingChanges:
        """The metrics and funnel of a preset, made active, and the built-ins shown or
        hidden as it says (hidden ones keep their history). Metrics that already exist
        with the same letter are kept; a clash is refused before anything is written."""
        preset = PRESETS.get(name.strip().lower())
        if preset is None:
            raise ValueError(f"no preset {name!r}; presets: {', '.join(PRESETS)}")
        changes: SettingChanges = {}
        catalog: Catalog = self
        for builtin in METRICS:
            entry = catalog.entry(builtin.key)
            wanted = preset.builtins or builtin.key in preset.funnel.stages
            if entry.hidden == wanted:
                step = (
                    catalog.show(builtin.key, reserved=reserved)
                    if wanted
                    else catalog.hide(builtin.key)
                )
                changes.update(step)
                catalog = catalog._with(step)
        for metric in preset.metrics:
            existing = catalog._by_name.get(metric.key)
            if existing is not None and existing.key == metric.key:
                if existing.metric.letter != metric.letter:
                    raise ValueError(
                        f"{metric.key} exists on {existing.metric.letter!r}, the preset wants "
                        f"{metric.letter!r}; nothing was changed"
                    )
                if existing.hidden:
                    step = catalog.show(metric.key)
                    changes.update(step)
                    catalog = catalog._with(step)
                continue
            step = catalog.add_metric(
                metric.key,
                singular=metric.singular,
                letter=metric.letter,
                label=metric.label,
                reserved=reserved,
            )
            changes.update(step)
            catalog = catalog._with(step)
        if not any(funnel.name == preset.funnel.name for funnel in catalog.funnels):
            step = catalog.define_funnel(preset.funnel.name, preset.funnel.stages)
            changes.update(step)
            catalog = catalog._with(step)
        changes.update(catalog.use_funnel(preset.funnel.name))
        return changes

    # -- helpers -----------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        """The settings this catalog was read from would include these (for `_with`)."""
        stored: dict[str, str] = {}
        for entry in self.entries:
            if entry.builtin and not entry.hidden:
                continue
            metric = entry.metric
            value = {
                "singular": metric.singular,
                "letter": metric.letter,
                "label": metric.label,
                "hidden": entry.hidden,
                "order": entry.order,
            }
            stored[METRIC_PREFIX + entry.key] = _dumps(value)
        for funnel in self.funnels:
            if funnel.name != BUILTIN_FUNNEL:
                stored[FUNNEL_PREFIX + funnel.name] = ",".join(funnel.stages)
        stored[ACTIVE_KEY] = self.active_name
        return stored

    def _with(self, changes: SettingChanges) -> Catalog:
        """This catalog with `changes` applied (to validate a sequence of changes)."""
        merged = self.settings()
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return Catalog.from_settings(merged)

    def _set_hidden(self, entry: Entry, hidden: bool) -> SettingChanges:
        metric = entry.metric
        value = {
            "singular": metric.singular,
            "letter": metric.letter,
            "label": metric.label,
            "hidden": hidden,
            "order": entry.order,
        }
        return {METRIC_PREFIX + entry.key: _dumps(value)}

    def _check_letter(
        self, letter: str, reserved: Mapping[str, str], holder: str | None = None
    ) -> None:
        """Refuse (ValueError naming the holder) a letter that is not one of a-z, is an
        app key, or already names another metric (its letter, or a one-letter singular:
        `log x` must reach one metric only). `holder`: the metric asking (it may keep
        its own)."""
        if letter in reserved:  # first, so that a digit is named for what it does
            raise ValueError(f"{letter!r} is the app's key for {reserved[letter]}; pick another")
        if len(letter) != 1 or not ("a" <= letter <= "z"):
            raise ValueError(f"bad letter {letter!r}: use one lowercase letter a-z")
        for entry in self.entries:
            if entry.key != holder and entry.metric.letter == letter:
                raise ValueError(f"{letter!r} is already the key of {entry.key}; pick another")
        named = self._by_name.get(letter)
        if named is not None and named.key != holder:
            raise ValueError(
                f"{letter!r} already names {named.key}; pick another letter (--letter)"
            )

    def _free_letter(self, key: str, reserved: Mapping[str, str]) -> str:
        taken = set(reserved) | {entry.metric.letter for entry in self.entries} | set(self._by_name)
        for letter in key:
            if "a" <= letter <= "z" and letter not in taken:
                return letter
        raise ValueError(f"every letter of {key!r} is taken; pass --letter L")


def _dumps(value: dict[str, object]) -> str:
    import json  # on a change only: `salestui log` reads settings, never writes them

    return json.dumps(value)


def _metric_json(value: str | None) -> dict[str, object] | None:
    if not value:
        return None
    import json  # only once a metric was added or hidden

    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None

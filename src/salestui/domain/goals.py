"""The monthly sales target: set from a month on, or for one month only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


def parse_target(text: str) -> int:
    """A sales target: a whole number >= 1. Raises ValueError saying what is accepted."""
    try:
        target = int(text.strip())
    except ValueError:
        raise ValueError(f"the target must be a whole number of sales >= 1, not {text!r}") from None
    if target < 1:
        raise ValueError(f"the target must be a whole number of sales >= 1, not {target}")
    return target


@dataclass(frozen=True, slots=True)
class GoalBook:
    """Targets keyed by month ("YYYY-MM"): `standing` holds from that month on until the
    next standing goal; `only` holds for its month alone and wins over a standing goal."""

    standing: dict[str, int] = field(default_factory=dict)
    only: dict[str, int] = field(default_factory=dict)

    def target_for(self, month: str) -> int | None:
        """The target in force for `month`, or None when no goal covers it."""
        if month in self.only:
            return self.only[month]
        earlier = [start for start in self.standing if start <= month]
        return self.standing[max(earlier)] if earlier else None

    def with_standing(self, month: str, target: int) -> GoalBook:
        """Set `target` from `month` on; one-month goals from then on give way to it."""
        only = {key: value for key, value in self.only.items() if key < month}
        return GoalBook({**self.standing, month: target}, only)

    def with_only(self, month: str, target: int) -> GoalBook:
        """Set `target` for `month` alone."""
        return GoalBook(dict(self.standing), {**self.only, month: target})

    def to_json(self) -> str:
        """The book as a settings string."""
        return json.dumps({"standing": self.standing, "only": self.only}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> GoalBook:
        """Read a settings string; None or unreadable text is an empty book."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            standing = {str(k): int(v) for k, v in data.get("standing", {}).items()}
            only = {str(k): int(v) for k, v in data.get("only", {}).items()}
        except (ValueError, TypeError, AttributeError):
            return cls()
        return cls(standing, only)

"""Filter, sort and group the people of any roster view (grid, timeline, list) by name, role, skill and
contract, with one person highlighted. The state lives in the query string, so every link a view draws
keeps it; the filtering happens here on rows the view has already read, so a view's query count does not
depend on the filter nor on the number of people."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

SORTS = {
    "name": "name",
    "role": "role",
    "contract": "contract",
    "skill": "skills",
    "hours": "hours against contract",
}
GROUPS = {"": "no grouping", "role": "role", "skill": "skills", "contract": "contract"}
NAME_MAX = 80
NO_SKILLS = "no skills recorded"
NO_CONTRACT = "no contract"


def _skill_names(person: dict) -> list[str]:
    return [s["name"] for s in person.get("skills") or []]


def _skills_label(person: dict) -> str:
    return ", ".join(_skill_names(person)) or NO_SKILLS


def _group_label(person: dict, group: str) -> str:
    if group == "role":
        return person.get("role") or "no role"
    if group == "contract":
        return person.get("contract") or NO_CONTRACT
    if group == "skill":
        return _skills_label(person)
    return ""


def _hours_gap(person: dict) -> float:
    """How far rostered hours are from the contract, largest first when sorted."""
    contracted = person.get("contract_hours")
    return -abs((person.get("hours") or 0) - contracted) if contracted is not None else 0.0


def _sort_key(sort: str):
    if sort == "role":
        return lambda p: (p.get("role") or "", p["name"].lower(), p["id"])
    if sort == "contract":
        return lambda p: (p.get("contract") or "", p["name"].lower(), p["id"])
    if sort == "skill":
        return lambda p: (_skills_label(p), p["name"].lower(), p["id"])
    if sort == "hours":
        return lambda p: (_hours_gap(p), p["name"].lower(), p["id"])
    return lambda p: (p["name"].lower(), p["id"])


@dataclass(frozen=True)
class PeopleFilter:
    name: str = ""
    role: str = ""
    skill: str = ""
    contract: str = ""
    sort: str = "name"
    group: str = ""
    highlight: int | None = None

    @classmethod
    def from_query(cls, query) -> PeopleFilter:
        """From a QueryDict; unknown sort or group values fall back to the defaults, never an error."""
        highlight = query.get("highlight", "")
        sort = query.get("sort", "name")
        group = query.get("group", "")
        return cls(
            name=query.get("name", "").strip()[:NAME_MAX],
            role=query.get("role", "").strip(),
            skill=query.get("skill", "").strip(),
            contract=query.get("contract", "").strip(),
            sort=sort if sort in SORTS else "name",
            group=group if group in GROUPS else "",
            highlight=int(highlight) if highlight.isascii() and highlight.isdigit() else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.name or self.role or self.skill or self.contract)

    def params(self, **changes) -> dict[str, str]:
        """The non-default state as query parameters, with `changes` applied."""
        state = replace(self, **changes) if changes else self
        values = {
            "name": state.name,
            "role": state.role,
            "skill": state.skill,
            "contract": state.contract,
            "sort": "" if state.sort == "name" else state.sort,
            "group": state.group,
            "highlight": "" if state.highlight is None else str(state.highlight),
        }
        return {k: v for k, v in values.items() if v}

    def query(self, **changes) -> str:
        """The state as a query string ("" when at its defaults), for links that keep it."""
        return urlencode(self.params(**changes))

    def keeps(self, person: dict) -> bool:
        if self.name and self.name.lower() not in person["name"].lower():
            return False
        if self.role and person.get("role") != self.role:
            return False
        if self.contract and (person.get("contract") or NO_CONTRACT) != self.contract:
            return False
        return not (self.skill and self.skill not in _skill_names(person))


def people_view(people: list[dict], people_filter: PeopleFilter) -> dict:
    """The people a view shows, in groups (one unnamed group when not grouping), with the choices the
    filter bar offers (drawn from everyone, so a choice never disappears once picked)."""
    kept = sorted((p for p in people if people_filter.keeps(p)), key=_sort_key(people_filter.sort))
    groups: dict[str, list[dict]] = {}
    for person in kept:
        person["highlighted"] = person["id"] == people_filter.highlight
        groups.setdefault(_group_label(person, people_filter.group), []).append(person)
    ordered = sorted(groups.items()) if people_filter.group else list(groups.items())
    return {
        "groups": [{"label": label, "people": members} for label, members in ordered],
        "shown": len(kept),
        "total": len(people),
        "choices": {
            "roles": sorted({p.get("role") or "" for p in people} - {""}),
            "skills": sorted({name for p in people for name in _skill_names(p)}),
            "contracts": sorted({p.get("contract") or NO_CONTRACT for p in people}),
            "people": sorted(((p["id"], p["name"]) for p in people), key=lambda x: x[1].lower()),
            "sorts": list(SORTS.items()),
            "group_by": list(GROUPS.items()),
        },
        "filter": people_filter,
    }


VIEWS = {"grid": "Grid", "timeline": "Timeline", "list": "List by day"}


def people_context(query, people: list[dict], *, view: str) -> dict:
    """What the filter bar and the view switcher need, for a view whose people are `people`."""
    people_filter = PeopleFilter.from_query(query)
    state = people_filter.query()
    view_param = {"view": view} if view != "grid" else {}
    return {
        "people": people_view(people, people_filter),
        "view": view,
        "filter_query": state,
        # what a link to a person's page carries, so its way back returns to this view and filter
        "person_query": urlencode({**view_param, **people_filter.params()}),
        "view_links": [
            {
                "view": v,
                "label": label,
                "query": urlencode({**({"view": v} if v != "grid" else {}), **people_filter.params()}),
                "current": v == view,
            }
            for v, label in VIEWS.items()
        ],
    }

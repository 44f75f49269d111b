"""The ``pack.yaml`` model: what a campaign is, where it was seen, and how to hunt each technique.

These pydantic models are the edge: a file either validates against them or loading fails with a
located error. ``extra="forbid"`` everywhere so that a misspelt key is an error, not a silent no-op.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Confidence = Literal["high", "medium", "low"]
# how a fact is known: seen in a stored public source, reported by news of a vendor report,
# or recalled and unconfirmed
Evidence = Literal["verified", "reported", "unconfirmed"]
# where a technique or data component of the pack comes from: the campaign page or the facts
Origin = Literal["seed", "facts", "import"]

SLUG = r"^[a-z0-9][a-z0-9._-]*$"
TECHNIQUE_ID = r"^T\d{4}(\.\d{3})?$"
AnalyzerName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
# STIX 2.1 region-ov vocabulary
REGIONS = frozenset((
    "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa",
    "western-africa", "americas", "caribbean", "central-america", "latin-america-caribbean",
    "northern-america", "south-america", "asia", "central-asia", "eastern-asia", "southern-asia",
    "south-eastern-asia", "western-asia", "europe", "eastern-europe", "northern-europe",
    "southern-europe", "western-europe", "oceania", "antarctica", "australia-new-zealand",
    "melanesia", "micronesia", "polynesia",
))  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reference(_Strict):
    """A public source the pack relies on; indicators and counts name it by ``id``."""

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    publisher: str | None = None
    url: str | None = None
    date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    evidence: Evidence = "reported"
    note: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        # YAML reads 2021-08-02 as a date; a reference date may also be just a year or a month
        return value.isoformat() if isinstance(value, dt.date) else value


class CountryCount(_Strict):
    """One country (ISO 3166-1 alpha-2) and the number the source gives for it."""

    code: str = Field(pattern=r"^[A-Z]{2}$")
    count: int = Field(ge=0, le=999_999_999)
    region: str | None = None

    @model_validator(mode="after")
    def _known_region(self) -> CountryCount:
        if self.region is not None and self.region not in REGIONS:
            raise ValueError(f"region {self.region!r} is not in the STIX region vocabulary")
        return self


class ObservedCountries(_Strict):
    """Per-country figures of a source, with a plain statement of what they count."""

    source: str = Field(pattern=SLUG)
    counts_are: str = Field(min_length=20)
    unit: str = "observations"
    retrieved: dt.date | None = None
    countries: tuple[CountryCount, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> ObservedCountries:
        codes = [country.code for country in self.countries]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"country listed twice: {', '.join(duplicates)}")
        return self


class DataComponent(_Strict):
    """An ATT&CK data component (v18 id ``DCxxxx``) and our advice on using it for the technique."""

    name: str = Field(min_length=1)
    id: str = Field(pattern=r"^DC\d{4}$")
    guidance: str = ""
    origin: Origin = "seed"


class DataSource(_Strict):
    """An ATT&CK (v17 and earlier) data source ``DSxxxx`` and its components for the technique."""

    id: str = Field(pattern=r"^DS\d{4}$")
    name: str = Field(min_length=1)
    components: tuple[DataComponent, ...] = Field(min_length=1)


class ExampleAnalytic(_Strict):
    """An example analytic of the campaign page, restated as data, and the rule implementing it."""

    id: str = Field(pattern=SLUG)
    data_component: str
    description: str = Field(min_length=10)
    logic: str = ""
    sigma_rules: tuple[str, ...] = ()
    origin: Origin = "seed"


class AttackAnalytic(_Strict):
    """An ATT&CK v18 analytic (``ANxxxx``) of the technique's detection strategy."""

    id: str = Field(pattern=r"^AN\d{4}$")
    platform: str
    data_components: tuple[str, ...] = Field(default=(), description="DC ids")
    note: str = ""


class DetectionStrategy(_Strict):
    """The ATT&CK v18 detection strategy (``DETxxxx``) that succeeds the old data-source text."""

    id: str = Field(pattern=r"^DET\d{4}$")
    analytics: tuple[AttackAnalytic, ...] = ()


class Technique(_Strict):
    """One ATT&CK technique of the campaign and how to hunt it."""

    id: str = Field(pattern=TECHNIQUE_ID)
    name: str = Field(min_length=1)
    tactics: tuple[str, ...] = Field(min_length=1)
    origin: Origin = "seed"
    rationale: str = ""
    guidance: str = ""
    data_sources: tuple[DataSource, ...] = ()
    detection_strategy: DetectionStrategy | None = None
    analytics: tuple[ExampleAnalytic, ...] = ()
    analyzers: tuple[AnalyzerName, ...] = ()
    gaps: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Technique:
        names = set(self.component_names)
        for analytic in self.analytics:
            if analytic.data_component not in names:
                raise ValueError(
                    f"analytic {analytic.id!r} names data component "
                    f"{analytic.data_component!r}, which the technique does not list"
                )
        return self

    @property
    def component_names(self) -> tuple[str, ...]:
        """Data component names, in file order, without duplicates."""
        names = [c.name for source in self.data_sources for c in source.components]
        return tuple(dict.fromkeys(names))

    @property
    def parent_id(self) -> str:
        return self.id.split(".", 1)[0]


class PackManifest(_Strict):
    """The whole of ``pack.yaml``."""

    format: Literal[1] = 1
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = Field(min_length=1)
    region: str | None = None
    updated: dt.date
    caveats: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    observed_countries: ObservedCountries | None = None
    techniques: tuple[Technique, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_checks(self) -> PackManifest:
        _require_unique("technique", [t.id for t in self.techniques])
        _require_unique("reference", [r.id for r in self.references])
        _require_unique("analytic", [a.id for t in self.techniques for a in t.analytics])
        known = {r.id for r in self.references}
        if self.observed_countries and self.observed_countries.source not in known:
            raise ValueError(
                f"observed_countries.source {self.observed_countries.source!r} is not a reference id"
            )
        return self

    def technique(self, technique_id: str) -> Technique | None:
        return next((t for t in self.techniques if t.id == technique_id.upper()), None)

    def reference(self, reference_id: str) -> Reference | None:
        return next((r for r in self.references if r.id == reference_id), None)


def _require_unique(what: str, values: list[str]) -> None:
    duplicates = sorted({value for value in values if values.count(value) > 1})
    if duplicates:
        raise ValueError(f"{what} id listed twice: {', '.join(duplicates)}")

"""``ReportDocument``: the one versioned output contract of a hunt (a frozen pydantic model).

Every view in ``huntpack.report.render`` is a pure function of it, and a saved document
(``huntpack hunt ... -o report.json``) re-renders without hunting again.

Determinism: lists are in a fixed order (findings by time, origin and rule; everything else by
name), and everything that changes from one run to the next (durations, rates, worker count, the
time the document was made) lives in ``timing`` only, so ``doc.without_timing()`` of two hunts of
the same evidence are equal.

Schema changes: bump ``SCHEMA_VERSION`` (major for removals or renames, minor for additions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, JsonValue

if TYPE_CHECKING:
    from huntpack.hunt.result import HuntResult
    from huntpack.intel.campaign import CampaignPack

SCHEMA_VERSION = "1.2"

Status = Literal["detected", "assessed", "blind", "not covered"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reference(_Frozen):
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: str | None = None


class CountryCount(_Frozen):
    code: str
    count: int
    region: str | None = None


class Campaign(_Frozen):
    """The campaign pack the hunt ran (empty ``id`` when the hunt used ``--campaign none``)."""

    id: str = ""
    name: str = ""
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    region: str | None = None
    updated: str = ""
    caveats: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    countries: tuple[CountryCount, ...] = ()
    countries_unit: str = ""
    countries_counts_are: str = ""
    countries_source: str = ""


class TechniqueStatus(_Frozen):
    """The hunt's verdict for one technique of the campaign, and the data behind it."""

    id: str
    name: str
    tactics: tuple[str, ...]
    status: Status
    findings: int
    guidance: str = ""
    rationale: str = ""
    gaps: str = ""
    required_components: tuple[str, ...] = ()
    present_components: tuple[str, ...] = ()
    missing_components: tuple[str, ...] = ()
    detection_inputs: tuple[str, ...] = ()
    inputs_present: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    failed_rules: tuple[str, ...] = ()
    analyzers: tuple[str, ...] = ()
    missing_analyzers: tuple[str, ...] = ()
    rules_without_data: tuple[str, ...] = ()  # "title [log]" of rules that met no event they read
    finding_ids: tuple[str, ...] = ()
    definition: dict[str, JsonValue] = {}  # the pack's technique entry, as the pack states it


class Matched(_Frozen):
    field: str
    value: str


class FindingItem(_Frozen):
    """One finding. ``matched`` says why it fired; ``event`` holds the event's fields.

    Strings come from evidence and are attacker-controlled: renderers must escape them.
    Values longer than ``MAX_VALUE_CHARS`` are cut and end with a ``[... N more characters]`` note.
    """

    id: str
    rule_id: str
    title: str
    description: str = ""
    kind: Literal["rule", "correlation", "analyzer"]
    source: str
    level: str
    techniques: tuple[str, ...] = ()
    tactics: tuple[str, ...] = ()
    host: str = ""
    user: str = ""
    time: str = ""
    timestamp: float | None = None
    origin: str
    related: tuple[str, ...] = ()
    matched: tuple[Matched, ...] = ()
    event: dict[str, JsonValue] = {}


class TimelineEntry(_Frozen):
    time: str
    host: str
    finding_id: str
    level: str
    title: str


class HostSummary(_Frozen):
    host: str
    findings: int
    first_seen: str = ""
    last_seen: str = ""


class FiredRule(_Frozen):
    """A rule or analyzer that fired: how often, where, and its pack file when known."""

    rule_id: str
    title: str
    kind: str
    source: str
    level: str
    count: int
    techniques: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    file: str = ""  # the pack's rule file, for a pack rule
    text: str = ""  # that file's text (the indicator pattern of the STIX view)


class IndicatorMatch(_Frozen):
    """A campaign-pack indicator that raised findings: the pack's entry, where and when it was
    seen. ``key`` is its identity in the pack (``Indicator.key``, the STIX id's key);
    ``definition`` the entry as the pack states it."""

    key: str
    type: str
    value: str
    description: str = ""
    source: str = ""
    confidence: str = ""
    count: int = 0
    hosts: tuple[str, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    finding_ids: tuple[str, ...] = ()
    pattern: str = ""  # the STIX pattern (or one-string YARA rule) of the pack's export
    pattern_type: str = ""
    definition: dict[str, JsonValue] = {}


class RuleIssue(_Frozen):
    path: str
    stage: str
    reason: str
    rule_id: str | None = None
    title: str | None = None
    reference: str = ""


class RuleHealthReport(_Frozen):
    files: int = 0
    loaded: int = 0
    compiled: int = 0
    correlations: int = 0
    filters: int = 0
    failed: int = 0
    problems: tuple[RuleIssue, ...] = ()
    warnings: tuple[RuleIssue, ...] = ()


class InputFile(_Frozen):
    path: str
    format: str
    size: int
    events: int = 0
    unreadable: int = 0


class InputIssue(_Frozen):
    location: str
    reason: str
    reference: str = ""


class Inventory(_Frozen):
    files: tuple[InputFile, ...] = ()
    problems: tuple[InputIssue, ...] = ()
    event_kinds: dict[str, int] = {}


class Statistics(_Frozen):
    events: int = 0
    unreadable: int = 0
    filtered_out: int = 0
    findings: int = 0
    findings_kept: int = 0
    findings_dropped: int = 0
    rules_loaded: int = 0
    rules_compiled: int = 0
    hosts: int = 0


class Timing(_Frozen):
    """Everything that differs between two runs over the same evidence."""

    generated_at: str = ""
    rule_compile_seconds: float = 0.0
    hunt_seconds: float = 0.0
    events_per_second: float = 0.0
    workers: int = 0


class Versions(_Frozen):
    huntpack: str
    attack: str
    report_schema: str = SCHEMA_VERSION
    pack_id: str = ""
    pack_updated: str = ""
    rule_set_sha256: str = ""  # over the pack's rule files (name + text), sorted by name


class AnalyzerReport(_Frozen):
    run: tuple[str, ...] = ()
    failed: dict[str, str] = {}


class ReportDocument(_Frozen):
    """The document of one hunt; see the module docstring."""

    schema_version: str = SCHEMA_VERSION
    kind: Literal["huntpack-report"] = "huntpack-report"
    campaign: Campaign
    techniques: tuple[TechniqueStatus, ...] = ()
    findings: tuple[FindingItem, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    hosts: tuple[HostSummary, ...] = ()
    fired_rules: tuple[FiredRule, ...] = ()
    indicators: tuple[IndicatorMatch, ...] = ()  # since 1.2
    rule_health: RuleHealthReport
    inputs: Inventory
    statistics: Statistics
    analyzers: AnalyzerReport
    versions: Versions
    timing: Timing = Timing()

    @classmethod
    def from_hunt(
        cls,
        result: HuntResult,
        pack: CampaignPack | None,
        *,
        generated_at: str = "",
    ) -> ReportDocument:
        """Build the document of ``result`` (``pack``: the campaign it ran, or None).

        ``generated_at``: an ISO time for ``timing.generated_at`` (kept out of comparisons).
        """
        from huntpack.report.assemble import assemble

        return assemble(result, pack, generated_at)

    @classmethod
    def parse(cls, text: str | bytes) -> ReportDocument:
        """Read a saved document (``ValidationError`` when it is not one)."""
        return cls.model_validate_json(text)

    def without_timing(self) -> ReportDocument:
        return self.model_copy(update={"timing": Timing()})

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

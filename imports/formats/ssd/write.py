"""Writing a clean SSD file set for one authority (``ssd-extracts.md`` §4 "Load semantics").

- **Event tables** (visits, health checks, reviews, missing episodes, PEPs, supervision,
  exploitation risk, involvements) replace the authority's rows of that table dated within
  the file's date range — from the earliest to the latest date in the table's main date
  column — so a file that no longer holds a row removes it, and rows outside the range
  are left alone. A partial feed (only visits this week) therefore touches nothing else.
- **Other tables** upsert by key (persons, teams, professionals, team membership,
  establishment, code map, CIN episodes and assessments, schools, immunisations, SSD
  episodes).
- **Care leavers** add one observation per young person and as-at date; earlier
  observations stay, so past months keep the status they had (§3.7).
- **When the 903 also describes it**: SSD reviews and missing episodes replace the 903's
  rows for the dates the SSD file covers (they carry cancellations and return
  interviews), and SSD involvements replace the 903 SWEpisodes for the dates they cover.
  Episodes and placements: the 903 wins (§3.2) — SSD episodes are written only for
  children the 903 does not hold; for the others they only link ``clae_cla_id`` and
  ``clap_cla_placement_id`` to the 903 episode and its period of care.

Every write goes through ``imports.upsert.table_upsert`` (PostgreSQL ``COPY`` + one
``INSERT … ON CONFLICT`` per table), so re-importing the same files changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from children.models import (
    Child,
    CINAssessment,
    CINEpisode,
    Episode,
    ExploitationRisk,
    MissingEpisode,
    PeriodOfCare,
    PersonalEducationPlan,
    SchoolPlacement,
    Source,
    SupervisionRecord,
)
from health.models import HealthAssessment, ImmunisationStatus
from imports.formats.base import WriteContext, WriteResult
from imports.formats.ssd import codes as c
from imports.formats.ssd import tables as t
from imports.formats.ssd.replace import (
    event_replace,
    frame_for_copy,
    model_defaults,
    replace_applies,
)
from imports.models import CodeMap
from imports.upsert import UpsertOutcome, UpsertSpec, copy_rows, table_upsert
from organisations.models import (
    Allocation,
    SocialWorkerEpisode,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from placements.models import Placement
from reviews.models import Review, StatutoryVisit

#: Below this many rows a first load goes through ``table_upsert`` like any other.
FRESH_COPY_MIN_ROWS = 10_000

#: ``ssd-extracts.md`` §3.4: a health check with a blank status dated on or before the
#: extract's as-at date was done. Set ``SSD_BLANK_HEALTH_STATUS_COMPLETED = False`` to
#: read a blank status as planned instead.
BLANK_STATUS_COMPLETED_DEFAULT = True


def copy_into_empty(spec: UpsertSpec, frame: pl.DataFrame) -> UpsertOutcome | None:
    """The first load of a table for an authority on PostgreSQL: ``COPY`` straight in.

    With nothing held in scope there is nothing to compare, update or remove, so the
    temporary table and the joins of ``table_upsert`` or ``event_replace`` are pure cost.
    Returns None when the shortcut does not apply; the caller then uses one of those, with
    the same result.

    Rows go in by child and date: the ``(child, date)`` index then grows at its right-hand
    edge, and a child's rows share heap pages, which the worklists' per-team reads visit.
    """
    model = spec.model
    if connection.vendor != "postgresql" or model.objects.filter(spec.scope).exists():
        return None
    frame = frame_for_copy(spec, frame)
    if "child_id" in frame.columns and isinstance(spec.change_date, str):
        frame = frame.sort("child_id", spec.change_date)
    defaults = model_defaults(model, frame.columns)
    frame = frame.with_columns(pl.lit(value).alias(name) for name, value in defaults.items())
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        copy_rows(cursor, table, frame)
        cursor.execute(f"ANALYZE {table}")
    outcome = UpsertOutcome(read=frame.height, inserted=frame.height)
    if isinstance(spec.change_date, str) and frame.height:
        outcome.earliest = frame[spec.change_date].min()
    elif frame.height:
        outcome.earliest = spec.change_date
    if "child_id" in frame.columns:
        outcome.child_ids.update(frame["child_id"].unique().to_list())
    return outcome


def _frame_ids(frame: pl.DataFrame, column: str, pks: dict[str, int]) -> pl.DataFrame:
    """``frame`` with ``child_id`` (the Child pk) joined on its person id column."""
    mapping = pl.DataFrame(
        {"__person": list(pks), "child_id": list(pks.values())},
        schema={"__person": pl.String, "child_id": pl.Int64},
    )
    return frame.join(mapping, left_on=column, right_on="__person", how="inner")


def _span(frame: pl.DataFrame, column: str) -> tuple[date, date] | None:
    """The earliest and latest date of ``column`` in the file (None when it has none)."""
    dates = frame[column].drop_nulls()
    if not dates.len():
        return None
    return dates.min(), dates.max()


def _window(frame: pl.DataFrame, column: str, field: str) -> Q | None:
    """Rows dated from the earliest to the latest date of ``column`` in the file."""
    span = _span(frame, column)
    if span is None:
        return None
    return Q(**{f"{field}__gte": span[0], f"{field}__lte": span[1]})


def _as_sent(original: str, code: str, name: str) -> pl.Expr:
    """The value as the extract sent it, blank when that was the canonical code itself."""
    sent = pl.col(original)
    return (
        pl.when(sent.str.strip_chars().str.to_uppercase() == pl.col(code))
        .then(None)
        .otherwise(sent)
        .alias(name)
    )


def _window_start(frame: pl.DataFrame) -> date | None:
    return frame["INVO_INVOLVEMENT_START_DATE"].drop_nulls().min()


def _never(field: str) -> Q:
    """A window that matches nothing (a file with no dated rows removes nothing)."""
    return Q(**{f"{field}__isnull": True}) & ~Q(**{f"{field}__isnull": True})


class _Writer:
    def __init__(self, ctx: WriteContext):
        self.ctx = ctx
        self.la = ctx.la
        self.as_at = ctx.as_at or timezone.localdate()
        self.result = WriteResult()
        self.tables = ctx.tables
        self.pks: dict[str, int] = {}

    # -- plumbing ------------------------------------------------------------------------

    def frame(self, table: t.SsdTable) -> pl.DataFrame | None:
        return self.tables.get(table.name)

    def record(self, table: t.SsdTable, outcome: UpsertOutcome | dict, read: int, **extra) -> None:
        counts = outcome.counts() if isinstance(outcome, UpsertOutcome) else dict(outcome)
        counts["read"] = read
        counts.update(extra)
        earliest = outcome.earliest if isinstance(outcome, UpsertOutcome) else None
        self.result.add(table.name, counts, earliest)
        self.ctx.progress(read)

    def upsert(
        self,
        spec: UpsertSpec,
        frame: pl.DataFrame,
        *,
        event: bool = False,
        span: tuple[date, date] | None = None,
    ) -> UpsertOutcome:
        """Every row belongs to this authority: ``la_id`` is a key column or a written field.

        Event tables pass ``event`` and ``span``, the file's date range (None: no dates). Their
        first large load is ``copy_into_empty``; later loads of those keyed by
        (authority, id) are ``event_replace`` on PostgreSQL; everything else, and SQLite,
        goes through ``table_upsert``. All three leave the same rows and counts.
        """
        if "la_id" not in spec.key and "la_id" not in spec.fields:
            spec = replace(spec, fields=(*spec.fields, "la_id"))
        frame = frame.with_columns(pl.lit(self.la.pk).alias("la_id"))
        if event:
            if frame.height >= FRESH_COPY_MIN_ROWS:
                outcome = copy_into_empty(spec, frame)
                if outcome is not None:
                    return outcome
            if replace_applies(spec):
                return event_replace(spec=spec, frame=frame, la_id=self.la.pk, span=span)
        return table_upsert(spec=spec, frame=frame)

    def child_pks(self) -> dict[str, int]:
        self.pks = dict(Child.objects.filter(la=self.la).values_list("child_id", "id"))
        return self.pks

    def event(
        self,
        table: t.SsdTable,
        model,
        key: tuple[str, ...],
        mapping: dict[str, str],
        date_field: str,
        *,
        constants: dict | None = None,
        conflict_where: str = "",
        extra_columns: list[pl.Expr] | None = None,
    ) -> UpsertOutcome | None:
        """Upsert an event table and remove the rows of its date range the file lacks."""
        frame = self.frame(table)
        if frame is None:
            return None
        read = frame.height
        span = _span(frame, table.main_date)
        window = _window(frame, table.main_date, date_field) or _never(date_field)
        typed = _frame_ids(frame, table.person, self.pks).select(
            "child_id",
            *(pl.col(src).alias(dst) for src, dst in mapping.items()),
            *(extra_columns or []),
        )
        spec = UpsertSpec(
            model=model,
            key=key,
            fields=tuple(col for col in typed.columns if col not in key),
            scope=Q(la=self.la),
            constants=constants or {},
            conflict_where=conflict_where,
            window=window,
            change_date=date_field,
        )
        outcome = self.upsert(spec, typed, event=True, span=span)
        self.record(table, outcome, read)
        return outcome

    # -- reference tables ----------------------------------------------------------------

    def code_map(self) -> None:
        frame = self.frame(t.CODE_MAP)
        if frame is None:
            return
        typed = frame.select(
            pl.col("CMAP_TABLE").alias("table"),
            pl.col("CMAP_FIELD").alias("field"),
            pl.col("CMAP_LOCAL_VALUE").alias("local_value"),
            pl.col("CMAP_SSD_VALUE").alias("ssd_value"),
        )
        spec = UpsertSpec(model=CodeMap, key=("la_id", "table", "field", "local_value"),
                          fields=("ssd_value",), scope=Q(la=self.la))  # fmt: skip
        self.record(t.CODE_MAP, self.upsert(spec, typed), frame.height)

    def teams(self) -> None:
        """Teams and their parents: a few hundred rows at most, compared in Python."""
        frame = self.frame(t.DEPARTMENT)
        if frame is None:
            return
        counts = {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}
        existing = {team.team_id: team for team in Team.objects.filter(la=self.la)}
        rows = frame.select("DEPT_TEAM_ID", "DEPT_TEAM_NAME", "DEPT_TEAM_PARENT_ID").rows()
        new = [Team(la=self.la, team_id=tid, name=name or tid) for tid, name, _ in rows
               if tid not in existing]  # fmt: skip
        Team.objects.bulk_create(new)
        counts["inserted"] = len(new)
        inserted = {team.team_id for team in new}
        existing = {team.team_id: team for team in Team.objects.filter(la=self.la)}
        changed = []
        for tid, name, parent in rows:
            team = existing[tid]
            parent_pk = existing[parent].pk if parent in existing else None
            name = name or tid
            if team.name != name or team.parent_id != parent_pk:
                team.name, team.parent_id = name, parent_pk
                changed.append(team)
                if tid not in inserted:
                    counts["updated"] += 1
            elif tid not in inserted:
                counts["unchanged"] += 1
        Team.objects.bulk_update(changed, ["name", "parent"])
        self.record(t.DEPARTMENT, counts, frame.height)

    def workers(self) -> None:
        frame = self.frame(t.PROFESSIONALS)
        if frame is None:
            return
        typed = frame.select(
            pl.col("PROF_PROFESSIONAL_ID").alias("professional_id"),
            pl.col("PROF_STAFF_ID").alias("staff_id"),
            pl.col("PROF_PROFESSIONAL_NAME").alias("name"),
            pl.col("PROF_SOCIAL_WORKER_REGISTRATION_NO").alias("registration_no"),
            pl.col("PROF_PROFESSIONAL_JOB_TITLE").alias("job_title"),
            pl.col("PROF_PROFESSIONAL_DEPARTMENT").alias("department"),
            pl.col("PROF_FULL_TIME_EQUIVALENCY").round(2).cast(pl.Decimal(4, 2)).alias("fte"),
            pl.col("PROF_PROFESSIONAL_CASELOAD").alias("supplied_caseload"),
            pl.col("PROF_AGENCY_WORKER_FLAG").alias("is_agency"),
            pl.coalesce(
                pl.col("PROF_PROFESSIONAL_ID").replace_strict(
                    self.membership_roles(), default=None, return_dtype=pl.String
                ),
                pl.col("_ROLE"),
            ).alias("role"),
        )
        total = UpsertOutcome()
        # A title with no catalogue role leaves any role already held (set in the admin) alone.
        for with_role in (True, False):
            part = typed.filter(pl.col("role").is_not_null() == with_role)
            if not with_role:
                part = part.drop("role")
            if not part.height:
                continue
            spec = UpsertSpec(
                model=Worker, key=("la_id", "professional_id"),
                fields=tuple(col for col in part.columns if col != "professional_id"),
                scope=Q(la=self.la),
            )  # fmt: skip
            outcome = self.upsert(spec, part)
            for name in ("read", "inserted", "updated", "unchanged", "removed"):
                setattr(total, name, getattr(total, name) + getattr(outcome, name))
        self.record(t.PROFESSIONALS, total, frame.height)

    def membership_roles(self) -> dict[str, str]:
        """Professional id → catalogue role from team membership (``ssd-extracts.md`` §3.9:
        the role comes from 4.7 before the job title): the membership open on the as-at
        date, else the latest to have started; latest start wins, this batch's
        ext_team_membership rows over the stored ones."""
        rows = [
            (mid, pid, role, start, end, 0)
            for mid, pid, role, start, end in TeamMembership.objects.filter(la=self.la)
            .values_list("membership_id", "worker__professional_id", "role", "start_date",
                         "end_date")
        ]  # fmt: skip
        frame = self.frame(t.TEAM_MEMBERSHIP)
        if frame is not None:
            sent = set(frame["TMEM_TABLE_ID"].to_list())
            rows = [r for r in rows if r[0] not in sent]
            rows += [
                (mid, pid, role.lower(), start, end, 1)
                for mid, pid, role, start, end in frame.select(
                    "TMEM_TABLE_ID", "TMEM_PROFESSIONAL_ID", "TMEM_ROLE", "TMEM_START_DATE",
                    "TMEM_END_DATE",
                ).iter_rows()
            ]  # fmt: skip
        best: dict[str, tuple] = {}
        for _, pid, role, start, end, rank in rows:
            is_open = start <= self.as_at and (end is None or end > self.as_at)
            started = start <= self.as_at
            order = (is_open, started, start, rank)
            if pid not in best or order > best[pid][0]:
                best[pid] = (order, role)
        return {pid: role for pid, (_, role) in best.items()}

    def memberships(self) -> None:
        frame = self.frame(t.TEAM_MEMBERSHIP)
        if frame is None:
            return
        workers = dict(Worker.objects.filter(la=self.la).values_list("professional_id", "id"))
        teams = dict(Team.objects.filter(la=self.la).values_list("team_id", "id"))
        typed = frame.select(
            pl.col("TMEM_TABLE_ID").alias("membership_id"),
            pl.col("TMEM_PROFESSIONAL_ID").replace_strict(workers, return_dtype=pl.Int64)
            .alias("worker_id"),
            pl.col("TMEM_TEAM_ID").replace_strict(teams, return_dtype=pl.Int64).alias("team_id"),
            pl.col("TMEM_ROLE").str.to_lowercase().alias("role"),
            pl.col("TMEM_START_DATE").alias("start_date"),
            pl.col("TMEM_END_DATE").alias("end_date"),
        )  # fmt: skip
        spec = UpsertSpec(
            model=TeamMembership, key=("la_id", "membership_id"),
            fields=("worker_id", "team_id", "role", "start_date", "end_date"),
            scope=Q(la=self.la), change_date="start_date",
        )  # fmt: skip
        self.record(t.TEAM_MEMBERSHIP, self.upsert(spec, typed), frame.height)

    def establishment(self) -> None:
        frame = self.frame(t.STAFF_ESTABLISHMENT)
        if frame is None:
            return
        typed = frame.select(
            pl.col("ESTA_ROLE").str.to_lowercase().alias("role"),
            pl.col("ESTA_AS_AT_DATE").alias("as_at_date"),
            pl.col("ESTA_FTE_POSTS").round(2).cast(pl.Decimal(7, 2)).alias("fte_posts"),
        )
        spec = UpsertSpec(model=StaffEstablishment, key=("la_id", "role", "as_at_date"),
                          fields=("fte_posts",), scope=Q(la=self.la),
                          change_date="as_at_date")  # fmt: skip
        self.record(t.STAFF_ESTABLISHMENT, self.upsert(spec, typed), frame.height)

    # -- children --------------------------------------------------------------------------

    def persons(self) -> None:
        """Children: the 903 header keeps sex, DOB, ethnicity and UPN of the children it holds."""
        frame = self.frame(t.PERSON)
        if frame is None:
            self.child_pks()
            return
        typed = frame.select(
            pl.col("PERS_PERSON_ID").alias("child_id"),
            pl.col("PERS_FORENAME").alias("forename"),
            pl.col("PERS_SURNAME").alias("surname"),
            pl.col("PERS_SEX").alias("sex"),
            pl.col("PERS_DOB").alias("dob"),
            pl.col("PERS_ETHNICITY").alias("ethnicity"),
            pl.coalesce("PERS_UPN", pl.col("PERS_UPN_UNKNOWN").str.to_uppercase()).alias("upn"),
            pl.col("PERS_DEATH_DATE").alias("death_date"),
            pl.col("PERS_LEGACY_ID").alias("legacy_id"),
        )
        from_903 = set(
            Child.objects.filter(la=self.la, header_year__isnull=False).values_list(
                "child_id", flat=True
            )
        )
        total = UpsertOutcome()
        for held in (False, True):
            part = typed.filter(pl.col("child_id").is_in(list(from_903)) == held)
            if held:
                part = part.select("child_id", "forename", "surname", "death_date", "legacy_id")
            if not part.height:
                continue
            spec = UpsertSpec(
                model=Child, key=("la_id", "child_id"),
                fields=tuple(col for col in part.columns if col != "child_id"),
                scope=Q(la=self.la),
            )  # fmt: skip
            outcome = self.upsert(spec, part)
            for name in ("read", "inserted", "updated", "unchanged", "removed"):
                setattr(total, name, getattr(total, name) + getattr(outcome, name))
        self.record(t.PERSON, total, frame.height)
        self.child_pks()

    # -- episodes and placements ----------------------------------------------------------

    def episodes(self) -> None:
        frame = self.frame(t.EPISODES)
        if frame is None:
            self.placement_locations_alone()
            return
        from children.services import care_histories_derive

        frame = _frame_ids(frame, "CLAE_PERSON_ID", self.pks)
        held = frame.filter(pl.col("_IN_903"))
        linked = self._link_903(held)
        ssd = frame.filter(~pl.col("_IN_903"))
        held_pks = held["child_id"].unique().to_list()
        superseded = 0
        if held_pks:
            # A child the 903 now holds keeps no SSD-sourced episodes (never counted twice).
            superseded, _ = Episode.objects.filter(
                la=self.la, source=Source.SSD, child_id__in=held_pks
            ).delete()
        outcome = UpsertOutcome()
        if ssd.height:
            typed = ssd.select(
                "child_id",
                pl.col("CLAE_CLA_EPISODE_START_DATE").alias("decom"),
                pl.col("CLAE_CLA_EPISODE_START_REASON").alias("rne"),
                pl.col("_LS").fill_null("").alias("ls"),
                pl.col("CLAE_CLA_PRIMARY_NEED_CODE").alias("cin"),
                pl.col("_PLACE").alias("place"),
                pl.col("_PROVIDER").alias("place_provider"),
                pl.col("CLAE_CLA_EPISODE_CEASED_DATE").alias("dec"),
                pl.col("CLAE_CLA_EPISODE_CEASED_REASON").alias("rec"),
                pl.when(
                    pl.col("_PLACEMENT_END").is_not_null()
                    & (pl.col("_PLACEMENT_END") == pl.col("CLAE_CLA_EPISODE_CEASED_DATE"))
                )
                .then(pl.col("_CHANGE_REASON"))
                .otherwise(None)
                .alias("reason_place_change"),
                pl.col("_HOME_POST").alias("home_post"),
                pl.col("_PL_POST").alias("pl_post"),
                pl.col("_URN").alias("urn"),
                pl.col("_PL_LA").alias("pl_la"),
                pl.col("_PL_LOCATION").alias("pl_location"),
                pl.col("_PL_DISTANCE").cast(pl.Decimal(4, 1)).alias("pl_distance"),
                pl.col("CLAE_CLA_EPISODE_ID").alias("ssd_episode_id"),
                pl.col("CLAE_CLA_ID").alias("ssd_cla_id"),
                pl.col("_PLACEMENT_ID").alias("ssd_placement_id"),
            )
            spec = UpsertSpec(
                model=Episode, key=("child_id", "decom"),
                fields=tuple(col for col in typed.columns if col not in ("child_id", "decom")),
                scope=Q(la=self.la), constants={"source": Source.SSD},
                owned={"source": Source.SSD}, change_date="decom",
            )  # fmt: skip
            outcome = self.upsert(spec, typed)
        changed = set(outcome.child_ids) | set(held_pks if superseded else [])
        if changed:
            care_histories_derive(la=self.la, child_ids=sorted(changed))
        self._periods_link(ssd["child_id"].unique().to_list() + held_pks)
        self.record(t.EPISODES, outcome, frame.height, linked_to_903=linked,
                    removed=outcome.removed + superseded)  # fmt: skip
        for companion in (t.PLACEMENTS, t.LEGAL_STATUS, t.ADDRESS, t.PLACEMENT_LOCATION):
            part = self.frame(companion)
            if part is not None:
                self.record(companion, {}, part.height)

    def _link_903(self, held: pl.DataFrame) -> int:
        """Mark the 903 episodes the SSD describes with its ids (for reviews and visits)."""
        if not held.height:
            return 0
        wanted = {
            (child, decom): (eid, cla, placement)
            for child, decom, eid, cla, placement in held.select(
                "child_id", "CLAE_CLA_EPISODE_START_DATE", "CLAE_CLA_EPISODE_ID", "CLAE_CLA_ID",
                pl.coalesce("_PLACEMENT_ID", "CLAE_CLA_PLACEMENT_ID")
                if "_PLACEMENT_ID" in held.columns else pl.col("CLAE_CLA_PLACEMENT_ID"),
            ).iter_rows()
        }  # fmt: skip
        changed = []
        for episode in Episode.objects.filter(
            la=self.la, child_id__in=list({k[0] for k in wanted})
        ).exclude(source=Source.SSD):
            ids = wanted.get((episode.child_id, episode.decom))
            if ids is None:
                continue
            values = (ids[0] or "", ids[1] or "", ids[2] or "")
            if (episode.ssd_episode_id, episode.ssd_cla_id, episode.ssd_placement_id) != values:
                episode.ssd_episode_id, episode.ssd_cla_id, episode.ssd_placement_id = values
                changed.append(episode)
        Episode.objects.bulk_update(
            changed, ["ssd_episode_id", "ssd_cla_id", "ssd_placement_id"], batch_size=2000
        )
        return len(changed)

    def _periods_link(self, child_pks: list[int]) -> None:
        """Each period of care takes the ``clae_cla_id`` of its episodes."""
        if not child_pks:
            return
        by_period: dict[int, str] = {}
        for period_id, cla in (
            Episode.objects.filter(la=self.la, child_id__in=child_pks, period_of_care__isnull=False)
            .exclude(ssd_cla_id="")
            .order_by("decom")
            .values_list("period_of_care_id", "ssd_cla_id")
        ):
            by_period.setdefault(period_id, cla)
        changed = []
        for period in PeriodOfCare.objects.filter(pk__in=list(by_period)):
            if period.ssd_cla_id != by_period[period.pk]:
                period.ssd_cla_id = by_period[period.pk]
                changed.append(period)
        PeriodOfCare.objects.bulk_update(changed, ["ssd_cla_id"], batch_size=2000)
        # Each placement takes the ``clap_cla_placement_id`` of the episode it starts with.
        starts = {
            (child, decom): placement
            for child, decom, placement in Episode.objects.filter(
                la=self.la, child_id__in=child_pks
            )
            .exclude(ssd_placement_id="")
            .values_list("child_id", "decom", "ssd_placement_id")
        }
        placements = []
        for placement in Placement.objects.filter(la=self.la, child_id__in=child_pks):
            wanted = starts.get((placement.child_id, placement.start_date), "")
            if wanted and placement.ssd_placement_id != wanted:
                placement.ssd_placement_id = wanted
                placements.append(placement)
        Placement.objects.bulk_update(placements, ["ssd_placement_id"], batch_size=2000)

    def placement_locations_alone(self) -> None:
        """ext_cla_placement_location without episodes: update stored SSD episodes."""
        frame = self.frame(t.PLACEMENT_LOCATION)
        if frame is None:
            return
        from children.services import care_histories_derive

        supplied = {
            pid: (where, la or "")
            for pid, where, la in frame.select(
                "CLAP_CLA_PLACEMENT_ID", "CLAP_CLA_PLACEMENT_IN_AREA", "CLAP_CLA_PLACEMENT_LA"
            ).iter_rows()
        }
        changed = []
        for episode in Episode.objects.filter(
            la=self.la, source=Source.SSD, ssd_placement_id__in=list(supplied)
        ):
            where, la_code = supplied[episode.ssd_placement_id]
            la_code = la_code or episode.pl_la
            if (episode.pl_location, episode.pl_la) != (where, la_code):
                episode.pl_location, episode.pl_la = where, la_code
                changed.append(episode)
        Episode.objects.bulk_update(changed, ["pl_location", "pl_la"], batch_size=2000)
        if changed:
            care_histories_derive(la=self.la, child_ids=sorted({e.child_id for e in changed}))
        self.record(t.PLACEMENT_LOCATION, {"inserted": 0, "updated": len(changed),
                    "unchanged": frame.height - len(changed), "removed": 0},
                    frame.height)  # fmt: skip

    # -- casework --------------------------------------------------------------------------

    def visits(self) -> None:
        self.event(
            t.VISITS, StatutoryVisit, ("la_id", "visit_id"),
            {"CLAV_CLA_VISIT_ID": "visit_id", "CLAV_CLA_VISIT_DATE": "visit_date",
             "CLAV_CLA_VISIT_SEEN": "seen", "CLAV_CLA_VISIT_SEEN_ALONE": "seen_alone",
             "CLAV_CLA_ID": "ssd_cla_id"},
            "visit_date",
        )  # fmt: skip

    def health(self) -> None:
        frame = self.frame(t.HEALTH)
        if frame is None:
            return
        blank_done = getattr(settings, "SSD_BLANK_HEALTH_STATUS_COMPLETED",
                             BLANK_STATUS_COMPLETED_DEFAULT)  # fmt: skip
        status = (
            pl.when(pl.col("CLAH_HEALTH_CHECK_STATUS").is_not_null())
            .then(pl.col("CLAH_HEALTH_CHECK_STATUS"))
            .when(pl.lit(blank_done) & (pl.col("CLAH_HEALTH_CHECK_DATE") <= self.as_at))
            .then(pl.lit(HealthAssessment.Status.COMPLETED.value))
            .otherwise(pl.lit(HealthAssessment.Status.PLANNED.value))
        )
        self.event(
            t.HEALTH, HealthAssessment, ("la_id", "check_id"),
            {"CLAH_HEALTH_CHECK_ID": "check_id", "CLAH_HEALTH_CHECK_TYPE": "kind",
             "CLAH_HEALTH_CHECK_DATE": "check_date"},
            "check_date",
            extra_columns=[status.alias("status"),
                           _as_sent("_RECORDED_TYPE", "CLAH_HEALTH_CHECK_TYPE", "recorded_type")],
        )  # fmt: skip

    def immunisations(self) -> None:
        frame = self.frame(t.IMMUNISATIONS)
        if frame is None:
            return
        typed = _frame_ids(frame, "CLAI_PERSON_ID", self.pks).select(
            "child_id",
            pl.col("CLAI_IMMUNISATIONS_STATUS").alias("up_to_date"),
            pl.col("CLAI_IMMUNISATIONS_STATUS_DATE").alias("status_date"),
        )
        spec = UpsertSpec(model=ImmunisationStatus, key=("child_id",),
                          fields=("la_id", "up_to_date", "status_date"), scope=Q(la=self.la),
                          change_date=self.as_at)  # fmt: skip
        self.record(t.IMMUNISATIONS, self.upsert(spec, typed), frame.height)

    def reviews(self) -> None:
        frame = self.frame(t.REVIEWS)
        if frame is None:
            return
        window = _window(frame, "CLAR_CLA_REVIEW_DATE", "review_date")
        replaced = (
            Review.objects.filter(la=self.la, source=Source.SSDA903).filter(window).count()
            if window is not None
            else 0
        )
        outcome = self.event(
            t.REVIEWS, Review, ("la_id", "ssd_review_id"),
            {"CLAR_CLA_REVIEW_ID": "ssd_review_id", "CLAR_CLA_REVIEW_DATE": "review_date",
             "CLAR_CLA_REVIEW_PARTICIPATION": "review_code",
             "CLAR_CLA_REVIEW_DUE_DATE": "supplied_due_date", "CLAR_CLA_ID": "ssd_cla_id"},
            "review_date",
            constants={"source": Source.SSD},
            conflict_where="NOT (\"ssd_review_id\" = '')",
            extra_columns=[pl.col("CLAR_CLA_REVIEW_CANCELLED").fill_null(False).alias("cancelled")],
        )  # fmt: skip
        if outcome is not None:
            self.result.counts[t.REVIEWS.name]["replaced_903"] = replaced

    def care_leavers(self) -> None:
        frame = self.frame(t.CARE_LEAVERS)
        if frame is None:
            return
        team = pl.col("CLEA_CARE_LEAVER_ALLOCATED_TEAM")
        typed = _frame_ids(frame, "CLEA_PERSON_ID", self.pks).select(
            "child_id",
            pl.lit(self.as_at).alias("as_at"),
            pl.col("CLEA_CARE_LEAVER_ELIGIBILITY").replace_strict(
                c.ELIGIBILITY_STORED, default=None, return_dtype=pl.String
            ).alias("eligibility"),
            pl.col("CLEA_CARE_LEAVER_IN_TOUCH").alias("in_touch"),
            pl.col("CLEA_CARE_LEAVER_LATEST_CONTACT").alias("latest_contact"),
            pl.col("CLEA_CARE_LEAVER_ACCOMMODATION").alias("accommodation"),
            pl.col("CLEA_CARE_LEAVER_ACCOM_SUITABLE").alias("accommodation_suitable"),
            pl.col("CLEA_CARE_LEAVER_ACTIVITY").alias("activity"),
            pl.col("CLEA_PATHWAY_PLAN_REVIEW_DATE").alias("pathway_plan_review_date"),
            pl.col("CLEA_CARE_LEAVER_PERSONAL_ADVISOR").alias("personal_advisor"),
            pl.when(team.str.len_chars() <= 48).then(team).otherwise(None).alias("allocated_team"),
            pl.col("CLEA_CARE_LEAVER_WORKER_ID").alias("worker_id"),
        )  # fmt: skip
        from children.models import CareLeaverObservation

        spec = UpsertSpec(
            model=CareLeaverObservation, key=("child_id", "as_at"),
            fields=tuple(col for col in typed.columns if col not in ("child_id", "as_at"))
            + ("la_id",),
            scope=Q(la=self.la), change_date=self.as_at,
        )  # fmt: skip
        self.record(t.CARE_LEAVERS, self.upsert(spec, typed), frame.height)

    def missing(self) -> None:
        frame = self.frame(t.MISSING)
        rhi = self.frame(t.MISSING_RHI)
        if frame is None:
            self.rhi_alone()
            return
        extra = []
        if rhi is not None:
            completed = dict(
                rhi.select("MISS_TABLE_ID", "MISS_MISSING_RHI_COMPLETED_DATE").iter_rows()
            )
            extra.append(
                pl.col("MISS_TABLE_ID")
                .replace_strict(completed, default=None, return_dtype=pl.Date)
                .alias("rhi_completed_date")
            )
        window = _window(frame, "MISS_MISSING_EPISODE_START_DATE", "start_date")
        replaced = (
            MissingEpisode.objects.filter(la=self.la, source=Source.SSDA903).filter(window).count()
            if window is not None
            else 0
        )
        outcome = self.event(
            t.MISSING, MissingEpisode, ("child_id", "start_date"),
            {"MISS_MISSING_EPISODE_START_DATE": "start_date",
             "MISS_MISSING_EPISODE_TYPE": "missing_type",
             "MISS_MISSING_EPISODE_END_DATE": "end_date",
             "MISS_MISSING_RHI_OFFERED": "rhi_offered",
             "MISS_MISSING_RHI_ACCEPTED": "rhi_accepted", "MISS_TABLE_ID": "ssd_id"},
            "start_date",
            constants={"source": Source.SSD, "collection_year": None},
            extra_columns=extra,
        )  # fmt: skip
        if outcome is not None:
            self.result.counts[t.MISSING.name]["replaced_903"] = replaced
        if rhi is not None:
            self.record(t.MISSING_RHI, {}, rhi.height)

    def rhi_alone(self) -> None:
        """ext_missing_rhi on its own: completion dates onto the stored SSD missing episodes."""
        rhi = self.frame(t.MISSING_RHI)
        if rhi is None:
            return
        completed = dict(rhi.select("MISS_TABLE_ID", "MISS_MISSING_RHI_COMPLETED_DATE").iter_rows())
        changed = []
        for episode in MissingEpisode.objects.filter(la=self.la, ssd_id__in=list(completed)):
            if episode.rhi_completed_date != completed[episode.ssd_id]:
                episode.rhi_completed_date = completed[episode.ssd_id]
                changed.append(episode)
        MissingEpisode.objects.bulk_update(changed, ["rhi_completed_date"], batch_size=2000)
        earliest = min((e.start_date for e in changed), default=None)
        outcome = UpsertOutcome(read=rhi.height, updated=len(changed),
                                unchanged=rhi.height - len(changed), earliest=earliest)  # fmt: skip
        self.record(t.MISSING_RHI, outcome, rhi.height)

    def cin(self) -> None:
        frame = self.frame(t.CIN_EPISODES)
        if frame is not None:
            typed = _frame_ids(frame, "CINE_PERSON_ID", self.pks).select(
                "child_id",
                pl.col("CINE_REFERRAL_ID").alias("referral_id"),
                pl.col("CINE_REFERRAL_DATE").alias("referral_date"),
                pl.col("CINE_CLOSE_DATE").alias("close_date"),
            )
            spec = UpsertSpec(model=CINEpisode, key=("la_id", "referral_id"),
                              fields=("child_id", "referral_date", "close_date"),
                              scope=Q(la=self.la), change_date="referral_date")  # fmt: skip
            self.record(t.CIN_EPISODES, self.upsert(spec, typed), frame.height)
        frame = self.frame(t.CIN_ASSESSMENTS)
        if frame is not None:
            typed = _frame_ids(frame, "CINA_PERSON_ID", self.pks).select(
                "child_id",
                pl.col("CINA_ASSESSMENT_ID").alias("assessment_id"),
                pl.col("CINA_REFERRAL_ID").alias("referral_id"),
                pl.col("CINA_ASSESSMENT_START_DATE").alias("start_date"),
                pl.col("CINA_ASSESSMENT_AUTH_DATE").alias("authorised_date"),
                pl.col("CINA_ASSESSMENT_TEAM").str.slice(0, 48).alias("team_id"),
                pl.col("CINA_ASSESSMENT_WORKER_ID").alias("worker_id"),
            )
            spec = UpsertSpec(
                model=CINAssessment, key=("la_id", "assessment_id"),
                fields=("child_id", "referral_id", "start_date", "authorised_date", "team_id",
                        "worker_id"),
                scope=Q(la=self.la), change_date="authorised_date",
            )  # fmt: skip
            self.record(t.CIN_ASSESSMENTS, self.upsert(spec, typed), frame.height)
        self.factors()

    def factors(self) -> None:
        """Factors are JSON: compared and written in Python (one row per assessment)."""
        import json

        frame = self.frame(t.ASSESSMENT_FACTORS)
        if frame is None:
            return
        wanted = {aid: json.loads(f) for aid, f in frame.select(
            "CINF_ASSESSMENT_ID", "_FACTORS").iter_rows()}  # fmt: skip
        changed = []
        for assessment in CINAssessment.objects.filter(la=self.la, assessment_id__in=list(wanted)):
            factors = wanted[assessment.assessment_id]
            if assessment.factors != factors:
                assessment.factors = factors
                changed.append(assessment)
        CINAssessment.objects.bulk_update(changed, ["factors"], batch_size=2000)
        dates = [a.authorised_date for a in changed if a.authorised_date]
        outcome = UpsertOutcome(read=frame.height, updated=len(changed),
                                unchanged=frame.height - len(changed),
                                earliest=min(dates, default=None))  # fmt: skip
        self.record(t.ASSESSMENT_FACTORS, outcome, frame.height)

    def involvements(self) -> None:
        frame = self.frame(t.INVOLVEMENTS)
        if frame is None:
            return
        workers = dict(Worker.objects.filter(la=self.la).values_list("professional_id", "id"))
        teams = dict(Team.objects.filter(la=self.la).values_list("team_id", "id"))
        window = _window(frame, "INVO_INVOLVEMENT_START_DATE", "start_date")
        replaced = 0
        if window is not None:
            replaced, _ = SocialWorkerEpisode.objects.filter(la=self.la).filter(window).delete()
        outcome = self.event(
            t.INVOLVEMENTS, Allocation, ("la_id", "involvement_id"),
            {"INVO_INVOLVEMENTS_ID": "involvement_id", "INVO_PROFESSIONAL_ROLE_ID": "role",
             "INVO_INVOLVEMENT_START_DATE": "start_date",
             "INVO_INVOLVEMENT_END_DATE": "end_date",
             "INVO_WORKER_CHANGE_REASON": "change_reason", "INVO_REFERRAL_ID": "referral_id"},
            "start_date",
            extra_columns=[
                _as_sent("_LOCAL_ROLE", "INVO_PROFESSIONAL_ROLE_ID", "local_role"),
                pl.col("INVO_PROFESSIONAL_ID").replace_strict(
                    workers, default=None, return_dtype=pl.Int64).alias("worker_id"),
                pl.col("INVO_PROFESSIONAL_TEAM").replace_strict(
                    teams, default=None, return_dtype=pl.Int64).alias("team_id"),
            ],
        )  # fmt: skip
        if outcome is not None:
            counts = self.result.counts[t.INVOLVEMENTS.name]
            counts["replaced_903"] = replaced
            if replaced:
                counts["removed"] += replaced
                self.result.add(t.INVOLVEMENTS.name, counts, _window_start(frame))

    def education(self) -> None:
        self.event(
            t.PEP, PersonalEducationPlan, ("la_id", "record_id"),
            {"CLPE_TABLE_ID": "record_id", "CLPE_PEP_DATE": "pep_date",
             "CLPE_PEP_REVIEW_DUE_DATE": "review_due_date"},
            "pep_date",
            extra_columns=[pl.col("CLPE_PEP_STATUS").fill_null(
                PersonalEducationPlan.Status.COMPLETE.value).alias("status")],
        )  # fmt: skip
        frame = self.frame(t.SCHOOL)
        if frame is not None:
            typed = _frame_ids(frame, "CLSC_PERSON_ID", self.pks).select(
                "child_id",
                pl.col("CLSC_TABLE_ID").alias("record_id"),
                pl.col("CLSC_SCHOOL_URN").alias("school_urn"),
                pl.col("CLSC_SCHOOL_NAME").alias("school_name"),
                pl.col("CLSC_START_DATE").alias("start_date"),
                pl.col("CLSC_END_DATE").alias("end_date"),
            )
            spec = UpsertSpec(
                model=SchoolPlacement, key=("la_id", "record_id"),
                fields=("child_id", "school_urn", "school_name", "start_date", "end_date"),
                scope=Q(la=self.la), change_date="start_date",
            )  # fmt: skip
            self.record(t.SCHOOL, self.upsert(spec, typed), frame.height)

    def supervision_and_risk(self) -> None:
        self.event(
            t.SUPERVISION, SupervisionRecord, ("la_id", "record_id"),
            {"SUPE_TABLE_ID": "record_id", "SUPE_SUPERVISION_DATE": "supervision_date",
             "SUPE_SUPERVISOR_ID": "supervisor_id", "SUPE_PROFESSIONAL_ID": "professional_id"},
            "supervision_date",
        )  # fmt: skip
        self.event(
            t.EXPLOITATION_RISK, ExploitationRisk, ("la_id", "record_id"),
            {"EXPL_TABLE_ID": "record_id", "EXPL_RISK_TYPE": "risk_type",
             "EXPL_RISK_LEVEL": "level", "EXPL_START_DATE": "start_date",
             "EXPL_END_DATE": "end_date", "EXPL_ASSESSMENT_ID": "assessment_id"},
            "start_date",
        )  # fmt: skip

    def run(self) -> WriteResult:
        self.code_map()
        self.teams()
        self.workers()
        self.memberships()
        self.establishment()
        self.persons()
        self.episodes()
        self.visits()
        self.health()
        self.immunisations()
        self.reviews()
        self.care_leavers()
        self.missing()
        self.cin()
        self.involvements()
        self.education()
        self.supervision_and_risk()
        return self.result


def write(ctx: WriteContext) -> WriteResult:
    """Write a clean SSD file set for one authority; see the module docstring."""
    return _Writer(ctx).run()

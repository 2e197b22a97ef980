"""``govpatrol sites import``: the organisation tree, sites, schedules and webmasters of an
import sheet (govpatrol.admin.sheet), validated row by row, then written all or nothing.

Every row is checked before anything is written; one problem anywhere imports nothing and
every problem is reported (「第 N 行 列名：问题」). The writes then happen in one transaction,
so a failure half-way leaves the store as it was. Importing the same sheet again changes
nothing: organisations are matched by name, sites by their canonical URL (as the CLI and
dashboard match them), webmasters by user name. A dry run makes the same changes in the
transaction and rolls it back, so its list is exactly what an import would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from govpatrol.admin.schedule import BadSchedule, parse_schedule
from govpatrol.admin.sheet import Problem, Row, SheetError, read_sheet
from govpatrol.core.auth import AccountError, normalise_email
from govpatrol.core.models import Org, Site, User, UserSite
from reports.labels import label
from scan.preflight import BadInput, normalise_site_url
from scan.site_policy import canonical_site_url, record_zone, site_zone

# Stored as an imported webmaster's password hash: argon2 can never verify it, so the account
# cannot sign in until an admin sets a password (the weekly mail needs no sign-in).
NO_PASSWORD = "!imported-no-password"
MAX_NAME = 200


@dataclass(frozen=True)
class Change:
    """One thing the import adds or changes, worded in either language."""

    key: str  # a label of the sheet section: add_org, update_site …
    values: dict[str, str]

    def text(self, lang: str = "zh") -> str:
        none = label("sheet.none", lang)
        values = {k: (v or none) for k, v in self.values.items()}
        if self.key == "update_site":
            values["fields"] = ("; " if lang == "en" else "；").join(self._fields(lang))
        if self.key == "add_site" and not self.values.get("schedule"):
            values["schedule"] = label("sheet.default_schedule", lang)
        return label(f"sheet.{self.key}", lang).format(**values)

    def _fields(self, lang: str) -> list[str]:
        out = []
        for name in ("site", "org", "schedule"):
            if f"old_{name}" in self.values:
                out.append(
                    label("sheet.field_change", lang).format(
                        field=label(f"sheet.col_{name}", lang),
                        old=self.values[f"old_{name}"] or label("sheet.none", lang),
                        new=self.values[f"new_{name}"] or label("sheet.none", lang),
                    )
                )
        if "reactivated" in self.values:
            out.append(label("sheet.reactivated", lang))
        return out


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, lang: str = "zh") -> str:
        if self.problems:
            return label("sheet.rejected", lang).format(n=len(self.problems))
        if not self.changes:
            return label("sheet.no_changes", lang)
        key = "sheet.imported" if self.written else "sheet.dry_run"
        return label(key, lang).format(n=len(self.changes))


@dataclass
class _SiteRow:
    row: int
    name: str
    url: str
    org: str
    schedule: str | None  # None: the cell was empty


@dataclass
class _Plan:
    """The sheet's content once every row has been read: what the store should hold."""

    org_rows: dict[str, int] = field(default_factory=dict)  # name -> first row
    parents: dict[str, str | None] = field(default_factory=dict)  # only where a row said
    sites: dict[str, _SiteRow] = field(default_factory=dict)  # canonical URL -> first row
    webmasters: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (row, email)
    webmaster_rows: dict[str, list[int]] = field(default_factory=dict)  # every row naming one
    links: list[tuple[str, str]] = field(default_factory=list)  # (user name, canonical URL)


def _text(row: Row, key: str, problems: list[Problem]) -> str:
    value = row.get(key)
    if len(value) > MAX_NAME and key != "url":
        problems.append(Problem.of(row.number, key, "too_long", n=MAX_NAME))
    return value


def _same(
    problems: list[Problem], row: int, column: str, first_row: int, first: str, value: str
) -> None:
    if value != first:
        problems.append(Problem.of(row, column, "differs", first=first_row, value=first or "—"))


def _read_rows(rows: list[Row]) -> tuple[_Plan, list[Problem]]:
    """The rows as a plan, with every problem a row has on its own or against another row."""
    plan, problems = _Plan(), []
    for row in rows:
        n = row.number
        org = _text(row, "org", problems)
        parent = _text(row, "parent", problems)
        name = _text(row, "site", problems)
        raw_url = row.get("url")
        schedule_text = row.get("schedule")
        webmaster = _text(row, "webmaster", problems)
        email_text = row.get("email")
        if not org:
            problems.append(Problem.of(n, "org", "required"))
        elif parent == org:
            problems.append(Problem.of(n, "parent", "own_parent"))
        if org:
            plan.org_rows.setdefault(org, n)
            if parent:
                if org in plan.parents and plan.parents[org] != parent:
                    first = plan.org_rows[org]
                    _same(problems, n, "parent", first, plan.parents[org] or "", parent)
                plan.parents.setdefault(org, parent)
        for key in ("site", "schedule", "webmaster"):
            if row.get(key) and not raw_url:
                problems.append(Problem.of(n, "url", "required_with", other=key))
        if email_text and not webmaster:
            problems.append(Problem.of(n, "webmaster", "required_with", other="email"))
        if webmaster and not email_text:
            problems.append(Problem.of(n, "email", "required_with", other="webmaster"))
        url = None
        if raw_url:
            try:
                url = normalise_site_url(raw_url)
            except BadInput as exc:
                problems.append(Problem.said(n, "url", str(exc)))
        schedule = None
        if schedule_text:
            try:
                schedule = parse_schedule(schedule_text)
            except BadSchedule as exc:
                problems.append(
                    Problem.of(n, "schedule", "bad_schedule", value=schedule_text, reason=exc)
                )
        if url is not None:
            key = canonical_site_url(url)
            seen = plan.sites.get(key)
            if seen is None:
                if not name:
                    problems.append(Problem.of(n, "site", "required_with", other="url"))
                plan.sites[key] = _SiteRow(n, name, url, org, schedule)
            else:  # another webmaster of a site named above: what is filled in must agree
                if name:
                    _same(problems, n, "site", seen.row, seen.name, name)
                _same(problems, n, "org", seen.row, seen.org, org)
                if schedule_text and schedule is not None:
                    _same(problems, n, "schedule", seen.row, seen.schedule or "", schedule)
        if webmaster:
            plan.webmaster_rows.setdefault(webmaster, []).append(n)
            if len(webmaster) > 64 or any(c.isspace() for c in webmaster):
                problems.append(Problem.of(n, "webmaster", "bad_username"))
            email = None
            if email_text:
                try:
                    email = normalise_email(email_text)
                except AccountError as exc:
                    problems.append(Problem.said(n, "email", str(exc)))
            if email is not None:
                first = plan.webmasters.setdefault(webmaster, (n, email))
                _same(problems, n, "email", first[0], first[1], email)
            if url is not None:
                plan.links.append((webmaster, canonical_site_url(url)))
    return plan, problems


def _check_store(session: Session, plan: _Plan) -> list[Problem]:
    """What the rows ask that the store refuses: an unknown parent, a loop of parents, a
    user name taken by someone who is not a webmaster."""
    problems: list[Problem] = []
    stored = {o.name: o for o in session.exec(select(Org))}
    by_id = {o.id: o.name for o in stored.values()}
    parents = {name: by_id.get(o.parent_id) for name, o in stored.items()}
    for org in plan.org_rows:
        parents.setdefault(org, None)
    for org, parent in plan.parents.items():
        if parent not in plan.org_rows and parent not in stored:
            problems.append(Problem.of(plan.org_rows[org], "parent", "unknown_parent", name=parent))
        parents[org] = parent
    for org, first_row in plan.org_rows.items():
        path, current = [org], parents.get(org)
        while current is not None and current not in path:
            path.append(current)
            current = parents.get(current)
        if current is not None:  # came back to a name already on the path
            loop = " → ".join([*path[path.index(current) :], current])
            problems.append(Problem.of(first_row, "parent", "cycle", path=loop))
    users = {u.username: u for u in session.exec(select(User))}
    for name, rows in plan.webmaster_rows.items():
        user = users.get(name)
        if user is not None and user.role != "webmaster":
            problems += [
                Problem.of(row, "webmaster", "not_webmaster", name=name, role=user.role)
                for row in rows
            ]
    return problems


def _apply(session: Session, plan: _Plan) -> tuple[list[Change], list[Site]]:
    """Write the plan into the session (not committed); say what changed and which sites
    are new (their address zone is logged once committed)."""
    changes: list[Change] = []
    added: list[Site] = []
    orgs = {o.name: o for o in session.exec(select(Org))}
    new_orgs = [name for name in plan.org_rows if name not in orgs]
    for name in new_orgs:
        orgs[name] = Org(name=name)
        session.add(orgs[name])
        changes.append(Change("add_org", {"name": name, "parent": plan.parents.get(name, "")}))
    session.flush()
    names = {o.id: o.name for o in orgs.values()}
    # an empty 上级组织 cell keeps a registered organisation where it is
    for name, parent in plan.parents.items():
        org, parent_id = orgs[name], orgs[parent].id
        if org.parent_id != parent_id:
            if name not in new_orgs:  # a new one's parent is said in its add_org line
                old = names.get(org.parent_id, "") if org.parent_id else ""
                changes.append(Change("move_org", {"name": name, "old": old, "new": parent}))
            org.parent_id = parent_id
            session.add(org)
    session.flush()

    registered = {canonical_site_url(s.url): s for s in session.exec(select(Site))}
    sites: dict[str, Site] = {}
    for key, wanted in plan.sites.items():
        org_id = orgs[wanted.org].id
        site = registered.get(key)
        if site is None:
            site = Site(
                name=wanted.name,
                url=wanted.url,
                org_id=org_id,
                schedule_cron=wanted.schedule,
                address_zone=site_zone(wanted.url, admin=True),
                active=True,
            )
            session.add(site)
            added.append(site)
            values = {"name": wanted.name, "url": wanted.url, "org": wanted.org}
            changes.append(Change("add_site", {**values, "schedule": wanted.schedule or ""}))
        else:
            diff: dict[str, str] = {}
            if site.name != wanted.name:
                diff |= {"old_site": site.name, "new_site": wanted.name}
                site.name = wanted.name
            if site.org_id != org_id:
                diff |= {"old_org": names.get(site.org_id, ""), "new_org": wanted.org}
                site.org_id = org_id
            # an empty cell keeps the schedule set by hand; a filled one is the schedule
            if wanted.schedule is not None and site.schedule_cron != wanted.schedule:
                diff |= {"old_schedule": site.schedule_cron or "", "new_schedule": wanted.schedule}
                site.schedule_cron = wanted.schedule
            if not site.active:  # ad hoc or removed: a monitored site now, its history kept
                diff["reactivated"] = "1"
                site.active = True
            if diff:
                session.add(site)
                changes.append(Change("update_site", {"name": site.name, "url": site.url, **diff}))
        sites[key] = site
    session.flush()

    users = {u.username: u for u in session.exec(select(User))}
    for name, (_row, email) in plan.webmasters.items():
        user = users.get(name)
        if user is None:
            user = User(username=name, password_hash=NO_PASSWORD, role="webmaster", email=email)
            users[name] = user
            session.add(user)
            changes.append(Change("add_user", {"name": name, "email": email}))
        elif user.email != email:
            values = {"name": name, "old": user.email or "", "new": email}
            changes.append(Change("update_user", values))
            user.email = email
            session.add(user)
    session.flush()
    linked = {(link.user_id, link.site_id) for link in session.exec(select(UserSite))}
    for name, key in dict.fromkeys(plan.links):
        user, site = users[name], sites[key]
        if (user.id, site.id) not in linked:
            linked.add((user.id, site.id))
            session.add(UserSite(user_id=user.id, site_id=site.id))
            changes.append(Change("link", {"name": name, "site": site.name}))
    session.flush()
    return changes, added


def import_rows(session: Session, rows: list[Row], *, dry_run: bool = False) -> ImportResult:
    """Check every row, then write them all in one transaction (or roll back a dry run)."""
    plan, problems = _read_rows(rows)
    problems += _check_store(session, plan)  # every problem at once, not in rounds
    if problems:
        return ImportResult(problems=sorted(problems, key=lambda p: p.row))
    try:
        changes, added = _apply(session, plan)
    except BaseException:
        session.rollback()  # nothing of a failed import stays, not even in the session
        raise
    if dry_run or not changes:
        session.rollback()
        return ImportResult(changes=changes)
    session.commit()
    for site in added:
        record_zone(site, "import (govpatrol sites import)")
    return ImportResult(changes=changes, written=True)


def import_file(session: Session, name: str, data: bytes, *, dry_run: bool = False) -> ImportResult:
    """``import_rows`` over an xlsx or csv file's bytes; a file that cannot be read as a
    sheet is one or more problems, as a bad row is."""
    try:
        rows = read_sheet(name, data)
    except SheetError as exc:
        return ImportResult(problems=exc.problems)
    return import_rows(session, rows, dry_run=dry_run)

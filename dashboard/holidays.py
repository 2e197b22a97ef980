"""The holiday calendar page: which years the working-day deadlines are counted with official
holidays (chinese-calendar, the State Council's notices an office loaded), which notice files
were refused and why, and which years are counted on weekdays alone (unconfirmed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from dashboard.deps import Lang, pages
from dashboard.web import render
from govpatrol.core.clock import office_today
from govpatrol.core.models import User
from govpatrol.core.workdays import notice_problems, uncovered_soon, year_sources

router = APIRouter(include_in_schema=False)

PageUser = Annotated[User, Depends(pages.user)]


@router.get("/holidays")
def holidays_page(request: Request, user: PageUser, lang: Lang) -> Response:
    """Every signed-in user may read it: a webmaster told a deadline is unconfirmed can see why."""
    today = office_today()
    return render(
        request,
        "holidays.html",
        lang=lang,
        user=user,
        sources=year_sources(),
        problems=notice_problems(),
        uncovered=uncovered_soon(today),
        today=today,
    )

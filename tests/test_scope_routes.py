"""Every route of the app, walked programmatically: with the ids of another scope filled in,
each page and API route answers 404, for a webmaster (another office's site, and a
neighbouring district's site) and for a supervisor (a site outside its organisation tree).

A route added later with a new kind of id fails ``test_every_route_is_known`` until this walk
knows how to fill it, so no route escapes the check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from test_dashboard import World, csrf_of, login, running_world, site_ids_on, token_for

ID_PARAMS = {"site_id", "scan_id", "finding_id", "org_id", "user_id"}
OTHER_PARAMS = {"fmt": "json", "kind": "csv"}


@pytest.fixture(scope="module")
def world(portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_world(portal.base_url, tmp_path_factory.mktemp("scope")) as running:
        yield running


def routes_with_ids(app) -> Iterator[tuple[str, str]]:
    """(path template, method) of every route with a path parameter, included routers'
    routes with their prefixes (FastAPI's own walk, the one OpenAPI uses)."""
    for route in iter_route_contexts(app.routes):
        if route.path is None or route.methods is None or "{" not in route.path:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            yield route.path, method


def fill(path: str, victim: dict[str, int]) -> str:
    return re.sub(
        r"{(\w+)}", lambda m: str(victim.get(m.group(1), OTHER_PARAMS.get(m.group(1)))), path
    )


def victims(world: World, of: str) -> dict[str, int]:
    ids = world.ids
    site = {"other": "site_other", "b": "site_b"}[of]
    return {
        "site_id": ids[site],
        "scan_id": ids[{"other": "scan_other", "b": "scan_b"}[of]],
        "finding_id": ids[{"other": "finding_other", "b": "finding_b_stale"}[of]],
        "org_id": ids[{"other": "org_other", "b": "org_b"}[of]],
        "user_id": ids["user_other_wm"],
    }


def test_every_route_is_known(world: World) -> None:
    seen = set()
    for path, _method in routes_with_ids(world.app):
        params = set(re.findall(r"{(\w+)}", path))
        unknown = params - ID_PARAMS - set(OTHER_PARAMS)
        assert not unknown, f"{path}: teach this test to fill {unknown}"
        seen |= params
    assert seen >= ID_PARAMS  # the walk really covers every kind of id
    api_paths = {p for p in world.app.openapi()["paths"] if "{" in p}
    walked = {path for path, _ in routes_with_ids(world.app)}
    assert api_paths <= walked and len(walked - api_paths) > 10  # pages too


def _walk(world: World, client: httpx.Client, victim: dict[str, int], *, api_auth: dict) -> list:
    """Request every id-bearing route with the victim's ids; the answers that are not 404."""
    token = csrf_of(client.get("/account").text)
    leaks = []
    count = 0
    for path, method in routes_with_ids(world.app):
        url = fill(path, victim)
        if url.startswith("/api/") and url != "/api/docs":
            answer = httpx.request(method, world.url + url, headers=api_auth, json={}, timeout=30)
        else:
            answer = client.request(method, url, data={"csrf_token": token})
        count += 1
        if answer.status_code != 404:
            leaks.append((method, url, answer.status_code))
    assert count > 30  # pages and API both walked
    return leaks


@pytest.mark.parametrize(
    ("username", "of"),
    [("a_wm", "other"), ("a_wm", "b"), ("city_sup", "other"), ("other_sup", "b")],
)
def test_another_scope_answers_404_on_every_route(world: World, username: str, of: str) -> None:
    bearer = {"Authorization": f"Bearer {token_for(world, username)}"}
    with login(world, username) as client:
        assert _walk(world, client, victims(world, of), api_auth=bearer) == []


def test_the_same_routes_answer_inside_the_scope(world: World) -> None:
    """The walk above is meaningful: the admin, who may see everything, gets no 404 on the
    read routes with the same ids."""
    victim = victims(world, "other")
    with login(world, "admin") as client:
        token = csrf_of(client.get("/account").text)
        bearer = {"Authorization": f"Bearer {token_for(world, 'admin')}"}
        for path, method in routes_with_ids(world.app):
            if method != "GET":
                continue
            url = fill(path, victim)
            if url.startswith("/api/") and url != "/api/docs":
                answer = httpx.get(world.url + url, headers=bearer, timeout=30)
            else:
                answer = client.get(url, params={"csrf_token": token})
            assert answer.status_code in (200, 303), (url, answer.status_code)


def test_listings_hold_only_the_scope(world: World) -> None:
    ids = world.ids
    for username, hidden in (
        ("a_wm", "外省某厅网站"),
        ("city_sup", "外省某厅网站"),
        ("other_sup", "甲区民政局"),
    ):
        bearer = {"Authorization": f"Bearer {token_for(world, username)}"}
        with login(world, username) as client:
            for path in ("/sites", "/orgs", "/api/sites", "/api/orgs", "/api/me"):
                answer = (
                    httpx.get(world.url + path, headers=bearer)
                    if path.startswith("/api/")
                    else client.get(path)
                )
                assert answer.status_code == 200 and hidden not in answer.text, (username, path)
    with login(world, "city_sup") as client:
        assert site_ids_on(client.get("/sites").text) == {
            ids["site_a"],
            ids["site_b"],
            ids["site_city"],
        }

"""Region paths (``district/street/community/grid/`` codes, each ending in ``/``): pure helpers, no ORM."""

from __future__ import annotations

from collections.abc import Iterable

#: depth of the community in a region path (district 1, street 2, community 3, grid 4)
COMMUNITY_DEPTH = 3


def ancestor_path(path: str, depth: int) -> str | None:
    """The path of the ancestor ``depth`` levels down from the top (2 = the street, 3 = the community)
    of a region path such as ``110199/110199001/110199001001/``; None when the path is shallower."""
    codes = [code for code in (path or "").split("/") if code]
    return "/".join(codes[:depth]) + "/" if len(codes) >= depth else None


def common_ancestor_path(paths: Iterable[str]) -> str:
    """The deepest region path every one of ``paths`` lies in; ``""`` when there are none, one of them is
    empty, or they share no region."""
    chains = [[code for code in (path or "").split("/") if code] for path in paths]
    shared: list[str] = []
    for codes in zip(*chains, strict=False):
        if len(set(codes)) != 1:
            break
        shared.append(codes[0])
    return "/".join(shared) + "/" if shared else ""

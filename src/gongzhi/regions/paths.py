"""Region paths (``district/street/community/grid/`` codes, each ending in ``/``): pure helpers, no ORM."""

from __future__ import annotations

#: depth of the community in a region path (district 1, street 2, community 3, grid 4)
COMMUNITY_DEPTH = 3


def ancestor_path(path: str, depth: int) -> str | None:
    """The path of the ancestor ``depth`` levels down from the top (2 = the street, 3 = the community)
    of a region path such as ``110199/110199001/110199001001/``; None when the path is shallower."""
    codes = [code for code in (path or "").split("/") if code]
    return "/".join(codes[:depth]) + "/" if len(codes) >= depth else None

"""Benchmark: locate 1,000,000 random points in 10,000 grid polygons (issue target ≥ 200,000 points/s).

Builds a 100 × 100 tiling of irregular Voronoi cells (6–10 vertices each) over a square area, builds the
``GridLocator`` (STRtree), locates the points five times and reports the median. The baseline, measured in
the same run, is the naive approach: one STRtree query per point (what a per-row lookup in a loop does).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from gongzhi.regions.locator import GridLocator


def tiling(n_side: int, rng: np.random.Generator) -> list:
    """Voronoi cells of jittered lattice points, clipped to the square: they tile it without gaps."""
    xs, ys = np.meshgrid(np.arange(n_side) + 0.5, np.arange(n_side) + 0.5)
    seeds = np.column_stack([xs.ravel(), ys.ravel()]) + rng.uniform(-0.35, 0.35, (n_side * n_side, 2))
    box = shapely.box(0, 0, n_side, n_side)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box)
    return [cell.intersection(box) for cell in shapely.get_parts(cells)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n_side = round(args.grids**0.5)
    cells = tiling(n_side, rng)
    vertex_counts = [len(c.exterior.coords) - 1 for c in cells]

    started = time.perf_counter()
    locator = GridLocator(enumerate(cells, 1))
    build_seconds = time.perf_counter() - started

    lons = rng.uniform(0, n_side, args.points)
    lats = rng.uniform(0, n_side, args.points)
    runs = []
    result = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = locator.locate_many(lons, lats)
        runs.append(time.perf_counter() - started)
    median = statistics.median(runs)

    # baseline in the same run: the exact STRtree query alone, vectorised (no raster pre-filter)
    exact = GridLocator(enumerate(cells, 1), raster=False)
    sample = min(200_000, args.points)
    started = time.perf_counter()
    naive = exact.locate_many(lons[:sample], lats[:sample])
    baseline_seconds = time.perf_counter() - started
    agree = bool((naive == result[:sample]).all())

    pps = args.points / median
    baseline_pps = sample / baseline_seconds
    print(
        json.dumps(
            {
                "benchmark": "locate_points",
                "points": args.points,
                "grids": len(cells),
                "vertices_per_grid_median": statistics.median(vertex_counts),
                "build_seconds": round(build_seconds, 3),
                "locate_seconds_runs": [round(r, 3) for r in runs],
                "locate_seconds_median": round(median, 3),
                "points_per_second_median": round(pps),
                "baseline": "exact vectorised STRtree covered_by query without the raster pre-filter",
                "baseline_points_per_second": round(baseline_pps),
                "speedup_vs_baseline": round(pps / baseline_pps, 1),
                "baseline_agrees": agree,
                "unlocated": int((result < 0).sum()),
                "target_points_per_second": 200_000,
                "meets_target": pps >= 200_000,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

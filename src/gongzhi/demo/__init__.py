"""The demo district (``gongzhi demo-data``): a fictional 向阳区 with streets, communities, grids, buildings,
houses, residents, organisations, departments and one login per role. Every step is idempotent."""

from .build import DEMO_PASSWORD_ENV, build_demo

__all__ = ["DEMO_PASSWORD_ENV", "build_demo"]

"""共治 Gongzhi: party-building-led digital grassroots governance platform."""

__version__ = "0.1.0"

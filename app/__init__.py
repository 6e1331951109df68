"""Sổ Khuyến Học — the commune Study Promotion Association's registry and yearly cycle."""

__version__ = "0.1.0"
APP_NAME = "Sổ Khuyến Học"

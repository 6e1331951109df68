"""The desktop window (PySide6): a thin shell over :mod:`app.core` services.

Nothing here is imported by the core or the CLI (except ``khuyenhoc gui``), and
screens are imported only when first shown, so the window starts quickly.
"""

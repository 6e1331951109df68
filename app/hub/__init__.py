"""The province hub: an HTTP service (FastAPI under uvicorn) that accepts commune
bundles and answers with signed receipts, plus a read-only status page.

Only the hub command (``khuyenhoc hub serve``) imports this package: the commune's
desktop build has neither FastAPI nor uvicorn. The decisions live in
:mod:`app.core.sync.hub`; this package only moves bytes and maps answers to HTTP.
"""

from app.hub.server import DEFAULT_PORT, create_app

__all__ = ["DEFAULT_PORT", "create_app"]

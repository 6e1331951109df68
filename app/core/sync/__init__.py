"""Upward sync: signed, encrypted export bundles and the upper level that imports them.

See ``shared/sync.md`` for the guarantees and ``FORMAT.md`` beside this file for the
byte layout. Nothing here imports Qt.
"""

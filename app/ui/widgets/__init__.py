"""Reusable widgets: message boxes, the combined search box, the app icon, progress."""

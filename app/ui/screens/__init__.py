"""One module per screen of the main window; each is imported when first shown."""

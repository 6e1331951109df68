"""The application core: data model, services and rules. Never imports Qt."""

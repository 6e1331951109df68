"""Reports sent upward: the periodic report (quarter, six months, year) and its renderers."""

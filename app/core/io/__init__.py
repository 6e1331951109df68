"""Spreadsheets in and out: read the commune's own Excel sheets, export every list.

* :mod:`.workbook` — open a file safely (size, type, password, corruption) and read rows.
* :mod:`.headers` — find the header row, suggest a column mapping, remember it.
* :mod:`.values` — turn cell values (Excel dates, numbers that lost a 0 …) into text.
* :mod:`.importer` — plan an import (dry run), then apply it all or nothing.
* :mod:`.export` — write a list as a district would want it.
"""

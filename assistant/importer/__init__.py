"""The importer: files -> rows (read), rows -> store (write), and the demo shop."""

from assistant.importer.write import ImportResult, import_file

__all__ = ["ImportResult", "import_file"]

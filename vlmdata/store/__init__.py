"""The index: one DuckDB file with the documented, versioned schema (see docs/schema.md)."""

from vlmdata.store.connection import DEFAULT_INDEX, connect, index_path
from vlmdata.store.schema import SCHEMA_VERSION, migrate

__all__ = ["DEFAULT_INDEX", "SCHEMA_VERSION", "connect", "index_path", "migrate"]
